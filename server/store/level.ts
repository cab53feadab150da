import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { Level } from 'level'
import type { PresenceUser } from '../../shared/presence.js'
import { decodePosition, encodePosition, JOURNAL_POSITION_KEY, Journal, type JournalEntry, type JournalPosition } from './level-journal.js'
import {
  decodeMeta,
  decodeProblem,
  decodeTombstone,
  encodeMeta,
  encodeTombstone,
  META,
  META_RANGE,
  type MetaRecord,
  metaKey,
  recordKey,
  recordRange,
  recount,
  stateKey,
  TOMBSTONE,
  TOMBSTONE_RANGE,
  type Tombstone,
  tombstoneKey,
  UNREADABLE,
  UNREADABLE_RANGE,
  unreadableKey,
} from './level-keys.js'
import { LevelVersions } from './level-versions.js'
import { merger } from './merger.js'
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

type BatchOp = { type: 'put'; key: string; value: Uint8Array } | { type: 'del'; key: string }

/** How a compaction changes a document's counts; undone if its batch fails, hidden from listings until it lands. */
interface Delta {
  name: string
  meta: MetaRecord
  updates: number
  bytes: number
}

const RECLAIM_MIN_BYTES = 64 * 1024
const META_WRITE_MS = 1000
/** How long journaled writes wait for more before they go to LevelDB together (see `endTurn`). */
const BATCH_WINDOW_MS = 5
/** The journal's file in the store's directory (LevelDB leaves names it does not know alone). */
export const JOURNAL_FILE = 'JOURNAL'
/** Past this size, the journal starts anew with only the entries LevelDB may still lack. */
const JOURNAL_ROTATE_BYTES = 1024 * 1024
const metaOp = (name: string, meta: MetaRecord): BatchOp => ({ type: 'put', key: metaKey(name), value: encodeMeta(meta) })

/**
 * LevelDB's errors for files it cannot read (a damaged or truncated table or manifest) as one
 * `StoreError` that says what to do (the README promises that line); `null` for any other error.
 */
function damagedStore(error: unknown, dir: string, repairCommand: string): StoreError | null {
  const code = (error as { code?: unknown }).code
  if (code !== 'LEVEL_CORRUPTION' && code !== 'LEVEL_IO_ERROR') return null
  return new StoreError('damaged', `the LevelDB store in ${dir} is damaged (${(error as Error).message}): stop quire, back up the data dir, then run: ${repairCommand}`, { cause: error })
}

/**
 * The embedded store: one LevelDB directory holding every document as append-only update records
 * plus a small metadata record per document.
 *
 * An append is stored once the journal has it (`level-journal.ts`): the appends of one event-loop
 * turn are written there with one synchronous `write`, and answered. They reach LevelDB in the
 * next batch: the writes of `BATCH_WINDOW_MS` are coalesced into a single LevelDB batch, and
 * batches are written strictly one after another, so many clients typing in many documents cost
 * one LevelDB write per window, and a compaction can never be overtaken by an older append of the
 * same record key. Reads of records (`load`, `compact`) wait until the batches queued before them
 * have landed.
 *
 * A batch that carries journaled appends and fails stops the store: every later call fails with
 * `StoreError('unavailable')`, since a later batch would record a journal position past appends
 * LevelDB does not have. Nothing acknowledged is lost: the next open writes them from the journal.
 *
 * Metadata of every document is read once at open and then kept in memory, so `list` never touches
 * the disk and `append` can assign sequence numbers synchronously (keeping appends in call order).
 * A compaction's counts show in listings once its batch lands, and a failed compaction takes them
 * back. Where the metadata on disk may be stale (a crash between a record and its metadata),
 * `open` recounts it from the records.
 * Documents whose metadata cannot be decoded, and those `quire repair` marked as unreadable (see
 * `UNREADABLE`), are remembered as broken: they are not listed and refuse to load or be written,
 * so unreadable data is never overwritten, nor served as an empty document; `remove` deletes them.
 */
