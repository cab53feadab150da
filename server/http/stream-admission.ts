import type { Request, Response } from 'express'
import type { PerKeyLimit } from '../guard/limits.js'
import type { SyncEvents } from '../sync/events.js'

/**
 * The caps on Server-Sent Event streams (a document's events, the list's): at most `max` open in
 * all, and each counts against its client's per-IP cap, which WebSockets share. A stream is held
 * for as long as its client likes, so without these 5,000 streams from one client all succeed.
 */
export class StreamAdmission {
  private open = 0

  constructor(
    private readonly events: SyncEvents,
    private readonly perIp: PerKeyLimit,
    private readonly max: number,
  ) {}

  /** Open streams right now, for metrics. */
  get count(): number {
    return this.open
  }

  /**
   * Admits the stream `res` answers: `true`, and it is counted until its request closes; or
   * `false` after answering 503 (all streams taken) or 429 (this address has too many connections).
   */
  admit(req: Request, res: Response, doc?: string): boolean {
    if (this.open >= this.max) return this.refuse(res, 503, 'event-stream-cap', `${this.max} event streams are open already`, doc)
    const release = this.perIp.acquire(req.socket.remoteAddress ?? '')
    if (!release) return this.refuse(res, 429, 'connection-cap', 'too many connections from this address', doc)
    this.open += 1
    req.once('close', () => {
      this.open -= 1
      release()
    })
    return true
  }

  private refuse(res: Response, status: number, kind: string, message: string, doc: string | undefined): false {
    this.events.emit('problem', { kind, doc, message })
    res.status(status).json({ error: message })
    return false
  }
}
