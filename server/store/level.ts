import { Level } from 'level'
import { LevelVersions } from './level-versions.js'
import { type DocMeta, type DocStore, type NewVersion, StoreError, type StoredDoc, type StoredVersion, type VersionList } from './store.js'

/** What is kept per document beside its records; `head` is the last record's sequence number. */
interface MetaRecord {
  createdAt: number
  updatedAt: number
  bytes: number
  updates: number
  head: number
}

type BatchOp = { type: 'put'; key: string; value: Uint8Array } | { type: 'del'; key: string }

// Keys: `m:<name>` for metadata, `u:<name>\0<seq>` for update records. Names cannot contain
// control characters, so `\0` ends the name and `\x01` bounds its range; hex sequence numbers
// padded to 13 digits sort numerically.
const META = 'm:'
const META_RANGE = { gte: META, lt: 'm;' }
const metaKey = (name: string) => META + name
const recordKey = (name: string, seq: number) => `u:${name}\u0000${seq.toString(16).padStart(13, '0')}`
const recordRange = (name: string, lte?: number) => ({
  gte: `u:${name}\u0000`,
  ...(lte === undefined ? { lt: `u:${name}\u0001` } : { lte: recordKey(name, lte) }),
})
const RECLAIM_MIN_BYTES = 64 * 1024
const META_WRITE_MS = 1000
const utf8 = new TextEncoder()
const fromUtf8 = new TextDecoder('utf-8', { fatal: true })
const metaOp = (name: string, meta: MetaRecord): BatchOp => ({ type: 'put', key: metaKey(name), value: utf8.encode(JSON.stringify(meta)) })

/**
 * The embedded store: one LevelDB directory holding every document as append-only update records
 * plus a small metadata record per document.
 *
 * Writes of one event-loop turn are coalesced into a single LevelDB batch, and batches are written
 * strictly one after another: many clients typing in many documents cost one write per turn, and
 * a compaction can never be overtaken by an older append of the same record key.
 *
 * Metadata of every document is read once at open and then kept in memory, so `list` never touches
 * the disk and `append` can assign sequence numbers synchronously (keeping appends in call order).
 * Documents whose metadata cannot be decoded are remembered as broken: they refuse to load or be
 * written, so unreadable data is never overwritten.
 */
export class LevelStore implements DocStore {
  private readonly meta = new Map<string, MetaRecord>()
  private readonly broken = new Map<string, string>()
  private queued: BatchOp[] = []
  /**
   * Documents whose metadata changed but is not written yet. Metadata is written with the first
   * record of a document and with every compaction, else at most once per `META_WRITE_MS`:
   * writing it with every batch would write it for every keystroke, several times the bytes of
   * the keystroke itself. After a crash, `open` recovers each head from the records themselves.
   */
  private readonly dirtyMeta = new Set<string>()
  private readonly urgentMeta = new Set<string>()
  private readonly metaWrittenAt = new Map<string, number>()
  private metaTimer: NodeJS.Timeout | null = null
  private waiters: Array<{ resolve: () => void; reject: (error: unknown) => void }> = []
  private flushScheduled = false
  private writing: Promise<void> = Promise.resolve()
  /** Bytes of records each document has shed since its key range was last compacted on disk. */
  private readonly garbage = new Map<string, number>()
  private reclaiming: Promise<void> = Promise.resolve()
  private readonly history: LevelVersions

  private constructor(private readonly db: Level<string, Uint8Array>) {
    this.history = new LevelVersions(db)
  }

  /** Opens (creating if needed) the LevelDB store in `dir`; fails if another process holds it. */
  static async open(dir: string): Promise<LevelStore> {
    const db = new Level<string, Uint8Array>(dir, { valueEncoding: 'view' })
    try {
      await db.open()
    } catch (error) {
      const locked = (error as { cause?: { code?: string } }).cause?.code === 'LEVEL_LOCKED'
      throw new StoreError('unavailable', locked ? `data dir ${dir} is in use by another process` : `cannot open data dir ${dir}: ${(error as Error).message}`, { cause: error })
    }
    const store = new LevelStore(db)
    for await (const [key, value] of db.iterator(META_RANGE)) {
      const name = key.slice(META.length)
      try {
        const meta = parseMeta(fromUtf8.decode(value))
        // Metadata may lag its records by up to META_WRITE_MS after a crash; the head must not,
        // or a new record would take an existing record's key.
        for await (const last of db.keys({ ...recordRange(name), reverse: true, limit: 1 })) meta.head = Math.max(meta.head, Number.parseInt(last.slice(-13), 16))
        store.meta.set(name, meta)
      } catch (error) {
        store.broken.set(name, `metadata record is not valid: ${(error as Error).message}`)
      }
    }
    return store
  }

