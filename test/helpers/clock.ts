import type { Clock } from '../../server/history/policy.js'

/** A clock that moves only when told: timers fire, in order, as `advance` passes their time. */
export class ManualClock implements Clock {
  private time = 0
  private next = 1
  private readonly timers = new Map<number, { at: number; fn: () => void }>()

  /** How many timers have been set so far: what a hot path must not multiply. */
  timersSet = 0

  now(): number {
    return this.time
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++
    this.timersSet += 1
    this.timers.set(id, { at: this.time + ms, fn })
    return id
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number)
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    const end = this.time + ms
    for (;;) {
      const due = [...this.timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0]
      if (!due) break
      this.timers.delete(due[0])
      this.time = due[1].at
      due[1].fn()
    }
    this.time = end
  }
}
