/**
 * Lets a room answer readers (a joiner's sync step 2, an API read, a server-side edit) only with
 * what is stored, without starving them while writers type non-stop.
 *
 * The doc takes an update before its append lands, so it is usually a little ahead of the store.
 * When a reader comes while appends are in flight, the gate closes: updates (and readers) received
 * from then on are queued, not applied, so the doc stops moving. Once the appends in flight have
 * landed the doc equals the stored state; the reader is served from it, and then the queue is
 * worked through in the order it came. A reader is answered with everything received before it,
 * stored, and waits for at most two rounds of appends however busy the document is (the round in
 * flight and the one queued ahead of it); nothing is encoded twice or kept in a second doc.
 *
 * Callbacks run at once throw to their caller. One that runs later and throws is reported to
 * `onError` and the gate goes on: a single bad callback must not leave the gate closed, which
 * would stall the document for everyone.
 */
export class StoredGate {
  /** Changes and readers that came while a reader waits for the appends in flight. */
  private held: Array<() => void> | null = null

  constructor(
    /** Resolves once every update applied so far is stored (or has failed). */
    private readonly settled: () => Promise<void>,
    /** Whether the doc holds nothing unstored right now. */
    private readonly stored: () => boolean,
    /** Told of an exception thrown by a callback that ran after waiting. */
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Whether readers are waiting, so that changes are queued. */
  get holding(): boolean {
    return this.held !== null
  }

  /** Runs `apply` (a change of the doc) now, or in its turn while a reader waits. */
  admit(apply: () => void): void {
    if (this.held) this.held.push(apply)
    else apply()
  }

  /** Runs `reader` when the doc holds exactly the stored state: now if nothing is in flight. */
  read(reader: () => void): void {
    // A reader that comes while others wait takes its place behind the updates received before
    // it: its answer must include them (the editor reads "saved" from the answer to a sync step 1
    // sent after its edits).
    if (this.held) {
      this.held.push(() => this.read(reader))
      return
    }
    if (this.stored()) {
      reader()
      return
    }
    const held: Array<() => void> = []
    this.held = held
    void this.settled().then(() => {
      // Still closed while the reader runs: an edit it makes joins the queue behind the others.
      this.guarded(reader)
      this.held = null
      for (const next of held) this.resume(next)
    })
  }

  /** Runs a queued callback, or queues it again if one before it closed the gate anew. */
  private resume(next: () => void): void {
    if (this.held) this.held.push(next)
    else this.guarded(next)
  }

  private guarded(callback: () => void): void {
    try {
      callback()
    } catch (error) {
      this.onError(error)
    }
  }
}
