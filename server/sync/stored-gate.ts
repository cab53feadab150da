/**
 * Lets a room answer readers (a joiner's sync step 2, an API read, a server-side edit) only with
 * what is stored, without starving them while writers type non-stop.
 *
 * The doc takes an update before its append lands, so it is usually a little ahead of the store.
 * When a reader comes while appends are in flight, the gate closes: updates received from then on
 * are queued, not applied, so the doc stops moving. Once the appends in flight have landed the doc
 * equals the stored state; every waiting reader is served from it, and then the queued updates are
 * applied in the order they came. A reader waits for at most one round of appends, however busy
 * the document, and nothing is encoded twice or kept in a second doc.
 *
 * Callbacks given to the gate must not throw; the room catches what its own callbacks may raise.
 */
export class StoredGate {
  private held: { readers: Array<() => void>; queue: Array<() => void> } | null = null

  constructor(
    /** Resolves once every update applied so far is stored (or has failed). */
    private readonly settled: () => Promise<void>,
    /** Whether the doc holds nothing unstored right now. */
    private readonly stored: () => boolean,
  ) {}

  /** Whether readers are waiting, so that changes are queued. */
  get holding(): boolean {
    return this.held !== null
  }

  /** Runs `apply` (a change of the doc) now, or after the waiting readers while the gate is closed. */
  admit(apply: () => void): void {
    if (this.held) this.held.queue.push(apply)
    else apply()
  }

  /** Runs `reader` when the doc holds exactly the stored state: now if nothing is in flight. */
  read(reader: () => void): void {
    if (this.held) {
      this.held.readers.push(reader)
      return
    }
    if (this.stored()) {
      reader()
      return
    }
    const held = { readers: [reader], queue: [] as Array<() => void> }
    this.held = held
    void this.settled().then(() => {
      // Still closed while readers run: an edit a reader makes joins the queue behind the others.
      for (const next of held.readers) next()
      this.held = null
      for (const apply of held.queue) this.admit(apply)
    })
  }
}
