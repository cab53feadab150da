import type { Request } from 'express'
import type { PerKeyLimit } from '../guard/limits.js'
import { HttpError } from './http-error.js'
import { connectionCapRefusal } from './refusals.js'

/**
 * The caps on Server-Sent Event streams (a document's events, the list's): at most `max` open in
 * all, and each counts against its client's per-IP cap, which WebSockets share. A stream is held
 * for as long as its client likes, so without these 5,000 streams from one client all succeed.
 */
export class StreamAdmission {
  private open = 0

  constructor(
    private readonly perIp: PerKeyLimit,
    private readonly max: number,
  ) {}

  /** Open streams right now, for metrics. */
  get count(): number {
    return this.open
  }

  /**
   * Admits the stream `req` asks for, counting it until the request closes, or throws the refusal
   * its route answers with: 503 when all streams are taken, 429 when its address has too many
   * connections.
   */
  admit(req: Request): void {
    if (this.open >= this.max) throw new HttpError(503, `${this.max} event streams are open already`, 'event-stream-cap')
    const release = this.perIp.acquire(req.socket.remoteAddress ?? '')
    if (!release) throw connectionCapRefusal()
    this.open += 1
    req.once('close', () => {
      this.open -= 1
      release()
    })
  }
}
