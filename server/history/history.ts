import * as Y from 'yjs'
import type { PresenceUser } from '../../shared/presence.js'
import type { VersionInfo } from '../../shared/versions.js'
import { type DocStore, type StoredVersion, StoreError } from '../store/store.js'
import { replay } from '../sync/replay.js'
import { isEmptyDelta, snapshotDelta, unionOf } from './snapshots.js'
import { versionsToDrop } from './thinning.js'

/** What history needs of the live documents (the rooms): their stored state, and a way to edit. */
export interface LiveDocs {
  /**
   * The snapshot of what the store holds of `name` (never of updates not yet stored, which a
   * crash could lose), or `null` when there is no such document.
   */
  storedSnapshot(name: string): Promise<Y.Snapshot | null>
  /** Applies `update` to `name` as the server's own edit: stored, then relayed live. */
  apply(name: string, update: Uint8Array): Promise<void>
}

/** What a version is recorded with. */
export interface NewVersionRequest {
  label: string | null
  auto: boolean
  authors: PresenceUser[]
  /** Record even when nothing changed since the newest version (named versions, pre-restore). */
  force: boolean
  /** The stored state to record when the caller has it already (a room that just unloaded). */
  state?: Y.Snapshot
}

/** How long the last document rebuilt for reading versions is kept (see `fullDoc`). */
const FULL_DOC_MS = 30_000

/** How many times `record` re-reads and retries when another writer recorded a version first. */
const RECORD_ATTEMPTS = 10

/**
 * Versions of documents: recorded, listed, read and thinned. A version stores only a snapshot of
 * the stored state (as a delta, see `snapshots.ts`); its content is rebuilt from the document's
 * own records, which keep deleted content (compaction merges updates, it never garbage-collects),
 * into a `gc: false` copy that `Y.createDocFromSnapshot` turns back into the document as it was.
 */
export class History {
  private cached: { name: string; head: number; doc: Y.Doc; timer: NodeJS.Timeout } | null = null

  constructor(
    private readonly store: DocStore,
    private readonly live: LiveDocs,
    private readonly now: () => number = Date.now,
    /** Told of every version recorded here (SSE, logs, the cluster). */
    private readonly recorded: (doc: string, version: VersionInfo) => void = () => {},
  ) {}

  /** Versions of `name`, newest first (empty for an unknown document: the caller checks that). */
  async list(name: string): Promise<VersionInfo[]> {
    return (await this.store.versions(name)).versions.map(toInfo).reverse()
  }

  /**
   * Records the stored state of `name` as a version, unless it equals the newest one and `force`
   * is off (then `null`, and the newest one names `authors` too). Another server recording at the same time makes the store refuse this
   * one; it is then decided again against that server's version, so the same state is never
   * recorded twice. An unknown document resolves `null` too.
   */
  async record(name: string, request: NewVersionRequest): Promise<VersionInfo | null> {
    // A state handed in is used once: if the store refuses it, the document moved on (or is gone).
    let given = request.state
    for (let attempt = 0; attempt < RECORD_ATTEMPTS; attempt++, given = undefined) {
      const [state, { versions }] = await Promise.all([given ?? this.live.storedSnapshot(name), this.store.versions(name)])
      if (!state) return null
      const delta = snapshotDelta(unionOf(versions.map(snapshotOf)), state)
      if (isEmptyDelta(delta) && !request.force) {
        // Another server recorded this state first (in a cluster, its editors' pause and ours can
        // end together): the edits of ours it holds are named on it.
        const newest = versions.at(-1)
        if (newest && request.authors.length > 0) await this.store.addVersionAuthors(name, newest.id, request.authors)
        return null
      }
      const { label, auto, authors } = request
      const stored = await this.store.addVersion(name, { at: this.now(), label, auto, authors, snapshot: Y.encodeSnapshot(delta) }, versions.at(-1)?.id ?? 0)
      if (!stored) continue
      const info = toInfo(stored)
      this.recorded(name, info)
      await this.thin(name)
      return info
    }
    throw new Error(`document "${name}": could not record a version (${RECORD_ATTEMPTS} other versions were recorded meanwhile)`)
  }

