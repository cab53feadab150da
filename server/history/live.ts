import * as Y from 'yjs'
import type { Rooms } from '../sync/rooms.js'
import type { LiveDocs } from './history.js'

/**
 * History's view of the rooms. A version must name only stored state, which is what `Rooms.view`
 * shows (an open document once every update it holds is stored, a closed one from the store).
 */
export function liveDocsOf(rooms: Rooms): LiveDocs {
  return {
    storedSnapshot: (name) => rooms.view(name, (doc) => Y.snapshot(doc)),
    apply: (name, update) => rooms.edit(name, () => [update]),
  }
}
