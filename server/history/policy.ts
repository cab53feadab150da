import type { PresenceUser } from '../../shared/presence.js'

/** Time as the policy sees it: the real clock in the server, a hand-driven one in tests. */
export interface Clock {
  now(): number
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

/** The system clock; its timers never keep a stopping process alive. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
}

/** When automatic versions are due (`--version-idle`, `--version-every`). */
export interface VersionTiming {
  /** A version is recorded once a document has had no edit for this long. */
  idleMs: number
  /** ...and at least this often while edits go on without such a pause. */
  everyMs: number
}

interface Pending {
  authors: Map<string, PresenceUser>
  /** When the last edit came: the idle timer, once it fires, waits out what is left from there. */
  lastEdit: number
  idle: unknown
  every: unknown
}

/**
 * Decides when a document's automatic version is due; it records nothing itself (`due` does).
 * A document with edits since its last version is *pending*: it is due once editing pauses for
 * `idleMs`, once `everyMs` has passed since its first pending edit, or when its last editor
 * leaves, whichever comes first. A document without edits is never due, so nothing is recorded
 * when nothing changed. `due` gets the authors of the pending edits, each once.
 */
export class VersionPolicy {
  private readonly pending = new Map<string, Pending>()

  constructor(
    private readonly timing: VersionTiming,
    private readonly clock: Clock,
    private readonly due: (doc: string, authors: PresenceUser[]) => void,
  ) {}

  /**
   * An edit of `doc` was stored; `user` is its author when known (not for imports). Called for
   * every stored update, so it only notes the time: re-arming the idle timer on each one cost a
   * timer's removal and creation per keystroke, a third of what storing the edit costs.
   */
  edited(doc: string, user: PresenceUser | null): void {
    const now = this.clock.now()
    let pending = this.pending.get(doc)
    if (!pending) {
      pending = { authors: new Map(), lastEdit: now, idle: null, every: this.clock.setTimeout(() => this.fire(doc), this.timing.everyMs) }
      pending.idle = this.clock.setTimeout(() => this.idleCheck(doc), this.timing.idleMs)
      this.pending.set(doc, pending)
    }
    pending.lastEdit = now
    if (user) pending.authors.set(`${user.name}\u0000${user.color}`, user)
  }

  /** The last editor of `doc` left: its pending edits are due now. */
  left(doc: string): void {
    this.fire(doc)
  }

  /**
   * `from` was renamed `to`, its versions with it, and its editors were closed: its pending edits
   * are due now, as when the last editor leaves, but under the name its history now has. Without
   * this they were forgotten as if deleted, and the next version of `to` held them unattributed.
   */
  renamed(from: string, to: string): void {
    this.fire(from, to)
  }

  /** `doc` was deleted: its pending edits have nothing left to be recorded in. */
  forget(doc: string): void {
    const pending = this.pending.get(doc)
    if (pending) this.cancel(doc, pending)
  }

  /**
   * The authors of `doc`'s pending edits, which are no longer pending: a version asked for by
   * hand (a checkpoint) records them instead of the next automatic one.
   */
  take(doc: string): PresenceUser[] {
    const pending = this.pending.get(doc)
    if (!pending) return []
    this.cancel(doc, pending)
    return [...pending.authors.values()]
  }

  /** Makes every pending document due now (the server is stopping). */
  flush(): void {
    for (const doc of [...this.pending.keys()]) this.fire(doc)
  }

  /** Whether `doc` has edits no version holds yet. */
  isPending(doc: string): boolean {
    return this.pending.has(doc)
  }

  /** The idle timer fired: `doc` is due if no edit came since, else the timer waits out the rest. */
  private idleCheck(doc: string): void {
    const pending = this.pending.get(doc)
    if (!pending) return
    const rest = pending.lastEdit + this.timing.idleMs - this.clock.now()
    if (rest > 0) pending.idle = this.clock.setTimeout(() => this.idleCheck(doc), rest)
    else this.fire(doc)
  }

  /** Makes `doc`'s pending edits due, as a version of `recordAs` (its new name, after a rename). */
  private fire(doc: string, recordAs = doc): void {
    const pending = this.pending.get(doc)
    if (!pending) return
    this.cancel(doc, pending)
    this.due(recordAs, [...pending.authors.values()])
  }

  private cancel(doc: string, pending: Pending): void {
    this.clock.clearTimeout(pending.idle)
    this.clock.clearTimeout(pending.every)
    this.pending.delete(doc)
  }
}