export class LevelStore implements DocStore {
  private readonly meta = new Map<string, MetaRecord>()
  private readonly broken = new Map<string, string>()
  private queued: BatchOp[] = []
  /** Count changes of the queued ops, which land (or fail) with them. */
  private queuedDeltas: Delta[] = []
  /** Per document (incarnation), the count changes not on disk yet: queued or being written. */
  private readonly unlanded = new Map<MetaRecord, { updates: number; bytes: number }>()
  /**
   * Documents whose metadata changed but is not written yet. Metadata is written with the first
   * record of a document and with every compaction, else at most once per `META_WRITE_MS`:
   * writing it with every batch would write it for every keystroke, several times the bytes of
   * the keystroke itself. After a crash, `open` recounts metadata that lags its records.
   */
  private readonly dirtyMeta = new Set<string>()
  private readonly urgentMeta = new Set<string>()
  private readonly metaWrittenAt = new Map<string, number>()
  private metaTimer: NodeJS.Timeout | null = null
  private waiters: Array<{ resolve: () => void; reject: (error: unknown) => void }> = []
  /** Appends not yet in the journal, and their callers. */
  private unjournaled: JournalEntry[] = []
  private journalWaiters: Array<{ resolve: () => void; reject: (error: unknown) => void }> = []
  /** Appends queued for the next batch: a failed batch that carried any stops the store. */
  private queuedAppends = 0
  /** Why the store stopped (see the class comment); `null` while it works. */
  private failure: StoreError | null = null
  private flushScheduled = false
  private batchTimer: NodeJS.Timeout | null = null
  private writing: Promise<void> = Promise.resolve()
  /** Batches handed to LevelDB, or chained behind one, that have not landed yet. */
  private inFlight = 0
  /** Writes queued while a batch was in flight go out together as soon as the batches land. */
  private flushWhenLanded = false
  /** Bytes of records each document has shed since its key range was last compacted on disk. */
  private readonly garbage = new Map<string, number>()
  private reclaiming: Promise<void> = Promise.resolve()
  /**
   * The tombstone of each deleted document (see deletion fencing in `store.ts`), read at open.
   * They are stored, not only kept here, so that after a restart a deleted document is still told
   * apart from one that never existed, and one created again still numbers on past its old head.
   */
  private readonly tombstones = new Map<string, Tombstone>()
  /** The compaction running per document; the next one of the same document waits for it. */
  private readonly compactions = new Map<string, Promise<void>>()
  private readonly history: LevelVersions

  private constructor(
    private readonly db: Level<string, Uint8Array>,
    private readonly dir: string,
    private readonly repairCommand: string,
    private readonly journal: Journal,
  ) {
    this.history = new LevelVersions(db)
  }

  /**
   * Whether `dir` holds a LevelDB store (its `CURRENT` file names the live manifest), so a command
   * that only reads can refuse a mistyped directory instead of creating a store in it.
   */
  static exists(dir: string): boolean {
    return existsSync(join(dir, 'CURRENT'))
  }

  /**
   * Opens (creating if needed) the LevelDB store in `dir`; fails if another process holds it, and
   * with `StoreError('damaged')` naming `repairCommand` when LevelDB cannot read its own files.
   */
  static async open(dir: string, repairCommand = 'quire repair'): Promise<LevelStore> {
    const db = new Level<string, Uint8Array>(dir, { valueEncoding: 'view' })
    try {
      await db.open()
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause
      // A manifest LevelDB cannot read is damage; an I/O error here may be a permission instead.
      const damage = cause?.code === 'LEVEL_CORRUPTION' ? damagedStore(cause, dir, repairCommand) : null
      if (damage) throw damage
      throw cause?.code === 'LEVEL_LOCKED'
        ? new StoreError('locked', `data dir ${dir} is in use by another process`, { cause: error })
        : new StoreError('unavailable', `cannot open data dir ${dir}: ${(error as Error).message}`, { cause: error })
    }
    let opened: { journal: Journal; pending: JournalEntry[] }
    try {
      opened = Journal.open(join(dir, JOURNAL_FILE), decodePosition(await db.get(JOURNAL_POSITION_KEY)))
    } catch (error) {
      await db.close().catch(() => {})
      // The position is a LevelDB key: the table holding it may be the damaged one.
      throw damagedStore(error, dir, repairCommand) ?? new StoreError('unavailable', `cannot open the journal in ${dir}: ${(error as Error).message}`, { cause: error })
    }
    const store = new LevelStore(db, dir, repairCommand, opened.journal)
    try {
      await store.readMeta()
      store.replay(opened.pending)
      await store.flush()
    } catch (error) {
      opened.journal.close()
      await db.close().catch(() => {})
      throw store.damaged(error) ?? error
    }
    // LevelDB holds every entry now, and appending behind a torn tail would hide what follows it.
    opened.journal.reset()
    return store
  }

