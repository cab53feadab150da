import type { PresenceUser } from '../../shared/presence.js'

/**
 * The narrow interface every document store implements. The sync layer and `docs.ts` import only
 * this file, so the embedded LevelDB store and a distributed one are interchangeable and proven by
 * the same conformance suite (`test/server/store/contract.ts`).
 *
 * A document is an append-only list of Yjs updates. Each append returns a *head*: the sequence
 * number of that record. `compact(name)` merges the records the store holds, read by the store
 * itself, and replaces exactly those records by the merge, so no caller has to promise that its
 * state contains them all, and appends that race with a compaction are never lost (compaction by
 * reference, as y-redis does it).
 *
 * Deletion is fenced by heads that are never reused: a deleted document leaves a tombstone with
 * its last head, and a document created again under that name numbers its records on from there.
 * A writer hands `append` the head it knows the document by (from `load` or its last append), so
 * a writer that has not heard of a deletion gets `StoreError('deleted')` instead of creating the
 * document again with an edit of the old one. Tombstones rather than a separate generation number,
 * because the head is what every writer already tracks: it needs nothing new to carry around.
 * The fence holds from a writer's first answered append on: a writer that creates a document
 * appends with `seen` 0 until then, and those first appends can still create it again.
 * Tombstones are durable and carry the deletion time, so every browser and every restart can tell
 * a deleted document ("start it again", `deletedAt` in the 404) from a name that never existed.
 */
export interface DocStore {
  /**
   * Every stored update of `name`, oldest first, or `null` when there is no such document; with
   * the document's saved state when there is one taken at exactly the head loaded (see `saveState`).
   */
  load(name: string): Promise<StoredDoc | null>
  /**
   * Appends one update; resolves with its head once the store has written it (LevelDB: to the OS,
   * not synced, so a power cut can lose the last moments; Redis: as durable as its `appendonly`
   * setting), and not before, so nothing is relayed that a crash could lose. `seen` is the head of
   * the document as the caller knows it: if that document has been deleted since (and perhaps
   * created again), the append fails with `StoreError('deleted')` and writes nothing. Without
   * `seen` (or 0) the caller knows of no document, and the append creates one if there is none.
   */
  append(name: string, update: Uint8Array, seen?: number): Promise<number>
  /**
   * Merges the stored records of `name` into one, keeping deleted content (for version history to
   * build on; see `merge.ts`), and swaps exactly the records it merged for the result; records
   * appended meanwhile stay after it. `null` when there is no such document.
   */
  compact(name: string): Promise<Compaction | null>
  /**
   * Keeps `state` beside the records of `name`, for `load` to return while the document's head
   * is still `state.head`: an append makes it stale for good, a compaction (which changes no
   * content) does not, and a deletion or rename drops it. Writes nothing when the head has moved
   * on or the document is gone. It is a cache the records can always rebuild, so the caller must
   * vouch that `state` holds exactly the records up to `state.head`, which only a document's sole
   * writer can: a cluster does not save states (see `RoomOptions.saveStates`).
   */
  saveState(name: string, state: DocState): Promise<void>
  /** Metadata of every stored document, sorted by name. */
  list(): Promise<DocMeta[]>
  /** Metadata of one document, or `null` when there is no such document. */
  stat(name: string): Promise<DocMeta | null>
  /** Deletes a document and all its records, leaving a tombstone; `false` when there was none. */
  remove(name: string): Promise<boolean>
  /**
   * When `name` was deleted (and the name it was renamed to, if that is how it went), while it
   * stays deleted: `null` for a document that exists, that never did, or that was created again
   * since (its first append clears the tombstone).
   */
  deleted(name: string): Promise<Deletion | null>
  /**
   * Gives document `from` the name `to`, records, metadata and versions together, in one atomic
   * step, so a rename keeps the history that a copy would lose. `from` is left as after a delete
   * (a tombstone: its writers are fenced and it reads as deleted); a tombstone of `to` goes, and
   * the moved records are numbered on past it, so writers of a deleted `to` stay fenced. Changes
   * nothing and answers `missing` when there is no `from`, `exists` when `to` exists.
   */
  rename(from: string, to: string): Promise<RenameOutcome>
  /** The recorded versions of `name`, oldest first, with the revision of that list (see `thinVersions`). */
  versions(name: string): Promise<VersionList>
  /**
   * Records a version under the next id of `name`, but only if the newest recorded version is still
   * `after` (0: none yet), since a version's snapshot is a delta against its predecessor. Resolves
   * `null` when another writer recorded one first (re-read and decide again) or when there is no
   * such document (it was deleted meanwhile: its versions went with it). The check and the id
   * allocation are one atomic step, so two servers never record the same version twice.
   */
  addVersion(name: string, version: NewVersion, after: number): Promise<StoredVersion | null>
  /**
   * Deletes the versions `drop` and replaces the snapshots of `rewrite` in one atomic step, if the
   * list is still at `revision`; resolves `false` (changing nothing) when it moved on meanwhile.
   */
  thinVersions(name: string, drop: number[], rewrite: Array<{ id: number; snapshot: Uint8Array }>, revision: number): Promise<boolean>
  /**
   * Adds `authors` (those not named yet, by name and color) to version `id`, in one atomic step:
   * for a server whose editors' changes another server recorded first. `false` if there is no
   * such version.
   */
  addVersionAuthors(name: string, id: number, authors: PresenceUser[]): Promise<boolean>
  /** Finishes pending writes and releases the store (for LevelDB: its lock on the data dir). */
  close(): Promise<void>
}

