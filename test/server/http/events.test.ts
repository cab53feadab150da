import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import express from 'express'
import { afterEach, describe, expect, it } from 'vitest'
import { PerKeyLimit } from '../../../server/guard/limits.js'
import { EventStreams } from '../../../server/http/events.js'
import { StreamAdmission } from '../../../server/http/stream-admission.js'
import { SyncEvents } from '../../../server/sync/events.js'
import { until } from '../../helpers/until.js'

let server: Server | null = null

/** An EventStreams with short timings behind a real HTTP server, and a raw reader of its stream. */
async function start(options: { heartbeatMs: number; bufferMs: number; bufferSize: number; maxQueuedBytes: number }) {
  const events = new SyncEvents()
  const streams = new EventStreams(events, options, new StreamAdmission(new PerKeyLimit(1_000), 1_000))
  const app = express()
  app.get('/events', (req, res) => streams.serve('doc', req, res, null))
  server = createServer(app)
  await new Promise<void>((listening) => server!.listen(0, '127.0.0.1', listening))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`
  const read = async (headers: Record<string, string> = {}) => {
    const abort = new AbortController()
    const res = await fetch(url, { headers, signal: abort.signal })
    let text = ''
    const reader = res.body!.getReader()
    void (async () => {
      for (;;) {
        const { done, value } = await reader.read()
        if (done) return
        text += new TextDecoder().decode(value)
      }
    })().catch(() => undefined)
    return { text: () => text, close: () => abort.abort() }
  }
  return { events, read }
}

const update = (events: SyncEvents, bytes: number) => events.emit('doc.update', { doc: 'doc', update: new Uint8Array(bytes), bytes, persistMs: 1, origin: 'local', user: null })

afterEach(async () => {
  server?.closeAllConnections()
  await new Promise((closed) => server?.close(closed))
  server = null
})

describe('EventStreams', () => {
  it('sends heartbeat comments while a stream is idle', async () => {
    const { read } = await start({ heartbeatMs: 50, bufferMs: 10_000, bufferSize: 10, maxQueuedBytes: 1 << 20 })
    const stream = await read()
    await until(() => expect(stream.text().match(/^: heartbeat$/gm)?.length ?? 0).toBeGreaterThanOrEqual(2))
    stream.close()
  })

  it('replays at most the buffered number of events to a reconnecting client', async () => {
    const { events, read } = await start({ heartbeatMs: 10_000, bufferMs: 10_000, bufferSize: 2, maxQueuedBytes: 1 << 20 })
    const first = await read()
    update(events, 1)
    await until(() => expect(first.text()).toContain('"bytes":1'))
    const id = /^id: (.+)$/m.exec(first.text())![1]!
    first.close()
    for (const bytes of [2, 3, 4]) update(events, bytes)
    const second = await read({ 'last-event-id': id })
    await until(() => expect(second.text()).toContain('"bytes":4'))
    expect(second.text()).toContain('"bytes":3')
    // Only two events are kept, so the oldest missed one is gone.
    expect(second.text()).not.toContain('"bytes":2')
    second.close()
  })

  it('replays nothing for an id from another server process', async () => {
    const { events, read } = await start({ heartbeatMs: 10_000, bufferMs: 10_000, bufferSize: 10, maxQueuedBytes: 1 << 20 })
    // Someone watches, so event 7 is buffered and would be replayed to an id of this process.
    const watcher = await read()
    update(events, 7)
    await until(() => expect(watcher.text()).toContain('"bytes":7'))
    const id = /^id: (.+)-\d+$/m.exec(watcher.text())![1]!
    expect(id).not.toBe('zzzz')
    const stream = await read({ 'last-event-id': 'zzzz-0' })
    update(events, 8)
    await until(() => expect(stream.text()).toContain('"bytes":8'))
    expect(stream.text()).not.toContain('"bytes":7')
    // The same sequence number with this process's epoch does replay it: the epoch alone decides.
    const again = await read({ 'last-event-id': `${id}-0` })
    await until(() => expect(again.text()).toContain('"bytes":7'))
    for (const s of [watcher, stream, again]) s.close()
  })
})
