import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { prosemirrorToYXmlFragment } from 'y-prosemirror'
import { b } from '../fixtures/sample.js'
import { connectClient, type TestClient } from '../helpers/client.js'
import { startServer, type TestServer } from '../helpers/server.js'
import { until } from '../helpers/until.js'

let server: TestServer

/** The value of one sample line of `/metrics` (`name{labels} value`), 0 when it is absent. */
async function metric(sample: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text()
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `))
  return line === undefined ? 0 : Number(line.slice(sample.length + 1))
}

beforeAll(async () => {
  server = await startServer()
})
afterAll(async () => {
  await server.stop()
})

describe('/metrics', () => {
  it('serves Prometheus text format', async () => {
    const res = await fetch(`${server.url}/metrics`)
    expect(res.headers.get('content-type')).toContain('text/plain')
    const text = await res.text()
    for (const name of ['quire_connections', 'quire_open_documents', 'quire_messages_total', 'quire_update_persist_seconds', 'quire_compactions_total', 'quire_errors_total']) {
      expect(text).toContain(`# TYPE ${name} `)
    }
  })

  it('reports the connection and open-document counts truthfully as clients come and go', async () => {
    expect(await metric('quire_connections')).toBe(0)
    const clients: TestClient[] = [connectClient(server.wsUrl, 'a'), connectClient(server.wsUrl, 'a'), connectClient(server.wsUrl, 'b')]
    await Promise.all(clients.map((c) => c.synced()))
    expect(await metric('quire_connections')).toBe(3)
    expect(await metric('quire_open_documents')).toBe(2)
    clients[0]!.destroy()
    await until(async () => expect(await metric('quire_connections')).toBe(2))
    for (const client of clients.slice(1)) client.destroy()
    await until(async () => expect(await metric('quire_connections')).toBe(0))
    await until(async () => expect(await metric('quire_open_documents')).toBe(0))
  })

  it('counts messages and bytes both ways, stored updates with their disk latency, and compactions', async () => {
    const before = { in: await metric('quire_messages_total{direction="in"}'), persisted: await metric('quire_update_persist_seconds_count') }
    const client = connectClient(server.wsUrl, 'counted')
    await client.synced()
    // Two edits stored apart, so there are two records to compact (frames that arrive in one
    // socket read are applied and stored together as one update).
    prosemirrorToYXmlFragment(b.doc(b.p('one')), client.doc.getXmlFragment('prosemirror'))
    await until(async () => expect(await metric('quire_update_persist_seconds_count')).toBe(before.persisted + 1))
    prosemirrorToYXmlFragment(b.doc(b.p('one'), b.p('two')), client.doc.getXmlFragment('prosemirror'))
    await until(async () => expect(await metric('quire_update_persist_seconds_count')).toBe(before.persisted + 2))
    expect(await metric('quire_messages_total{direction="in"}')).toBeGreaterThan(before.in)
    expect(await metric('quire_messages_total{direction="out"}')).toBeGreaterThan(0)
    expect(await metric('quire_message_bytes_total{direction="in"}')).toBeGreaterThan(0)
    expect(await metric('quire_document_updates_total')).toBeGreaterThan(0)
    const compactions = await metric('quire_compactions_total')
    // The last client leaving unloads the document, compacting its records.
    client.destroy()
    await until(async () => expect(await metric('quire_compactions_total')).toBeGreaterThan(compactions))
  })

  it('counts refusals by kind', async () => {
    // A malformed frame closes the socket with 1002 and is counted under its kind.
    const ws = new WebSocket(`${server.wsUrl}/malformed`)
    await new Promise((open) => ws.once('open', open))
    ws.send(Buffer.from([0xff, 0xff, 0xff]))
    await new Promise((closed) => ws.once('close', closed))
    await until(async () => expect(await metric('quire_errors_total{kind="protocol"}')).toBe(1))
  })
})
