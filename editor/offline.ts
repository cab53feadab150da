import { IndexeddbPersistence } from 'y-indexeddb'
import type * as Y from 'yjs'

/**
 * Keeps `ydoc` in this browser's IndexedDB so edits made while offline survive a reload and merge
 * when the socket comes back (Yjs updates commute, so order does not matter). The database is named
 * after the server as well as the document: the same name on two servers is two documents.
 */
export function keepOffline(serverUrl: string, doc: string, ydoc: Y.Doc): IndexeddbPersistence {
  return new IndexeddbPersistence(`quire:${serverUrl.replace(/\/+$/, '')}/${doc}`, ydoc)
}
