import type { LogFields, Logger } from './log.js'

/**
 * Warnings that anyone can trigger (a refused token, a malformed frame) logged at most once per
 * key and window: the first at once, then, when its window ends, one `<event>.repeated` line
 * counting those held back. A client that gets itself refused a thousand times a second cannot
 * flood the log, and the log still says it happened and how often.
 */
export class LogSummary {
  private readonly held = new Map<string, number>()

  constructor(
    private readonly log: Logger,
    private readonly windowMs = 10_000,
  ) {}

  /** Logs `event` with `fields` at warn level, unless one with the same `key` was logged within the window. */
  warn(key: string, event: string, fields: LogFields): void {
    const held = this.held.get(key)
    if (held !== undefined) {
      this.held.set(key, held + 1)
      return
    }
    this.log.warn(event, fields)
    this.held.set(key, 0)
    const timer = setTimeout(() => {
      const count = this.held.get(key) ?? 0
      this.held.delete(key)
      if (count > 0) this.log.warn(`${event}.repeated`, { key, count, seconds: this.windowMs / 1000 })
    }, this.windowMs)
    // A pending summary must not keep a stopping server alive.
    timer.unref()
  }
}