  /** `name` as it was at version `id` (a fresh doc the caller owns), or `null` for an unknown id. */
  async content(name: string, id: number): Promise<Y.Doc | null> {
    const { versions } = await this.store.versions(name)
    const upTo = versions.findIndex((v) => v.id === id)
    if (upTo < 0) return null
    return this.docAt(name, unionOf(versions.slice(0, upTo + 1).map(snapshotOf)))
  }

  /**
   * Makes the content of `name` that of version `id`, after recording the content just before as
   * a version (with `authors`, those of the edits since the previous one), which it returns
   * (`null` for an unknown id). The edit is computed against exactly
   * the state that version holds, so edits that land meanwhile merge with it like any concurrent
   * edit and are never overwritten unseen.
   */
  async restore(name: string, id: number, replace: (base: Y.Doc, target: Y.Doc) => Uint8Array, authors: PresenceUser[] = []): Promise<VersionInfo | null> {
    const target = await this.content(name, id)
    if (!target) return null
    try {
      const before = await this.record(name, { label: `Before restoring version ${id}`, auto: true, authors, force: true })
      if (!before) return null
      const base = await this.content(name, before.id)
      if (!base) return null
      try {
        await this.live.apply(name, replace(base, target))
      } finally {
        base.destroy()
      }
      return before
    } finally {
      target.destroy()
    }
  }

  /** Drops versions the thinning rules no longer keep, folding each one's delta into its successor. */
  async thin(name: string): Promise<void> {
    const { versions, revision } = await this.store.versions(name)
    const drop = new Set(versionsToDrop(versions, this.now()))
    if (drop.size === 0) return
    const rewrite: Array<{ id: number; snapshot: Uint8Array }> = []
    let carried: Y.Snapshot[] = []
    for (const version of versions) {
      if (drop.has(version.id)) carried.push(snapshotOf(version))
      else if (carried.length > 0) {
        rewrite.push({ id: version.id, snapshot: Y.encodeSnapshot(unionOf([...carried, snapshotOf(version)])) })
        carried = []
      }
    }
    // A `false` means another server changed the list meanwhile; the next version thins again.
    await this.store.thinVersions(name, [...drop], rewrite, revision)
  }

  private async docAt(name: string, snapshot: Y.Snapshot): Promise<Y.Doc | null> {
    const full = await this.fullDoc(name)
    if (!full) return null
    try {
      return Y.createDocFromSnapshot(full, snapshot)
    } catch (error) {
      throw new StoreError('corrupt', `document "${name}": its records no longer hold this version (${(error as Error).message})`, { cause: error })
    }
  }

  /**
   * Every stored record of `name` in a `gc: false` doc. Rebuilding it costs what loading the
   * document costs, and a preview or a diff reads two versions at once, so the last one is kept
   * for `FULL_DOC_MS` while no record is added (the head says so).
   */
  private async fullDoc(name: string): Promise<Y.Doc | null> {
    const stored = await this.store.load(name)
    if (!stored) return null
    if (this.cached?.name === name && this.cached.head === stored.head) return this.cached.doc
    const doc = new Y.Doc({ gc: false })
    replay(doc, name, stored.updates)
    this.forget()
    this.cached = { name, head: stored.head, doc, timer: setTimeout(() => this.forget(), FULL_DOC_MS).unref() }
    return doc
  }

  // The doc is dropped, not destroyed: a read that got it just before may still be using it.
  private forget(): void {
    if (this.cached) clearTimeout(this.cached.timer)
    this.cached = null
  }
}

function snapshotOf(version: StoredVersion): Y.Snapshot {
  return Y.decodeSnapshot(version.snapshot)
}

function toInfo({ id, at, label, auto, authors }: StoredVersion): VersionInfo {
  return { id, at: new Date(at).toISOString(), label, auto, authors }
}