  async load(name: string): Promise<StoredDoc | null> {
    const meta = this.readable(name)
    if (!meta) return null
    await this.writing
    const updates: Uint8Array[] = []
    for await (const value of this.db.values(recordRange(name))) updates.push(value)
    return { updates, head: meta.head }
  }

  async append(name: string, update: Uint8Array): Promise<number> {
    let meta = this.readable(name)
    const now = Date.now()
    if (!meta) {
      meta = { createdAt: now, updatedAt: now, bytes: 0, updates: 0, head: 0 }
      this.meta.set(name, meta)
      this.urgentMeta.add(name)
    }
    meta.head += 1
    meta.updates += 1
    meta.bytes += update.byteLength
    meta.updatedAt = now
    const head = meta.head
    this.dirtyMeta.add(name)
    await this.enqueue({ type: 'put', key: recordKey(name, head), value: update })
    return head
  }

  async compact(name: string, merged: Uint8Array, head: number): Promise<void> {
    const meta = this.readable(name)
    if (!meta) return
    // Records up to `head` are on disk already (a head comes from a resolved append), so they are
    // read while appends go on; only the swap joins the write queue, in order with them.
    const replaced: string[] = []
    let replacedBytes = 0
    for await (const [key, value] of this.db.iterator(recordRange(name, head))) {
      replaced.push(key)
      replacedBytes += value.byteLength
    }
    if (replaced.length === 0 || this.meta.get(name) !== meta) return
    meta.bytes += merged.byteLength - replacedBytes
    meta.updates -= replaced.length - 1
    this.dirtyMeta.add(name)
    this.urgentMeta.add(name)
    // The merged record takes the key of the newest record it replaces, so it still sorts before
    // every record appended after `head`, and one batch swaps them atomically.
    for (const key of replaced) this.queued.push({ type: 'del', key })
    await this.enqueue({ type: 'put', key: recordKey(name, head), value: merged })
    this.reclaim(name, replacedBytes, merged.byteLength)
  }

  /**
   * Deleted records stay in LevelDB's files until its own compaction reaches them. Once a
   * document has shed as many bytes as it holds (and at least `RECLAIM_MIN_BYTES`), its keys are
   * compacted so the disk shrinks too: the garbage on disk stays below the live data, at a cost
   * proportional to what was written.
   */
  private reclaim(name: string, bytes: number, live: number): void {
    const total = (this.garbage.get(name) ?? 0) + bytes
    if (total < Math.max(RECLAIM_MIN_BYTES, live)) {
      this.garbage.set(name, total)
      return
    }
    this.garbage.delete(name)
    // reason: in Node `level` is `classic-level`, which has compactRange; the browser half of its type union hides it.
    const db = this.db as unknown as { compactRange(start: string, end: string): Promise<void> }
    this.reclaiming = this.reclaiming
      .then(() => db.compactRange(`u:${name}\u0000`, `u:${name}\u0001`))
      .then(() => db.compactRange(metaKey(name), `${metaKey(name)}\u0000`))
      // A failed reclaim loses nothing: the garbage stays on disk until LevelDB's own compaction.
      .catch(() => {})
  }

