import type * as Y from 'yjs'
import type { VersionInfo } from '../../shared/versions.js'
import type { SyncEvents } from '../sync/events.js'
import type { History } from './history.js'
import { type Clock, VersionPolicy, type VersionTiming } from './policy.js'

/**
 * Records automatic versions of the documents this server edits. It only observes the sync
 * layer's events (emitted after an update is stored and relayed), and records later, on a timer,
 * so the relay path never waits for it. Updates from other instances of a cluster are theirs to
 * version; every instance versions its own editors' edits, and the store's atomic ids keep two of
 * them from recording the same state twice.
 */
export class VersionRecorder {
  private readonly policy: VersionPolicy
  /** The room unloading right now and its stored state, while `policy.left` runs (synchronously). */
  private unloading: { doc: string; stored: Y.Snapshot | null } | null = null
  /** Recordings in progress, one chain per document so they run in order. */
  private readonly running = new Map<string, Promise<void>>()

  constructor(
    events: SyncEvents,
    readonly history: History,
    timing: VersionTiming,
    clock: Clock,
    private readonly onError: (doc: string, error: Error) => void,
  ) {
    this.policy = new VersionPolicy(timing, clock, (doc, authors) => {
      // A version due because the last editor left records the state the room held as it
      // unloaded: reading the document back from the store would cost a load on the event loop.
      const state = this.unloading?.doc === doc ? this.unloading.stored : undefined
      this.enqueue(doc, () => this.history.record(doc, { label: null, auto: true, authors, force: false, ...(state ? { state } : {}) }))
    })
    events.on('doc.update', ({ doc, origin, user }) => origin !== 'cluster' && this.policy.edited(doc, user))
    events.on('doc.unloaded', ({ doc, stored }) => {
      this.unloading = { doc, stored }
      try {
        this.policy.left(doc)
      } finally {
        this.unloading = null
      }
    })
    events.on('doc.removed', ({ doc, renamedTo }) => (renamedTo === undefined ? this.policy.forget(doc) : this.policy.renamed(doc, renamedTo)))
  }

  /**
   * Records a version of `doc` asked for by hand, with the authors of the edits since the last
   * one. With a label it is recorded even when nothing changed; without one, an unchanged
   * document gets no new version and its newest is returned (`null`: no such document).
   */
  async checkpoint(doc: string, label: string | null): Promise<VersionInfo | null> {
    const authors = this.policy.take(doc)
    // Not forced without a label: two servers asked at once must not record one state twice (a
    // stored document always differs from an empty history, so its first version is recorded).
    const recorded = await this.history.record(doc, { label, auto: false, authors, force: label !== null })
    return recorded ?? (await this.history.list(doc))[0] ?? null
  }

  /**
   * Restores version `id` of `doc` (see `History.restore`). The version recorded just before names
   * the authors of the edits since the last one, as any other version does: they are what the
   * restore takes away.
   */
  restore(doc: string, id: number, replace: (base: Y.Doc, target: Y.Doc) => Uint8Array): Promise<VersionInfo | null> {
    return this.history.restore(doc, id, replace, this.policy.take(doc))
  }

  /**
   * Records every pending document now and waits for all recordings: before the store closes at
   * shutdown (and at the end of a CLI command that edited without a server).
   */
  async close(): Promise<void> {
    this.policy.flush()
    while (this.running.size > 0) await Promise.all(this.running.values())
  }

  private enqueue(doc: string, work: () => Promise<unknown>): void {
    const done: Promise<void> = (this.running.get(doc) ?? Promise.resolve())
      .then(work)
      .then(
        () => undefined,
        (error: Error) => this.onError(doc, error),
      )
      .finally(() => {
        if (this.running.get(doc) === done) this.running.delete(doc)
      })
    this.running.set(doc, done)
  }
}
