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
