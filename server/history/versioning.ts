import type { DocStore } from '../store/store.js'
import type { Rooms } from '../sync/rooms.js'
import { History } from './history.js'
import { liveDocsOf } from './live.js'
import { type Clock, systemClock, type VersionTiming } from './policy.js'
import { VersionRecorder } from './recorder.js'

/**
 * Version history over a store and its rooms: the recorder (automatic versions, checkpoints) with
 * its `History`. Recorded versions are announced as `doc.version` sync events and failures as
 * `problem`s, like everything else the sync layer reports. Close it after the rooms and before the
 * store, so the versions due when the last editors left are recorded.
 */
export function startVersioning(store: DocStore, rooms: Rooms, timing: VersionTiming, clock: Clock = systemClock): VersionRecorder {
  const { events } = rooms
  const history = new History(
    store,
    liveDocsOf(rooms),
    () => clock.now(),
    (doc, version) => events.emit('doc.version', { doc, version, origin: 'local' }),
  )
  return new VersionRecorder(events, history, timing, clock, (doc, error) => events.emit('problem', { kind: 'version', doc, message: error.message }))
}
