import { IndexeddbPersistence } from 'y-indexeddb'
import type * as Y from 'yjs'

/**
 * Keeps `ydoc` in this browser's IndexedDB so edits made while offline survive a reload and merge
 * when the socket comes back (Yjs updates commute, so order does not matter). The database is named
 * after the server as well as the document: the same name on two servers is two documents.
 */
export function keepOffline(serverUrl: string, doc: string, ydoc: Y.Doc): IndexeddbPersistence {
  return new IndexeddbPersistence(offlineName(serverUrl, doc), ydoc)
}

const offlineName = (serverUrl: string, doc: string) => `quire:${serverUrl.replace(/\/+$/, '')}/${doc}`

/**
 * Drops this browser's offline copy of `doc`, for a document deleted while no page here had it
 * open: starting it again must not write the old text back into the new document.
 */
export function dropOffline(serverUrl: string, doc: string): Promise<void> {
  return new Promise((resolve) => {
    const request = indexedDB.deleteDatabase(offlineName(serverUrl, doc))
    // Blocked (another tab has it open) or failed: nothing better to do than go on.
    request.onsuccess = request.onerror = request.onblocked = () => resolve()
  })
}
