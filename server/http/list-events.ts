import type { Request, Response } from 'express'
import type { SyncEvents } from '../sync/events.js'
import type { StreamAdmission } from './stream-admission.js'

/** How often an idle list stream gets a `: heartbeat` comment, so proxies keep it open. */
const HEARTBEAT_MS = 15_000

/**
 * `GET /api/events`: Server-Sent Events for the document list page. `changed` (`{doc}`) when a
 * document was edited or someone opened or closed a connection to it (its size, last change or
 * client count moved; the list page then reads `GET /api/docs` again), `removed`
 * (`{doc}`) when it was deleted (a rename is `removed` of the old name, `changed` of the new).
 * Only names travel here, the same as `GET /api/docs` shows, and only while someone watches: with
 * no list open, nothing is built.
 */
export class ListEvents {
  private readonly clients = new Set<Response>()
  private timer: NodeJS.Timeout | null = null

  constructor(
    events: SyncEvents,
    private readonly admission: StreamAdmission,
  ) {
    const changed = ({ doc }: { doc: string }) => this.publish('changed', doc)
    // What other instances of a cluster did comes through their list notices only (`doc.listed`,
    // see `startBus`), whether the document is open here or not: the same edits and removals also
    // reach this instance's open rooms (origin `cluster`), and announcing both would tell a list
    // page every change twice, and every remote keystroke rather than once a second.
    events.on('doc.update', ({ doc, origin }) => origin !== 'cluster' && this.publish('changed', doc))
    events.on('conn.opened', changed)
    events.on('conn.closed', changed)
    events.on('doc.removed', ({ doc, renamedTo, origin }) => {
      if (origin === 'cluster') return
      this.publish('removed', doc)
      if (renamedTo !== undefined) this.publish('changed', renamedTo)
    })
    events.on('doc.listed', ({ doc, change }) => this.publish(change, doc))
  }

  /** Turns `res` into the list's event stream; throws the `HttpError` of a stream over its caps (`StreamAdmission`). */
  serve(req: Request, res: Response): void {
    this.admission.admit(req)
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    })
    res.write('retry: 2000\n\n')
    this.clients.add(res)
    this.timer ??= setInterval(() => this.write(': heartbeat\n\n'), HEARTBEAT_MS)
    // A stream must not keep a stopping server's process alive.
    this.timer.unref()
    req.on('close', () => {
      this.clients.delete(res)
      if (this.clients.size === 0 && this.timer) {
        clearInterval(this.timer)
        this.timer = null
      }
    })
  }

  private publish(event: 'changed' | 'removed', doc: string): void {
    if (this.clients.size > 0) this.write(`event: ${event}\ndata: ${JSON.stringify({ doc })}\n\n`)
  }

  // A list page that stopped reading is dropped rather than buffered for.
  private write(frame: string): void {
    for (const res of this.clients) {
      if (res.writableLength > 256 * 1024) res.destroy()
      else res.write(frame)
    }
  }
}