  /**
   * Queues again the appends a crash kept out of LevelDB: those past the position its last batch
   * recorded. One LevelDB already has (after `quire repair`, say) is never written over.
   */
  private replay(entries: JournalEntry[]): void {
    for (const { name, seq, update } of entries) {
      if (this.broken.has(name)) continue
      const meta = this.meta.get(name)
      if (meta && seq <= meta.head) continue
      this.place(name, meta, update, seq)
    }
  }

  private async readMeta(): Promise<void> {
    for await (const [key, value] of this.db.iterator(UNREADABLE_RANGE)) {
      this.broken.set(key.slice(UNREADABLE.length), `quire repair could not read it (${decodeProblem(value)}): restore it from a backup or delete it with quire rm`)
    }
    for await (const [key, value] of this.db.iterator(META_RANGE)) {
      const name = key.slice(META.length)
      // Left as the repair found it: recounting what is left would make it a smaller document.
      if (this.broken.has(name)) continue
      let meta: MetaRecord
      try {
        meta = decodeMeta(value)
      } catch (error) {
        this.broken.set(name, `metadata record is not valid: ${(error as Error).message}`)
        continue
      }
      this.meta.set(name, meta)
      if (await recount(this.db, name, meta)) {
        this.dirtyMeta.add(name)
        this.urgentMeta.add(name)
      }
    }
    for await (const [key, value] of this.db.iterator(TOMBSTONE_RANGE)) this.tombstones.set(key.slice(TOMBSTONE.length), decodeTombstone(value))
  }

  /** `damagedStore` for this store. */
  private damaged(error: unknown): StoreError | null {
    return damagedStore(error, this.dir, this.repairCommand)
  }

  /** Reads all of `entries`, reporting unreadable files as `damaged`. */
  private async read<T>(entries: AsyncIterable<T>): Promise<T[]> {
    const all: T[] = []
    try {
      for await (const entry of entries) all.push(entry)
    } catch (error) {
      throw this.damaged(error) ?? error
    }
    return all
  }

  async load(name: string): Promise<StoredDoc | null> {
    const meta = this.readable(name)
    if (!meta) return null
    // The records up to the head handed out so far, once the queued ones among them are written.
    const head = meta.head
    await this.drain()
    const [updates, saved] = await Promise.all([this.read(this.db.values(recordRange(name, head))), this.db.get(stateKey(name))])
    const state = saved === undefined ? null : decodeStateAt(saved, head)
    return state ? { updates, head, state } : { updates, head }
  }

  async saveState(name: string, state: DocState): Promise<void> {
    if (this.failure) throw this.failure
    // Checked now, in order with the appends: one queued after this point makes the state stale.
    if (this.meta.get(name)?.head !== state.head) return
    await this.enqueue({ type: 'put', key: stateKey(name), value: encodeState(state) })
  }

  async append(name: string, update: Uint8Array, seen = 0): Promise<number> {
    const meta = this.readable(name)
    if (seen > 0 && (!meta || (meta.since ?? 0) > seen)) throw new StoreError('deleted', `document "${name}" was deleted`)
    const head = this.place(name, meta, update, null)
    this.unjournaled.push({ name, seq: head, update })
    this.queuedAppends += 1
    await new Promise<void>((resolve, reject) => {
      this.journalWaiters.push({ resolve, reject })
      this.schedule()
    })
    return head
  }

  /**
   * Counts `update` as the document's next record (or as record `seq`, replaying the journal) and
   * queues it for the next batch, creating the document if there is none; returns its head.
   */
  private place(name: string, existing: MetaRecord | undefined, update: Uint8Array, seq: number | null): number {
    const now = Date.now()
    let meta = existing
    if (!meta) {
      const tombstone = this.tombstones.get(name)
      const last = tombstone?.head ?? 0
      meta = { createdAt: now, updatedAt: now, bytes: 0, updates: 0, head: last, since: last + 1 }
      this.meta.set(name, meta)
      // Created again: the tombstone goes in the same batch as the first record.
      if (tombstone) this.queued.push({ type: 'del', key: tombstoneKey(name) })
      this.tombstones.delete(name)
      this.urgentMeta.add(name)
    }
    meta.head = seq ?? meta.head + 1
    meta.updatedAt = now
    meta.updates += 1
    meta.bytes += update.byteLength
    this.dirtyMeta.add(name)
    this.queued.push({ type: 'put', key: recordKey(name, meta.head), value: update })
    return meta.head
  }