  async list(): Promise<DocMeta[]> {
    return [...this.meta.entries()].map(([name, meta]) => toDocMeta(name, meta)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  }

  async stat(name: string): Promise<DocMeta | null> {
    const meta = this.readable(name)
    return meta ? toDocMeta(name, meta) : null
  }

  remove(name: string): Promise<boolean> {
    if (!this.meta.has(name) && !this.broken.has(name)) return Promise.resolve(false)
    this.meta.delete(name)
    this.broken.delete(name)
    this.metaWrittenAt.delete(name)
    this.garbage.delete(name)
    return this.exclusive(async () => {
      // Records first, metadata last: a crash in between leaves an empty document, never
      // records that a future document of the same name would pick up.
      await this.db.clear(recordRange(name))
      await this.history.remove(name)
      await this.db.del(metaKey(name))
      return true
    })
  }

  versions(name: string): Promise<VersionList> {
    return this.history.list(name)
  }

  addVersion(name: string, version: NewVersion, after: number): Promise<StoredVersion | null> {
    return this.history.add(name, version, after)
  }

  thinVersions(name: string, drop: number[], rewrite: Array<{ id: number; snapshot: Uint8Array }>, revision: number): Promise<boolean> {
    return this.history.thin(name, drop, rewrite, revision)
  }

  async close(): Promise<void> {
    if (this.metaTimer) clearTimeout(this.metaTimer)
    const metas = this.takeMeta(true)
    await this.exclusive(() => this.db.batch(metas))
    await this.reclaiming
    await this.db.close()
  }

  /** Metadata of a document that may be read and written; throws for one known to be broken. */
  private readable(name: string): MetaRecord | undefined {
    const problem = this.broken.get(name)
    if (problem) throw new StoreError('corrupt', `document "${name}": ${problem}`)
    return this.meta.get(name)
  }

  private enqueue(op: BatchOp): Promise<void> {
    this.queued.push(op)
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }))
    if (!this.flushScheduled) {
      this.flushScheduled = true
      // setImmediate runs after the poll phase, so every message read in this turn joins the batch.
      setImmediate(() => this.flush())
    }
    return done
  }

  private flush(): Promise<void> {
    this.flushScheduled = false
    const ops = this.queued
    const waiters = this.waiters
    this.queued = []
    this.waiters = []
    ops.push(...this.takeMeta(false))
    if (ops.length === 0) return this.writing
    this.writing = this.writing.then(() => this.db.batch(ops)).then(
      () => waiters.forEach((w) => w.resolve()),
      (error) => waiters.forEach((w) => w.reject(new StoreError('unavailable', `write failed: ${(error as Error).message}`, { cause: error }))),
    )
    return this.writing
  }

  /** Metadata writes due now (all of them when `all`); the rest wait for the meta timer. */
  private takeMeta(all: boolean): BatchOp[] {
    const ops: BatchOp[] = []
    const now = Date.now()
    for (const name of this.dirtyMeta) {
      const due = all || this.urgentMeta.has(name) || now - (this.metaWrittenAt.get(name) ?? 0) >= META_WRITE_MS
      if (!due) continue
      const meta = this.meta.get(name)
      if (meta) ops.push(metaOp(name, meta))
      this.metaWrittenAt.set(name, now)
      this.dirtyMeta.delete(name)
    }
    this.urgentMeta.clear()
    if (this.dirtyMeta.size > 0 && !this.metaTimer) {
      this.metaTimer = setTimeout(() => {
        this.metaTimer = null
        this.flushScheduled = true
        this.flush()
      }, META_WRITE_MS)
      this.metaTimer.unref()
    }
    return ops
  }

  /** Runs `task` alone, after every write queued before it and before any queued after it. */
  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    this.flush()
    const result = this.writing.then(task)
    this.writing = result.then(
      () => undefined,
      () => undefined,
    )
    return result
  }
}

function parseMeta(value: string): MetaRecord {
  const meta = JSON.parse(value) as Partial<MetaRecord>
  for (const field of ['createdAt', 'updatedAt', 'bytes', 'updates', 'head'] as const) {
    if (typeof meta[field] !== 'number' || !Number.isFinite(meta[field])) throw new Error(`field ${field} is missing`)
  }
  return meta as MetaRecord
}

function toDocMeta(name: string, meta: MetaRecord): DocMeta {
  return { name, bytes: meta.bytes, updates: meta.updates, createdAt: new Date(meta.createdAt), updatedAt: new Date(meta.updatedAt) }
}
