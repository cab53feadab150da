import { Redis } from 'ioredis'
import type { PresenceUser } from '../../shared/presence.js'
import { merger } from './merger.js'
import { RedisVersions } from './redis-versions.js'
import { decodeStateAt, encodeState } from './state-record.js'
import {
  type Compaction,
  type Deletion,
  type DocMeta,
  type DocState,
  type DocStore,
  type NewVersion,
  type RenameOutcome,
  type StoredDoc,
  type StoredVersion,
  StoreError,
  type VersionList,
} from './store.js'

// Each document is a list of update records plus a metadata hash (and maybe a saved state, see
// `DocStore.saveState`); a set indexes the names. The
// hash's `first` is the sequence number of the list's first record and `head` that of its last,
// so a head handed out by `append` still names the same records after other instances append.
// `since` is the head of the document's first record ever. Deleting a document leaves its hash
// with only `head` and `deletedAt` (and `renamedTo` after a rename: a tombstone, see `store.ts`): a document exists while its hash
// has `first`.
// Every mutation is one Lua script: atomic, so concurrent instances never interleave halfway.

// Refuses (-1) an append by a writer that knew the document at head `seen` (ARGV[4]) when that
// document is gone: deleted, or deleted and created again since (it starts after `seen`).
// Documents stored before `since` existed count as created at 0.
const APPEND = `
local seen = tonumber(ARGV[4])
local first = redis.call('HGET', KEYS[2], 'first')
if seen > 0 and (not first or tonumber(redis.call('HGET', KEYS[2], 'since') or 0) > seen) then return -1 end
local head = redis.call('HINCRBY', KEYS[2], 'head', 1)
if not first then
  redis.call('HSET', KEYS[2], 'first', head, 'since', head, 'createdAt', ARGV[2])
  redis.call('HDEL', KEYS[2], 'deletedAt', 'renamedTo')
end
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('HINCRBY', KEYS[2], 'updates', 1)
redis.call('HINCRBY', KEYS[2], 'bytes', string.len(ARGV[1]))
redis.call('HSET', KEYS[2], 'updatedAt', ARGV[2])
redis.call('SADD', KEYS[3], ARGV[3])
return head`

// Swaps the `count` records a compaction read, starting at `first`, for their merge, unless
// another compaction (or a deletion) changed where the list starts since: then it returns -1 and
// the caller reads again. Appends only push on the right, so with `first` unchanged the first
// `count` records are exactly the ones read, and the merge takes the sequence number of the last.
const COMPACT = `
local first = redis.call('HGET', KEYS[2], 'first')
if first ~= ARGV[2] then return -1 end
local count = tonumber(ARGV[3])
local replaced = redis.call('LRANGE', KEYS[1], 0, count - 1)
local bytes = 0
for _, record in ipairs(replaced) do bytes = bytes + string.len(record) end
redis.call('LTRIM', KEYS[1], count, -1)
redis.call('LPUSH', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[2], 'first', tonumber(first) + count - 1)
redis.call('HINCRBY', KEYS[2], 'updates', 1 - count)
redis.call('HINCRBY', KEYS[2], 'bytes', string.len(ARGV[1]) - bytes)
return count`

// Keeps a saved state (ARGV[1]) only while the document exists at the head it was taken at (ARGV[2]).
const SAVE_STATE = `
if redis.call('HEXISTS', KEYS[2], 'first') == 0 or redis.call('HGET', KEYS[2], 'head') ~= ARGV[2] then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
return 1`

// A second removal changes nothing, so the tombstone keeps the time of the first.
const REMOVE = `
if redis.call('SREM', KEYS[3], ARGV[1]) == 0 then return 0 end
local head = redis.call('HGET', KEYS[2], 'head')
redis.call('DEL', KEYS[1], KEYS[4], KEYS[5], KEYS[6], KEYS[2])
redis.call('HSET', KEYS[2], 'head', head, 'deletedAt', ARGV[2])
return 1`

