import type { Level } from 'level'

/**
 * The LevelDB key layout of documents and their metadata codec, shared by the store and by
 * `quire repair`, which must read the same keys with the store closed.
 *
 * Keys: `m:<name>` for metadata, `u:<name>\0<seq>` for update records, `t:<name>` for the
 * tombstone of a deleted document (`{head, deletedAt}`, see `store.ts`), `s:<name>` for its saved
 * state (see `DocStore.saveState`, encoded by `state-record.ts`), `d:<name>` for why `quire repair`
 * could not read it (see `UNREADABLE`). Names cannot contain control characters, so `\0` ends
 * the name and `\x01` bounds its range; hex sequence numbers padded to 13 digits sort numerically.
 */
export const META = 'm:'
export const META_RANGE = { gte: META, lt: 'm;' }
export const RECORDS_RANGE = { gte: 'u:', lt: 'u;' }
export const metaKey = (name: string) => META + name
export const TOMBSTONE = 't:'
export const TOMBSTONE_RANGE = { gte: TOMBSTONE, lt: 't;' }
export const tombstoneKey = (name: string) => TOMBSTONE + name
export const STATE_RANGE = { gte: 's:', lt: 's;' }
export const stateKey = (name: string) => `s:${name}`
/**
 * The mark `quire repair` leaves on a document it could not read, holding why (UTF-8 text). The
 * mark, not the damaged records, is what keeps the loss known: the store refuses a marked
 * document instead of recounting what is left of it into an empty one, and every later repair
 * lists it again, until `remove` deletes it with the document.
 */
export const UNREADABLE = 'd:'
export const UNREADABLE_RANGE = { gte: UNREADABLE, lt: 'd;' }
export const unreadableKey = (name: string) => UNREADABLE + name
export const recordKey = (name: string, seq: number) => `u:${name}\u0000${seq.toString(16).padStart(13, '0')}`
export const recordRange = (name: string, lte?: number) => ({
  gte: `u:${name}\u0000`,
  ...(lte === undefined ? { lt: `u:${name}\u0001` } : { lte: recordKey(name, lte) }),
})
/** The document a record key belongs to. */
export const recordName = (key: string) => key.slice(2, key.lastIndexOf('\u0000'))
const seqOf = (key: string) => Number.parseInt(key.slice(-13), 16)

/** What is kept per document beside its records; `head` is the last record's sequence number. */
export interface MetaRecord {
  createdAt: number
  updatedAt: number
  bytes: number
  updates: number
  head: number
  /** Head of the document's first record ever (absent in records written before fencing: 0). */
  since?: number
}

/** What a deleted document leaves: its last head (for fencing) and when it was deleted (ms since the epoch). */
export interface Tombstone {
  head: number
  deletedAt: number
  /** Set when the document was renamed rather than deleted. */
  renamedTo?: string
}

const utf8 = new TextEncoder()
const fromUtf8 = new TextDecoder('utf-8', { fatal: true })

export const encodeTombstone = (tombstone: Tombstone) => utf8.encode(JSON.stringify(tombstone))

/** Decodes a tombstone; one that cannot be read is taken as deleted at 0 and head 0 rather than failing the open. */
export function decodeTombstone(value: Uint8Array): Tombstone {
  try {
    const { head, deletedAt, renamedTo } = JSON.parse(fromUtf8.decode(value)) as Partial<Tombstone>
    return { head: typeof head === 'number' ? head : 0, deletedAt: typeof deletedAt === 'number' ? deletedAt : 0, ...(typeof renamedTo === 'string' ? { renamedTo } : {}) }
  } catch {
    return { head: 0, deletedAt: 0 }
  }
}

/** An `UNREADABLE` mark's value: the problem as the repair reported it, so the store can say the same. */
export const encodeProblem = (problem: string) => utf8.encode(problem)
/** Reads an `UNREADABLE` mark's text; bytes that are not UTF-8 still mark the document. */
export const decodeProblem = (value: Uint8Array) => new TextDecoder().decode(value)

export const encodeMeta = (meta: MetaRecord) => utf8.encode(JSON.stringify(meta))

/** Decodes a metadata record; throws naming what is wrong with it. */
export function decodeMeta(value: Uint8Array): MetaRecord {
  const meta = JSON.parse(fromUtf8.decode(value)) as Partial<MetaRecord>
  for (const field of ['createdAt', 'updatedAt', 'bytes', 'updates', 'head'] as const) {
    if (typeof meta[field] !== 'number' || !Number.isFinite(meta[field])) throw new Error(`field ${field} is missing`)
  }
  return meta as MetaRecord
}

/**
 * Metadata is written at most once a second, so after a crash it may lag its records (or, after a
 * failed write, count records that never landed). The last record's number tells: it equals the
 * head exactly when the metadata was written with the last batch. Else the head is recovered (a
 * new record must not take an existing record's key) and the counts are recounted from the
 * records. Returns whether anything changed.
 */
export async function recount(db: Level<string, Uint8Array>, name: string, meta: MetaRecord): Promise<boolean> {
  let last = 0
  for await (const key of db.keys({ ...recordRange(name), reverse: true, limit: 1 })) last = seqOf(key)
  if (last === meta.head) return false
  meta.head = Math.max(meta.head, last)
  meta.updates = 0
  meta.bytes = 0
  for await (const value of db.values(recordRange(name))) {
    meta.updates += 1
    meta.bytes += value.byteLength
  }
  return true
}