  compact(name: string): Promise<Compaction | null> {
    // One compaction of a document at a time: a second one would read records the first is
    // about to replace, and write them back.
    const run = (this.compactions.get(name) ?? Promise.resolve()).then(() => this.compactOnce(name))
    const tracked = run.then(
      () => undefined,
      () => undefined,
    )
    this.compactions.set(name, tracked)
    void tracked.then(() => {
      if (this.compactions.get(name) === tracked) this.compactions.delete(name)
    })
    return run
  }

  private async compactOnce(name: string): Promise<Compaction | null> {
    const meta = this.readable(name)
    if (!meta) return null
    // Every record up to the current head is queued already; once it is written, those records
    // are read while appends go on, and only the swap joins the write queue, in order with them.
    const head = meta.head
    await this.drain()
    const entries = await this.read(this.db.iterator(recordRange(name, head)))
    const keys = entries.map(([key]) => key)
    const records = entries.map(([, value]) => value)
    const replacedBytes = records.reduce((sum, record) => sum + record.byteLength, 0)
    const last = keys.at(-1)
    if (keys.length <= 1 || last === undefined) return { bytes: replacedBytes, records: keys.length }
    const merged = await merger.merge(name, records)
    // Deleted (and maybe created again) while the records were read: nothing of it to replace.
    if (this.meta.get(name) !== meta) return null
    this.count(name, meta, 1 - keys.length, merged.byteLength - replacedBytes)
    this.dirtyMeta.add(name)
    this.urgentMeta.add(name)
    // The merge takes the key of the newest record it replaces, so it still sorts before every
    // record appended since, and one batch swaps exactly the records read, atomically.
    for (const key of keys) this.queued.push({ type: 'del', key })
    await this.enqueue({ type: 'put', key: last, value: merged })
    this.reclaim(name, replacedBytes, merged.byteLength)
    return { bytes: merged.byteLength, records: keys.length }
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
    return [...this.meta.entries()].map(([name, meta]) => this.landed(name, meta)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  }

  async stat(name: string): Promise<DocMeta | null> {
    const meta = this.readable(name)
    return meta ? this.landed(name, meta) : null
  }

  /** What a listing shows: the counts of what is on disk, not of a compaction still queued. */
  private landed(name: string, meta: MetaRecord): DocMeta {
    const ahead = this.unlanded.get(meta)
    return { name, bytes: meta.bytes - (ahead?.bytes ?? 0), updates: meta.updates - (ahead?.updates ?? 0), createdAt: new Date(meta.createdAt), updatedAt: new Date(meta.updatedAt) }
  }

  /** Changes the counts of a document for a compaction queued now. */
  private count(name: string, meta: MetaRecord, updates: number, bytes: number): void {
    meta.updates += updates
    meta.bytes += bytes
    this.queuedDeltas.push({ name, meta, updates, bytes })
    const ahead = this.unlanded.get(meta) ?? { updates: 0, bytes: 0 }
    ahead.updates += updates
    ahead.bytes += bytes
    this.unlanded.set(meta, ahead)
  }

  /** A batch landed (or failed, then its counts are taken back and the metadata written again). */
  private settle(deltas: Delta[], failed: boolean): void {
    for (const { name, meta, updates, bytes } of deltas) {
      const ahead = this.unlanded.get(meta)
      if (ahead) {
        ahead.updates -= updates
        ahead.bytes -= bytes
        if (ahead.updates === 0 && ahead.bytes === 0) this.unlanded.delete(meta)
      }
      if (!failed) continue
      meta.updates -= updates
      meta.bytes -= bytes
      if (this.meta.get(name) !== meta) continue
      this.dirtyMeta.add(name)
      this.urgentMeta.add(name)
    }
    if (failed) this.scheduleMeta()
  }

  remove(name: string): Promise<boolean> {
    if (this.failure) return Promise.reject(this.failure)
    const meta = this.meta.get(name)
    if (!meta && !this.broken.has(name)) return Promise.resolve(false)
    const tombstone = this.bury(name, meta?.head ?? 0)
    this.broken.delete(name)
    return this.exclusive(async () => {
      // Records first, metadata last: a crash in between leaves an empty document, never
      // records that a future document of the same name would pick up.
      await this.db.clear(recordRange(name))
      await this.history.remove(name)
      await this.db.batch([
        { type: 'del', key: stateKey(name) },
        { type: 'del', key: metaKey(name) },
        { type: 'del', key: unreadableKey(name) },
        { type: 'put', key: tombstoneKey(name), value: encodeTombstone(tombstone) },
      ])
      return true
    })
  }

  /** Forgets `name` in memory at once (a removal or rename is under way), leaving its tombstone. */
  private bury(name: string, head: number, renamedTo?: string): Tombstone {
    const tombstone: Tombstone = { head, deletedAt: Date.now(), ...(renamedTo === undefined ? {} : { renamedTo }) }
    this.tombstones.set(name, tombstone)
    this.meta.delete(name)
    this.dirtyMeta.delete(name)
    this.metaWrittenAt.delete(name)
    this.garbage.delete(name)
    return tombstone
  }

  rename(from: string, to: string): Promise<RenameOutcome> {
    const source = this.readable(from)
    if (!source) return Promise.resolve('missing')
    if (this.readable(to)) return Promise.resolve('exists')
    // The names change hands now, so every append and load from here on sees the rename; the
    // records move in the exclusive step, after every write queued before it.
    const base = this.tombstones.get(to)?.head ?? 0
    const moved: MetaRecord = { createdAt: source.createdAt, updatedAt: source.updatedAt, bytes: source.bytes, updates: source.updates, head: base + source.updates, since: base + 1 }
    const left = this.bury(from, source.head, to)
    this.meta.set(to, moved)
    this.tombstones.delete(to)
    return this.exclusive(async () => {
      // `source.updates` counted exactly these records (queued ones included, written by now).
      const records = await this.read(this.db.iterator(recordRange(from)))
      await this.history.move(from, to, (versions) =>
        this.db.batch([
          ...records.flatMap(([key, value], i): BatchOp[] => [
            { type: 'del', key },
            { type: 'put', key: recordKey(to, base + i + 1), value },
          ]),
          ...versions,
          // The records are numbered anew, so no saved state is taken at their head any more.
          { type: 'del', key: stateKey(from) },
          { type: 'del', key: stateKey(to) },
          { type: 'del', key: metaKey(from) },
          metaOp(to, moved),
          { type: 'put', key: tombstoneKey(from), value: encodeTombstone(left) },
          { type: 'del', key: tombstoneKey(to) },
        ]),
      )
      return 'renamed' as const
    })
  }

  async deleted(name: string): Promise<Deletion | null> {
    const tombstone = this.tombstones.get(name)
    return tombstone && !this.meta.has(name) ? { at: new Date(tombstone.deletedAt), renamedTo: tombstone.renamedTo ?? null } : null
  }

  versions(name: string): Promise<VersionList> {
    return this.history.list(name)
  }

  addVersion(name: string, version: NewVersion, after: number): Promise<StoredVersion | null> {
    return this.history.add(name, version, after, () => this.meta.has(name))
  }

  thinVersions(name: string, drop: number[], rewrite: Array<{ id: number; snapshot: Uint8Array }>, revision: number): Promise<boolean> {
    return this.history.thin(name, drop, rewrite, revision)
  }

  addVersionAuthors(name: string, id: number, authors: PresenceUser[]): Promise<boolean> {
    return this.history.addAuthors(name, id, authors)
  }

  async close(): Promise<void> {
    // A compaction started before close still reads and swaps; it settles either way.
    await Promise.all(this.compactions.values())
    if (this.metaTimer) clearTimeout(this.metaTimer)
    if (!this.failure) {
      const metas = this.takeMeta(true)
      await this.exclusive(() => this.db.batch(metas))
    }
    await this.reclaiming
    // A stopped store leaves its journal as it is, for the next open to write to LevelDB.
    if (!this.failure) this.journal.reset()
    this.journal.close()
    await this.db.close()
  }

  /** Metadata of a document that may be read and written; throws for one known to be broken. */
  private readable(name: string): MetaRecord | undefined {
    if (this.failure) throw this.failure
    const problem = this.broken.get(name)
    if (problem) throw new StoreError('corrupt', `document "${name}": ${problem}`)
    return this.meta.get(name)
  }

  /** Queues `op` for the next batch; resolves once the batch has landed. */
  private enqueue(op: BatchOp): Promise<void> {
    this.queued.push(op)
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }))
    this.schedule()
    return done
  }

  /** Ends the turn with `endTurn`: setImmediate runs after the poll phase, so every message read in this turn is in. */
  private schedule(): void {
    if (this.flushScheduled) return
    this.flushScheduled = true
    setImmediate(this.endTurn)
  }

  private readonly endTurn = (): void => {
    this.flushScheduled = false
    this.writeJournal()
    // The appends are stored now. LevelDB takes them a few milliseconds later, with everything
    // written meanwhile: a batch costs the event loop some 50 µs however few its ops (LevelDB's
    // checks and the copy of every op into its batch), and one per turn held three records on a
    // busy server and took a seventh of its CPU. Later also means after the appends just answered
    // are relayed.
    this.batchTimer ??= setTimeout(this.flushLater, BATCH_WINDOW_MS)
  }

  private readonly flushLater = (): void => {
    this.batchTimer = null
    // While a batch is being written, the writes queued meanwhile go out together when it lands
    // (group commit), one batch behind the other.
    if (this.inFlight > 0) this.flushWhenLanded = true
    else void this.flush()
  }

  /** Writes the appends made since the last call to the journal and answers them: they are stored. */
  private writeJournal(): void {
    const entries = this.unjournaled
    const waiters = this.journalWaiters
    if (entries.length === 0) return
    this.unjournaled = []
    this.journalWaiters = []
    try {
      if (this.failure) throw this.failure
      this.journal.append(entries)
    } catch (error) {
      this.stop(error)
      for (const w of waiters) w.reject(this.failure)
      return
    }
    for (const w of waiters) w.resolve()
  }

  /** Stops the store for good (see the class comment), keeping the first reason. */
  private stop(error: unknown): void {
    this.failure ??=
      error instanceof StoreError
        ? error
        : new StoreError('unavailable', `write failed: ${(error as Error).message}; restart quire, which writes every stored update from the journal to LevelDB`, { cause: error })
  }

  /**
   * Writes what is queued as one batch, after the batches before it. The appends in it are
   * journaled first, and the batch records the journal's position with them: so at open, the
   * journal entries past the position LevelDB holds are exactly the ones it lacks.
   */
  private flush(): Promise<void> {
    if (this.batchTimer) clearTimeout(this.batchTimer)
    this.batchTimer = null
    this.writeJournal()
    this.flushWhenLanded = false
    const ops = this.queued
    const waiters = this.waiters
    const deltas = this.queuedDeltas
    const appends = this.queuedAppends
    this.queued = []
    this.waiters = []
    this.queuedDeltas = []
    this.queuedAppends = 0
    if (this.failure) {
      for (const w of waiters) w.reject(this.failure)
      return this.writing
    }
    ops.push(...this.takeMeta(false))
    if (ops.length === 0) return this.writing
    const position = this.journal.position
    ops.push({ type: 'put', key: JOURNAL_POSITION_KEY, value: encodePosition(position) })
    this.inFlight += 1
    this.writing = this.writing
      .then(() => this.db.batch(ops))
      .then(
        () => {
          this.settle(deltas, false)
          for (const w of waiters) w.resolve()
          this.batchDone(position)
        },
        (error) => {
          this.settle(deltas, true)
          const failure = this.damaged(error) ?? new StoreError('unavailable', `write failed: ${(error as Error).message}`, { cause: error })
          if (appends > 0) this.stop(failure)
          for (const w of waiters) w.reject(failure)
          this.batchDone(null)
        },
      )
    return this.writing
  }

  /** Resolves once everything queued so far is in LevelDB; rejects if the store stopped instead. */
  private async drain(): Promise<void> {
    await this.flush()
    if (this.failure) throw this.failure
  }

  /**
   * A batch landed (`landed` is the journal position it recorded) or failed (`null`): once none is
   * left, what was queued meanwhile goes out, and a grown journal drops what LevelDB now holds.
   */
  private batchDone(landed: JournalPosition | null): void {
    this.inFlight -= 1
    if (this.inFlight === 0 && this.flushWhenLanded) void this.flush()
    const now = this.journal.position
    if (landed && !this.failure && landed.generation === now.generation && now.offset >= JOURNAL_ROTATE_BYTES) this.journal.rotate(landed.offset)
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
    this.scheduleMeta()
    return ops
  }

  /** Writes the metadata that is still dirty within `META_WRITE_MS`, if no batch takes it first. */
  private scheduleMeta(): void {
    if (this.dirtyMeta.size === 0 || this.metaTimer) return
    this.metaTimer = setTimeout(() => {
      this.metaTimer = null
      void this.flush()
    }, META_WRITE_MS)
    this.metaTimer.unref()
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
