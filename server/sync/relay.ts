/**
 * The store-then-relay chain of one document. Every update the room's doc takes is appended to the
 * store and only then delivered (relayed to the other peers and announced), strictly in the order
 * the doc took them: the store may resolve a whole batch at once, and peers must still see the
 * updates in the order they were stored. A peer can therefore never hold an update that a crash of
 * this server would lose.
 */
export class RelayChain {
  private tail: Promise<void> = Promise.resolve()
  /** Updates the doc holds whose append has not landed yet. */
  private unstored = 0

  constructor(
    /** Durably appends one update; resolves with its head. */
    private readonly append: (update: Uint8Array) => Promise<number>,
    /** Relays and announces an update once it is stored (`head` is `null` when it was not stored here). */
    private readonly deliver: (update: Uint8Array, origin: unknown, head: number | null, started: number) => void,
    /** Called once per failed step; the room stops taking updates. */
    private readonly fail: (error: unknown) => void,
  ) {}

  /** Whether every update pushed so far is stored: the doc holds nothing a crash could lose. */
  get stored(): boolean {
    return this.unstored === 0
  }

  /**
   * Stores `update` (unless `store` is false: another instance stored it before publishing it) and
   * then delivers it, after every update pushed before it. The returned promise rejects when this
   * update could not be stored, so a caller that waits for its own edit learns of the failure.
   */
  push(update: Uint8Array, origin: unknown, store: boolean): Promise<void> {
    const started = performance.now()
    const stored = store ? this.append(update) : null
    if (stored) this.unstored += 1
    const step = Promise.all([stored, this.tail]).then(([head]) => {
      if (stored) this.unstored -= 1
      this.deliver(update, origin, head, started)
    })
    this.tail = step.catch(this.fail)
    return step
  }

  /** Resolves once every update pushed so far is stored and delivered, or has failed. */
  settled(): Promise<void> {
    return this.tail
  }
}
