import { CloseCode } from '../../shared/protocol.js'

/**
 * What a limit says to a refused client: the close code and reason it gets (a reason the official
 * client shows in its close event), and the kind metrics count the refusal under.
 */
export interface Refusal {
  kind: string
  close: number
  reason: string
}

/** A verdict: `'ok'`, or why not. */
export type Verdict = 'ok' | Refusal

/** A refusal thrown where no socket is at hand (an import): the edge turns it into 413. */
export class LimitError extends Error {
  override name = 'LimitError'
  constructor(readonly refusal: Refusal) {
    super(refusal.reason)
  }
}

/**
 * Whether a document holding `current` bytes of updates may take `incoming` bytes more without
 * passing `max`. Every joiner downloads the whole document and the server holds it in memory, so
 * one client must not grow it without bound (eight 15.5 MB updates made a 130 MB document).
 */
export function docSizeVerdict(current: number, incoming: number, max: number): Verdict {
  if (current + incoming <= max) return 'ok'
  return { kind: 'doc-too-big', close: CloseCode.documentTooLarge, reason: `the document would pass its ${max}-byte limit` }
}

/** The default clock of every bucket: one function for all, not a bound copy per connection. */
const monotonicNow = (): number => performance.now()

/**
 * A token bucket: `rate` tokens per second refill it up to `burst`. It lets a client send a paste
 * or a replay of offline edits in one burst while stopping one that floods for good. Pure: it
 * only counts and answers, the caller decides what a refusal does.
 */
export class TokenBucket {
  private tokens: number
  private last: number

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private readonly now: () => number = monotonicNow,
  ) {
    this.tokens = burst
    this.last = now()
  }

  /** Takes `count` tokens; `false` (taking nothing) when the bucket does not hold that many. */
  take(count = 1): boolean {
    const now = this.now()
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate)
    this.last = now
    if (this.tokens < count) return false
    this.tokens -= count
    return true
  }
}

/**
 * Open connections per key (a client's IP address), each capped at `max`. Pure bookkeeping: the
 * caller refuses what `open` refuses and calls the release it got when the connection ends.
 */
export class PerKeyLimit {
  private readonly open = new Map<string, number>()

  constructor(private readonly max: number) {}

  /** Counts one more for `key` and returns its release, or `null` (counting nothing) at the cap. */
  acquire(key: string): (() => void) | null {
    const count = this.open.get(key) ?? 0
    if (count >= this.max) return null
    this.open.set(key, count + 1)
    let released = false
    return () => {
      if (released) return
      released = true
      const left = (this.open.get(key) ?? 1) - 1
      if (left === 0) this.open.delete(key)
      else this.open.set(key, left)
    }
  }

  /** Keys with anything open, for metrics. */
  get keys(): number {
    return this.open.size
  }
}
