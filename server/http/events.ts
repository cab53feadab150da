import type { Request, Response } from 'express'
import { EventName } from '../../shared/protocol.js'
import { onExpiry } from '../guard/access.js'
import type { SyncEvents } from '../sync/events.js'
import type { StreamAdmission } from './stream-admission.js'

/** How long and how many events per document are kept for clients that reconnect with `Last-Event-ID`. */
export interface EventStreamOptions {
  bufferMs: number
  bufferSize: number
  /** Interval of `: heartbeat` comments, which keep proxies from closing an idle stream. */
  heartbeatMs: number
  /** A client this far behind (bytes queued and unsent) is disconnected rather than buffered for. */
  maxQueuedBytes: number
}

/** Defaults for `EventStreams`: a minute of events, at most 100 per document, heartbeats every 15 s. */
export const EVENT_STREAM_DEFAULTS: EventStreamOptions = { bufferMs: 60_000, bufferSize: 100, heartbeatMs: 15_000, maxQueuedBytes: 1024 * 1024 }

interface Sent {
  id: string
  at: number
  /** The whole SSE frame, encoded once and written to every client. */
  frame: string
}

/**
 * Server-Sent Events per document for dashboards: `update` (`{doc, bytes, user, at}`) when an
 * edit is stored and relayed, `presence` (`{doc, joined, left, at}`) when users come and go,
 * `version` (`{doc, version}`) when a version is recorded. Fed by the sync layer's observe-only
 * events, so a slow dashboard can never hold up the relay: a client that falls too far behind is
 * disconnected.
 *
 * Event ids are `<server epoch>-<sequence>`. A client that reconnects with `Last-Event-ID` first
 * gets the buffered events after that id; an id from an earlier server process gets nothing
 * replayed, since that buffer died with it.
 */
export class EventStreams {
  private readonly epoch = Date.now().toString(36)
  private seq = 0
  private readonly buffers = new Map<string, Sent[]>()
  private readonly clients = new Map<string, Set<Response>>()
  private timer: NodeJS.Timeout | null = null

  constructor(
    events: SyncEvents,
    private readonly options: EventStreamOptions,
    private readonly admission: StreamAdmission,
  ) {
    const at = () => new Date().toISOString()
    events.on('doc.update', ({ doc, bytes, user }) => this.watched(doc) && this.publish(doc, EventName.update, { doc, bytes, user, at: at() }))
    events.on('presence', ({ doc, joined, left }) => this.watched(doc) && this.publish(doc, EventName.presence, { doc, joined, left, at: at() }))
    events.on('doc.version', ({ doc, version }) => this.watched(doc) && this.publish(doc, EventName.version, { doc, version }))
  }

  /**
   * Turns `res` into the event stream of `doc` until the client goes away or, with access
   * control, until the token it was opened with expires at `expiresAt` (ms since the epoch).
   * Throws the `HttpError` of a stream over its caps (`StreamAdmission`).
   */
  serve(doc: string, req: Request, res: Response, expiresAt: number | null): void {
    this.admission.admit(req)
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    })
    res.write(`retry: 2000\n\n`)
    for (const sent of this.missed(doc, req.get('last-event-id'))) res.write(sent.frame)
    let clients = this.clients.get(doc)
    if (!clients) this.clients.set(doc, (clients = new Set()))
    if (!this.buffers.has(doc)) this.buffers.set(doc, [])
    clients.add(res)
    this.schedule()
    // An EventSource reconnects on its own; with the expired token it then gets 401 and stops.
    const cancelExpiry = expiresAt === null ? () => {} : onExpiry(expiresAt, () => res.end())
    req.on('close', () => {
      cancelExpiry()
      clients.delete(res)
      if (clients.size === 0 && this.clients.get(doc) === clients) this.clients.delete(doc)
    })
  }

  /**
   * Whether someone watches `doc` (or watched it within the buffer window, and may reconnect):
   * only those documents pay for building events, so the relay of every other one stays free of it.
   */
  private watched(doc: string): boolean {
    return this.clients.has(doc) || this.buffers.has(doc)
  }

  private publish(doc: string, event: string, data: object): void {
    const id = `${this.epoch}-${++this.seq}`
    const sent: Sent = { id, at: Date.now(), frame: `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n` }
    let buffer = this.buffers.get(doc)
    if (!buffer) this.buffers.set(doc, (buffer = []))
    buffer.push(sent)
    if (buffer.length > this.options.bufferSize) buffer.shift()
    for (const res of this.clients.get(doc) ?? []) this.write(res, sent.frame)
    this.schedule()
  }

  private missed(doc: string, lastEventId: string | undefined): Sent[] {
    const match = /^([0-9a-z]+)-(\d+)$/.exec(lastEventId ?? '')
    if (!match || match[1] !== this.epoch) return []
    const after = Number(match[2])
    return (this.buffers.get(doc) ?? []).filter((sent) => Number(sent.id.slice(this.epoch.length + 1)) > after)
  }

  private write(res: Response, frame: string): void {
    if (res.writableLength > this.options.maxQueuedBytes) res.destroy()
    else res.write(frame)
  }

  /** Runs heartbeats and buffer expiry while there is anything to do, and no timer otherwise. */
  private schedule(): void {
    if (this.timer) return
    this.timer = setInterval(() => this.tick(), Math.min(this.options.heartbeatMs, this.options.bufferMs))
    // A stream must not keep a stopping server's process alive.
    this.timer.unref()
  }

  private tick(): void {
    const expired = Date.now() - this.options.bufferMs
    for (const [doc, buffer] of this.buffers) {
      while (buffer.length > 0 && buffer[0]!.at < expired) buffer.shift()
      if (buffer.length === 0) this.buffers.delete(doc)
    }
    for (const clients of this.clients.values()) for (const res of clients) this.write(res, ': heartbeat\n\n')
    if (this.buffers.size === 0 && this.clients.size === 0 && this.timer) {
      clearInterval(this.timer)
      this.timer = null
    }
  }
}
