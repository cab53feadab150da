import { join } from 'node:path'
import { LevelStore } from './level.js'
import { type RepairReport, repairLevelStore } from './level-repair.js'
import type { DocStore } from './store.js'

/** Where the LevelDB store lives inside a data dir. */
export const storeDir = (dataDir: string) => join(dataDir, 'docs')

/** Key prefix of quire's data in a shared Redis. */
export const REDIS_PREFIX = 'quire'

/**
 * Opens the store the configuration names: the one place that picks a concrete store. With a
 * Redis URL, documents live in Redis (shared by every instance); else in LevelDB in the data dir.
 */
export async function openStore({ dataDir, redisUrl }: { dataDir: string; redisUrl: string | null }): Promise<DocStore> {
  if (!redisUrl) return LevelStore.open(storeDir(dataDir), `quire repair --data ${dataDir}`)
  // Loaded only in cluster mode: ioredis alone adds about 14 MiB to the RSS of every process.
  const { RedisStore } = await import('./redis.js')
  return RedisStore.open(redisUrl, REDIS_PREFIX)
}

/**
 * Whether the configured store holds quire data already. Redis always counts as holding it: it
 * cannot be mistyped into a directory of someone else's files.
 */
export function storeExists({ dataDir, redisUrl }: { dataDir: string; redisUrl: string | null }): boolean {
  return redisUrl !== null || LevelStore.exists(storeDir(dataDir))
}

/**
 * Repairs the LevelDB store of `dataDir` after damage (see `repairLevelStore`); the data dir must
 * not be in use. Redis has no files of quire's to repair: its own `redis-check-aof` does that.
 */
export function repairStore(dataDir: string): Promise<RepairReport> {
  return repairLevelStore(storeDir(dataDir))
}
