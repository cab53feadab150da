import type { Redis } from 'ioredis'
import type { PresenceUser } from '../../shared/presence.js'
import type { NewVersion, StoredVersion, VersionList } from './store.js'
import { decodeVersion, encodeVersion } from './version-record.js'

// Per document: a hash of version records by id (KEYS[1]) and a hash of counters (KEYS[2]);
// KEYS[3] is the index of existing documents, so no version is added to a deleted one. Counters:
// `last` (the highest id ever given out, so ids are never reused), `newest` (the id of the newest
// version still kept) and `revision` (bumped by every change of the list). Each mutation is one
// Lua script, so instances recording or thinning at once see each other's changes whole.
const ADD = `
if redis.call('SISMEMBER', KEYS[3], ARGV[3]) == 0 then return 0 end
local newest = tonumber(redis.call('HGET', KEYS[2], 'newest') or '0')
if newest ~= tonumber(ARGV[1]) then return 0 end
local id = redis.call('HINCRBY', KEYS[2], 'last', 1)
redis.call('HSET', KEYS[1], id, ARGV[2])
redis.call('HSET', KEYS[2], 'newest', id)
redis.call('HINCRBY', KEYS[2], 'revision', 1)
return id`

// ARGV: revision, the number n of dropped ids, the n ids, then (id, record) pairs to rewrite.
const THIN = `
local revision = tonumber(redis.call('HGET', KEYS[2], 'revision') or '0')
if revision ~= tonumber(ARGV[1]) then return 0 end
local n = tonumber(ARGV[2])
for i = 3, 2 + n do redis.call('HDEL', KEYS[1], ARGV[i]) end
for i = 3 + n, #ARGV, 2 do
  if redis.call('HEXISTS', KEYS[1], ARGV[i]) == 1 then redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
end
local newest = 0
for _, id in ipairs(redis.call('HKEYS', KEYS[1])) do newest = math.max(newest, tonumber(id)) end
redis.call('HSET', KEYS[2], 'newest', newest)
redis.call('HINCRBY', KEYS[2], 'revision', 1)
return 1`

// ARGV: the version id and a JSON array of authors. The record is `encodeVersion`'s: a lib0
// varuint length, the header's JSON, the snapshot; only the header is rewritten.
const ADD_AUTHORS = `
local record = redis.call('HGET', KEYS[1], ARGV[1])
if not record then return 0 end
local length, scale, pos = 0, 1, 1
while true do
  local byte = string.byte(record, pos)
  pos = pos + 1
  length = length + (byte % 128) * scale
  if byte < 128 then break end
  scale = scale * 128
end
local header = cjson.decode(string.sub(record, pos, pos + length - 1))
local rest = string.sub(record, pos + length)
local authors = {}
local known = {}
for _, author in ipairs(type(header.authors) == 'table' and header.authors or {}) do
  known[author.name .. '\0' .. author.color] = true
  table.insert(authors, author)
end
for _, author in ipairs(cjson.decode(ARGV[2])) do
  local key = author.name .. '\0' .. author.color
  if not known[key] then
    known[key] = true
    table.insert(authors, author)
  end
end
header.authors = authors
local json = cjson.encode(header)
local n = string.len(json)
local prefix = ''
while n > 127 do
  prefix = prefix .. string.char(128 + n % 128)
  n = math.floor(n / 128)
end
redis.call('HSET', KEYS[1], ARGV[1], prefix .. string.char(n) .. json .. rest)
return 1`

const buffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)

/** The versions half of the Redis store; `keys` are the document's version and counter hashes (and for `add`, the document index). */
export class RedisVersions {
  constructor(private readonly redis: Redis) {}

  async list(name: string, keys: [string, string]): Promise<VersionList> {
    const [[, records] = [], [, revision] = []] = (await this.redis.multi().hgetallBuffer(keys[0]).hget(keys[1], 'revision').exec()) ?? []
    const versions = Object.entries(records as Record<string, Buffer>)
      .map(([id, record]) => decodeVersion(name, Number(id), new Uint8Array(record.buffer, record.byteOffset, record.byteLength)))
      .sort((a, b) => a.id - b.id)
    return { versions, revision: Number(revision ?? 0) }
  }

  async add(name: string, keys: [string, string, string], version: NewVersion, after: number): Promise<StoredVersion | null> {
    const id = Number(await this.redis.eval(ADD, 3, ...keys, after, buffer(encodeVersion(version)), name))
    return id === 0 ? null : { ...version, id }
  }

  async addAuthors(keys: [string, string], id: number, authors: PresenceUser[]): Promise<boolean> {
    return (await this.redis.eval(ADD_AUTHORS, 1, keys[0], id, JSON.stringify(authors))) === 1
  }

  async thin(name: string, keys: [string, string], drop: number[], rewrite: Array<{ id: number; snapshot: Uint8Array }>, revision: number): Promise<boolean> {
    const { versions } = await this.list(name, keys)
    const byId = new Map(versions.map((v) => [v.id, v]))
    const pairs = rewrite.flatMap(({ id, snapshot }) => {
      const version = byId.get(id)
      return version ? [id, buffer(encodeVersion({ ...version, snapshot }))] : []
    })
    return (await this.redis.eval(THIN, 2, ...keys, revision, drop.length, ...drop, ...pairs)) === 1
  }
}