// KEYS: `from`'s records, metadata, the index, `from`'s versions and counters, then the same four
// of `to`, then both saved states; ARGV: from, to, now. Answers 0 without `from`, -1 when `to`
// exists. The records are renumbered past `to`'s tombstone (`first`..`head` always spans the
// list), so no saved state is taken at their head any more, and `from` keeps a tombstone as after
// a delete.
const RENAME = `
if not redis.call('HGET', KEYS[2], 'first') then return 0 end
if redis.call('HEXISTS', KEYS[7], 'first') == 1 then return -1 end
local base = tonumber(redis.call('HGET', KEYS[7], 'head') or '0')
local count = redis.call('LLEN', KEYS[1])
local m = redis.call('HMGET', KEYS[2], 'head', 'createdAt', 'updatedAt', 'bytes', 'updates')
redis.call('DEL', KEYS[6], KEYS[7], KEYS[8], KEYS[9], KEYS[10], KEYS[11])
for i, key in ipairs({KEYS[1], KEYS[4], KEYS[5]}) do
  if redis.call('EXISTS', key) == 1 then redis.call('RENAME', key, ({KEYS[6], KEYS[8], KEYS[9]})[i]) end
end
redis.call('HSET', KEYS[7], 'first', base + 1, 'since', base + 1, 'head', base + count, 'createdAt', m[2], 'updatedAt', m[3], 'bytes', m[4], 'updates', m[5])
redis.call('DEL', KEYS[2])
redis.call('HSET', KEYS[2], 'head', m[1], 'deletedAt', ARGV[3], 'renamedTo', ARGV[2])
redis.call('SREM', KEYS[3], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[2])
return 1`

/** Reads and swaps a compaction tries before giving up; each retry means another one just merged. */
const COMPACT_ATTEMPTS = 5

const toBytes = (b: Buffer) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
const toBuffer = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength)

/**
 * The distributed store: documents in Redis, shared by every quire instance configured with the
 * same `REDIS_URL` (and prefix). It implements the same `DocStore` contract as the LevelDB store
 * and is proven by the same suite. Durability is Redis's: run it with `appendonly yes`.
 */
export class RedisStore implements DocStore {
  private readonly history: RedisVersions

