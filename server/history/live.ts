import * as Y from 'yjs'
import type { DocStore } from '../store/store.js'
import { replay } from '../sync/room.js'
import type { Rooms } from '../sync/rooms.js'
import type { LiveDocs } from './history.js'

/**
 * History's view of the rooms. A version must name only stored state: an open document's snapshot
 * is taken once every update it holds is stored, and a closed one's is read from the store.
 */
export function liveDocsOf(rooms: Rooms, store: DocStore): LiveDocs {
  return {
    async storedSnapshot(name) {
      const room = rooms.get(name)
      if (room) {
        await room.settled()
        return Y.snapshot(room.doc)
      }
      const stored = await store.load(name)
      if (!stored) return null
      const doc = new Y.Doc()
      try {
        replay(doc, name, stored.updates)
        return Y.snapshot(doc)
      } finally {
        doc.destroy()
      }
    },
    apply: (name, update) => rooms.apply(name, update),
  }
}