/** What a tombstone tells of a document that is gone. */
export interface Deletion {
  at: Date
  /** The name it lives on under, when it was renamed rather than deleted. */
  renamedTo: string | null
}

/** What `DocStore.rename` did. */
export type RenameOutcome = 'renamed' | 'missing' | 'exists'

/** A version as it is stored; `snapshot` is opaque to the store (see `server/history/`). */
export interface StoredVersion {
  /** Positive, increasing per document, never reused while the document exists. */
  id: number
  /** When it was recorded, in ms since the epoch. */
  at: number
  label: string | null
  /** Recorded by the server itself rather than asked for. */
  auto: boolean
  authors: PresenceUser[]
  snapshot: Uint8Array
}

/** What a caller hands `addVersion`: everything but the id, which the store allocates. */
export type NewVersion = Omit<StoredVersion, 'id'>

/** A document's versions, oldest first, and a revision that changes whenever the list does. */
export interface VersionList {
  versions: StoredVersion[]
  revision: number
}

/** A loaded document: its updates in append order and the head of the last one. */
export interface StoredDoc {
  updates: Uint8Array[]
  head: number
  /** The saved state of exactly these updates, if one was saved at `head` (see `saveState`). */
  state?: DocState
}

/**
 * A document's whole content as the room serves it to a joiner that has nothing yet: one update
 * without deleted content, and its state vector. Saved when a big document closes, so the next
 * opening answers its joiners at once instead of first building the document from its records
 * and encoding it again (for a big document on a freshly started server, most of a join storm).
 */
export interface DocState {
  head: number
  update: Uint8Array
  stateVector: Uint8Array
}

/** What a compaction did, so the caller can pace the next one without reading the records. */
export interface Compaction {
  /** Size of the record the document now starts with (the merge, or the only record there was). */
  bytes: number
  /** How many records it replaced; 0 or 1 means there was nothing to merge and nothing was written. */
  records: number
}

/** What a listing shows of a document, kept by the store so listing never loads content. */
export interface DocMeta {
  name: string
  /** Bytes of stored updates. */
  bytes: number
  /** Number of stored update records (1 right after compaction). */
  updates: number
  createdAt: Date
  updatedAt: Date
}

/** Why a store operation failed: callers map the kind to a close code, HTTP status or exit code. */
export type StoreErrorKind =
  /** One document's records or metadata cannot be decoded; every other document is fine. */
  | 'corrupt'
  /** The store's own files cannot be read (a damaged LevelDB table): `quire repair` is the way out. */
  | 'damaged'
  /** The store cannot be reached or written right now (disk full, Redis down). */
  | 'unavailable'
  /** Another process has the store open (LevelDB admits one): it may let go soon. */
  | 'locked'
  /** The document was deleted by someone this writer has not heard from (deletion fencing). */
  | 'deleted'

/** A store failure that names its document and kind, so the edge can say what went wrong. */
export class StoreError extends Error {
  override name = 'StoreError'
  constructor(
    readonly kind: StoreErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}
