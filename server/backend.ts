import type { ClusterBus } from './cluster/bus.js'
import type { Config } from './config.js'
import type { VersionRecorder } from './history/recorder.js'
import { startVersioning } from './history/versioning.js'
import { WorkerImporter } from './imports/importer.js'
import type { Logger } from './log.js'
import { openStore, REDIS_PREFIX } from './store/open.js'
import type { DocStore } from './store/store.js'
import { SyncEvents } from './sync/events.js'
import { Rooms } from './sync/rooms.js'

/** Where documents live and how they are edited: what the server and the CLI both run on. */
export interface Backend {
  store: DocStore
  rooms: Rooms
  versions: VersionRecorder
  importer: WorkerImporter
  /** The link to the other instances, in cluster mode (`null` otherwise). */
  bus: ClusterBus | null
  /** Stores everything open rooms hold, records due versions, and releases bus, importer and store. */
  close(): Promise<void>
}

/**
 * The one composition of store, rooms, version history and (with a Redis URL) the cluster bus,
 * used by `main.ts` and by the CLI when no server holds the data. The CLI therefore edits, deletes
 * and compacts in cluster mode exactly as an instance does: its edits reach the editors of every
 * instance and its deletions close them, instead of writing behind their backs.
 */
export async function openBackend(config: Config, log: Logger): Promise<Backend> {
  const store = await openStore(config)
  const events = new SyncEvents()
  const rooms = new Rooms(store, events, {
    compactAfterUpdates: config.compactAfterUpdates,
    maxDocBytes: config.maxDocBytes,
    maxAwarenessBytes: config.maxAwarenessBytes,
    saveStates: config.redisUrl === null,
  })
  const versions = startVersioning(store, rooms, { idleMs: config.versionIdleMs, everyMs: config.versionEveryMs })
  const bus = config.redisUrl ? await startBus(config.redisUrl, rooms, log) : null
  const importer = new WorkerImporter()
  return {
    store,
    rooms,
    versions,
    importer,
    bus,
    async close() {
      await importer.close()
      await rooms.shutdown()
      await versions.close()
      // After the rooms: their last updates and deletions are published before the link goes.
      await bus?.close()
      await store.close()
    },
  }
}

/** Loads the Redis bus (and ioredis with it) only in cluster mode; see `openStore`. */
async function startBus(url: string, rooms: Rooms, log: Logger): Promise<ClusterBus> {
  const { startRedisBus } = await import('./cluster/redis-bus.js')
  return startRedisBus(url, REDIS_PREFIX, rooms, log)
}
