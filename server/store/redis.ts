import { Redis } from 'ioredis'
import { RedisVersions } from './redis-versions.js'
import { type DocMeta, type DocStore, type NewVersion, StoreError, type StoredDoc, type StoredVersion, type VersionList } from './store.js'

// Each document is a list of update records plus a metadata hash; a set indexes the names. The
// hash's `first` is the sequence number of the list's first record and `head` that of its last,
// so a head handed out by `append` still names the same records after other instances append.
// Every mutation is one Lua script: atomic, so concurrent instances never interleave halfway.
const APPEND = `
local head = redis.call('HINCRBY', KEYS[2], 'head', 1)
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('HINCRBY', KEYS[2], 'updates', 1)
redis.call('HINCRBY', KEYS[2], 'bytes', string.len(ARGV[1]))
redis.call('HSETNX', KEYS[2], 'createdAt', ARGV[2])
redis.call('HSETNX', KEYS[2], 'first', head)
redis.call('HSET', KEYS[2], 'updatedAt', ARGV[2])
redis.call('SADD', KEYS[3], ARGV[3])
return head`

const COMPACT = `
local first = tonumber(redis.call('HGET', KEYS[2], 'first'))
local head = tonumber(ARGV[2])
if first == nil or head < first then return 0 end
local count = head - first + 1
local replaced = redis.call('LRANGE', KEYS[1], 0, count - 1)
local bytes = 0
for _, record in ipairs(replaced) do bytes = bytes + string.len(record) end
redis.call('LTRIM', KEYS[1], #replaced, -1)
redis.call('LPUSH', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[2], 'first', head)
redis.call('HINCRBY', KEYS[2], 'updates', 1 - #replaced)
redis.call('HINCRBY', KEYS[2], 'bytes', string.len(ARGV[1]) - bytes)
return #replaced`

const REMOVE = `
local existed = redis.call('SREM', KEYS[3], ARGV[1])
redis.call('DEL', KEYS[1], KEYS[4], KEYS[5], KEYS[2])
return existed`

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
    try {
      await redis.connect()
    } catch (error) {
      redis.disconnect()
      throw new StoreError('unavailable', `cannot connect to Redis at ${url}: ${(error as Error).message}`, { cause: error })
    }
    return new RedisStore(redis, prefix)
  }

  async load(name: string): Promise<StoredDoc | null> {
    // One transaction, so the head read is the head of exactly the records read.
    const results = await this.run(() => this.redis.multi().lrangeBuffer(this.key(name, 'u'), 0, -1).hget(this.key(name, 'm'), 'head').exec())
    const [[, records] = [], [, head] = []] = results ?? []
    if (!head) return null
    return { updates: (records as Buffer[]).map((b) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength)), head: Number(head) }
  }

  append(name: string, update: Uint8Array): Promise<number> {
    return this.run(() => this.redis.eval(APPEND, 3, ...this.keys(name), Buffer.from(update.buffer, update.byteOffset, update.byteLength), Date.now(), name)).then(Number)
  }

  async compact(name: string, merged: Uint8Array, head: number): Promise<void> {
    await this.run(() => this.redis.eval(COMPACT, 3, ...this.keys(name), Buffer.from(merged.buffer, merged.byteOffset, merged.byteLength), head))
  }

  async list(): Promise<DocMeta[]> {
    const names = (await this.run(() => this.redis.smembers(this.key('', 'index')))).sort()
    const metas = await Promise.all(names.map((name) => this.stat(name)))
    return metas.filter((meta): meta is DocMeta => meta !== null)
  }

  async stat(name: string): Promise<DocMeta | null> {
    const hash = await this.run(() => this.redis.hgetall(this.key(name, 'm')))
    if (!hash.head) return null
    return { name, bytes: Number(hash.bytes), updates: Number(hash.updates), createdAt: new Date(Number(hash.createdAt)), updatedAt: new Date(Number(hash.updatedAt)) }
  }

  async remove(name: string): Promise<boolean> {
    return (await this.run(() => this.redis.eval(REMOVE, 5, ...this.keys(name), ...this.versionKeys(name), name))) === 1
  }

  versions(name: string): Promise<VersionList> {
    return this.run(() => this.history.list(name, this.versionKeys(name)))
  }

  addVersion(name: string, version: NewVersion, after: number): Promise<StoredVersion | null> {
    return this.run(() => this.history.add(this.versionKeys(name), version, after))
  }

  thinVersions(name: string, drop: number[], rewrite: Array<{ id: number; snapshot: Uint8Array }>, revision: number): Promise<boolean> {
    return this.run(() => this.history.thin(name, this.versionKeys(name), drop, rewrite, revision))
  }

  async close(): Promise<void> {
    await this.redis.quit()
  }

  private versionKeys(name: string): [string, string] {
    return [this.key(name, 'v'), this.key(name, 'h')]
  }

  private key(name: string, part: 'u' | 'm' | 'v' | 'h' | 'index'): string {
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