  private constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    this.history = new RedisVersions(redis)
  }

  /** Connects to `url`; keys are namespaced by `prefix` so several deployments can share a Redis. */
  static async open(url: string, prefix = 'quire'): Promise<RedisStore> {
    const redis = new Redis(url, { lazyConnect: true, enableAutoPipelining: true, maxRetriesPerRequest: 3 })
    // ioredis prints an 'error' event no one listens to with its stack trace. The commands that
    // fail report it (`run`); a failed connect says why it failed, not only that it closed.
    let failure: Error | undefined
    redis.on('error', (error: Error) => {
      failure = error
    })
    try {
      await redis.connect()
    } catch (error) {
      redis.disconnect()
      throw new StoreError('unavailable', `cannot connect to Redis at ${url}: ${(failure ?? (error as Error)).message}`, { cause: error })
    }
    return new RedisStore(redis, prefix)
  }

  async load(name: string): Promise<StoredDoc | null> {
    // One transaction, so the head read is the head of exactly the records read.
    const results = await this.run(() => this.redis.multi().lrangeBuffer(this.key(name, 'u'), 0, -1).hmget(this.key(name, 'm'), 'head', 'first').getBuffer(this.key(name, 's')).exec())
    const [[, records] = [], [, fields] = [], [, saved] = []] = results ?? []
    const [head, first] = (fields as Array<string | null> | undefined) ?? []
    if (!head || !first) return null
    const updates = (records as Buffer[]).map(toBytes)
    const state = saved instanceof Buffer ? decodeStateAt(toBytes(saved), Number(head)) : null
    return state ? { updates, head: Number(head), state } : { updates, head: Number(head) }
  }

  async saveState(name: string, state: DocState): Promise<void> {
    await this.run(() => this.redis.eval(SAVE_STATE, 2, this.key(name, 's'), this.key(name, 'm'), toBuffer(encodeState(state)), String(state.head)))
  }

  async append(name: string, update: Uint8Array, seen = 0): Promise<number> {
    const head = Number(await this.run(() => this.redis.eval(APPEND, 3, ...this.keys(name), toBuffer(update), Date.now(), name, seen)))
    if (head === -1) throw new StoreError('deleted', `document "${name}" was deleted`)
    return head
  }

  async compact(name: string): Promise<Compaction | null> {
    for (let attempt = 1; attempt <= COMPACT_ATTEMPTS; attempt++) {
      const results = await this.run(() => this.redis.multi().lrangeBuffer(this.key(name, 'u'), 0, -1).hget(this.key(name, 'm'), 'first').exec())
      const [[, read] = [], [, first] = []] = results ?? []
      if (typeof first !== 'string') return null
      const records = (read as Buffer[]).map(toBytes)
      if (records.length <= 1) return { bytes: records[0]?.byteLength ?? 0, records: records.length }
      const merged = await merger.merge(name, records)
      const swapped = await this.run(() => this.redis.eval(COMPACT, 2, this.key(name, 'u'), this.key(name, 'm'), toBuffer(merged), first, records.length))
      if (swapped !== -1) return { bytes: merged.byteLength, records: records.length }
    }
    throw new StoreError('unavailable', `document "${name}": compaction kept racing other compactions (${COMPACT_ATTEMPTS} attempts)`)
  }

  async list(): Promise<DocMeta[]> {
    const names = (await this.run(() => this.redis.smembers(this.key('', 'index')))).sort()
    const metas = await Promise.all(names.map((name) => this.stat(name)))
    return metas.filter((meta): meta is DocMeta => meta !== null)
  }

  async stat(name: string): Promise<DocMeta | null> {
    const hash = await this.run(() => this.redis.hgetall(this.key(name, 'm')))
    if (!hash.first) return null
    return { name, bytes: Number(hash.bytes), updates: Number(hash.updates), createdAt: new Date(Number(hash.createdAt)), updatedAt: new Date(Number(hash.updatedAt)) }
  }

  async remove(name: string): Promise<boolean> {
    return (await this.run(() => this.redis.eval(REMOVE, 6, ...this.keys(name), ...this.versionKeys(name), this.key(name, 's'), name, Date.now()))) === 1
  }

  async rename(from: string, to: string): Promise<RenameOutcome> {
    const [records, meta, index] = this.keys(from)
    const keys = [records, meta, index, ...this.versionKeys(from), this.key(to, 'u'), this.key(to, 'm'), ...this.versionKeys(to), this.key(from, 's'), this.key(to, 's')]
    const outcome = Number(await this.run(() => this.redis.eval(RENAME, keys.length, ...keys, from, to, Date.now())))
    return outcome === 1 ? 'renamed' : outcome === 0 ? 'missing' : 'exists'
  }

  async deleted(name: string): Promise<Deletion | null> {
    const [first, deletedAt, renamedTo] = await this.run(() => this.redis.hmget(this.key(name, 'm'), 'first', 'deletedAt', 'renamedTo'))
    return !first && deletedAt ? { at: new Date(Number(deletedAt)), renamedTo: renamedTo ?? null } : null
  }

  versions(name: string): Promise<VersionList> {
    return this.run(() => this.history.list(name, this.versionKeys(name)))
  }

  addVersion(name: string, version: NewVersion, after: number): Promise<StoredVersion | null> {
    return this.run(() => this.history.add(name, [...this.versionKeys(name), this.key(name, 'index')], version, after))
  }

  thinVersions(name: string, drop: number[], rewrite: Array<{ id: number; snapshot: Uint8Array }>, revision: number): Promise<boolean> {
    return this.run(() => this.history.thin(name, this.versionKeys(name), drop, rewrite, revision))
  }

  addVersionAuthors(name: string, id: number, authors: PresenceUser[]): Promise<boolean> {
    return this.run(() => this.history.addAuthors(this.versionKeys(name), id, authors))
  }

  async close(): Promise<void> {
    await this.redis.quit()
  }

  private versionKeys(name: string): [string, string] {
    return [this.key(name, 'v'), this.key(name, 'h')]
  }

  private key(name: string, part: 'u' | 'm' | 'v' | 'h' | 's' | 'index'): string {
    return part === 'index' ? `${this.prefix}:docs` : `${this.prefix}:doc:${name}:${part}`
  }

  private keys(name: string): [string, string, string] {
    return [this.key(name, 'u'), this.key(name, 'm'), this.key(name, 'index')]
  }

  /** Runs a command, reporting a Redis failure as `StoreError('unavailable')`. */
  private async run<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command()
    } catch (error) {
      if (error instanceof StoreError) throw error
      throw new StoreError('unavailable', `Redis: ${(error as Error).message}`, { cause: error })
    }
  }
}
