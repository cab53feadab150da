import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import express from 'express'
import { afterEach, describe, expect, it } from 'vitest'
import { PerKeyLimit } from '../../../server/guard/limits.js'
import { ListEvents } from '../../../server/http/list-events.js'
import { StreamAdmission } from '../../../server/http/stream-admission.js'
import { SyncEvents, type UpdateOrigin } from '../../../server/sync/events.js'
import { subscribe } from '../../helpers/events.js'
import { until } from '../../helpers/until.js'

let server: Server | null = null

/** A ListEvents behind a real HTTP server, and the events its stream sent so far, in order. */
async function start() {
  const events = new SyncEvents()
  const list = new ListEvents(events, new StreamAdmission(new PerKeyLimit(1_000), 1_000))
  const app = express()
  app.get('/api/events', (req, res) => list.serve(req, res))
  server = createServer(app)
  await new Promise<void>((listening) => server!.listen(0, '127.0.0.1', listening))
  const stream = await subscribe(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/events`)
  const received = () => stream.events.map(({ event, data }) => `${event} ${data.doc}`)
  return { events, received }
}

const update = (events: SyncEvents, doc: string, origin: UpdateOrigin) => events.emit('doc.update', { doc, update: new Uint8Array(2), bytes: 2, persistMs: 1, origin, user: null })

afterEach(async () => {
  server?.closeAllConnections()
  await new Promise((closed) => server?.close(closed))
  server = null
})

describe('ListEvents', () => {
  it("announces this instance's edits, connections, deletions and renames", async () => {
    const { events, received } = await start()
    update(events, 'a', 'peer')
    events.emit('conn.opened', { doc: 'b', id: 1 })
    events.emit('doc.removed', { doc: 'c', origin: 'local' })
    events.emit('doc.removed', { doc: 'd', renamedTo: 'e', origin: 'local' })
    await until(() => expect(received()).toEqual(['changed a', 'changed b', 'removed c', 'removed d', 'changed e']))
  })

  it("hears of other instances' changes once, through their list notices, also for documents open here", async () => {
    const { events, received } = await start()
    // A document open here and edited, renamed and deleted elsewhere: its room applies and
    // announces each of these (origin `cluster`), and the list notices bring them too.
    update(events, 'open', 'cluster')
    events.emit('doc.listed', { doc: 'open', change: 'changed' })
    update(events, 'open', 'cluster')
    events.emit('doc.removed', { doc: 'open', renamedTo: 'moved', origin: 'cluster' })
    events.emit('doc.listed', { doc: 'open', change: 'removed' })
    events.emit('doc.listed', { doc: 'moved', change: 'changed' })
    events.emit('doc.removed', { doc: 'moved', origin: 'cluster' })
    events.emit('doc.listed', { doc: 'moved', change: 'removed' })
    // Written after everything above on the same stream, so nothing above can still be on its way.
    events.emit('conn.closed', { doc: 'marker', id: 1, code: 1000, reason: '' })
    await until(() => expect(received().at(-1)).toBe('changed marker'))
    expect(received()).toEqual(['changed open', 'removed open', 'changed moved', 'removed moved', 'changed marker'])
  })
})
