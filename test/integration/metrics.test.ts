import { request } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { prosemirrorToYXmlFragment } from 'y-prosemirror'
import { mintToken } from '../../server/guard/access.js'
import { b } from '../fixtures/sample.js'
import { connectClient, type TestClient } from '../helpers/client.js'
import { startServer, type TestServer } from '../helpers/server.js'
import { until } from '../helpers/until.js'
import { upgradeStatus } from '../helpers/upgrade.js'

let server: TestServer

/** The value of one sample line of `/metrics` (`name{labels} value`) of `of`, 0 when it is absent. */
async function metric(sample: string, of: TestServer = server): Promise<number> {
  const text = await (await fetch(`${of.url}/metrics`)).text()
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

describe('refusals of upgrades and API requests', () => {
  const SECRET = 'metrics-secret'
  let guarded: TestServer
  beforeAll(async () => {
    guarded = await startServer({ env: { QUIRE_SECRET: SECRET }, args: ['--max-import-bytes', '16384', '--max-doc-bytes', '8192'] })
  })
  afterAll(async () => {
    await guarded.stop()
  })

  const upgrade = (headers: Record<string, string>) => upgradeStatus(`${guarded.wsUrl}/guarded`, headers)
  /** The status of a GET with this Host header, which fetch() does not let a caller set. */
  const getWithHost = (path: string, host: string) =>
    new Promise<number>((resolve, reject) => {
      const req = request(`${guarded.url}${path}`, { headers: { host } }, (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
      })
      req.on('error', reject)
      req.end()
    })

  it('counts each in quire_errors_total{kind} and logs one line per kind', async () => {
    const write = await mintToken(SECRET, { doc: 'guarded', write: true, ttlSeconds: 60 })
    const read = await mintToken(SECRET, { doc: 'guarded', write: false, ttlSeconds: 60 })
    const content = `${guarded.url}/api/docs/guarded/content?format=html`
    const put = (body: string, headers: Record<string, string> = {}) => fetch(content, { method: 'PUT', body, headers: { authorization: `Bearer ${write}`, ...headers } })

    expect(await upgrade({ origin: 'https://evil.example' })).toBe(403)
    expect((await put('<p>from another site</p>', { origin: 'https://evil.example' })).status).toBe(403)
    expect(await upgrade({ host: `evil.example:${guarded.port}` })).toBe(421)
    expect(await getWithHost('/api/docs', `evil.example:${guarded.port}`)).toBe(421)
    expect((await fetch(content)).status).toBe(401)
    expect((await fetch(content, { method: 'PUT', body: '<p>read-only</p>', headers: { authorization: `Bearer ${read}` } })).status).toBe(403)
    expect((await put('x'.repeat(16_385))).status).toBe(413)
    expect((await put(`${'<blockquote>'.repeat(129)}deep${'</blockquote>'.repeat(129)}`)).status).toBe(413)
    const big = await put('<p>a line of the document that grows past its limit</p>'.repeat(200))
    expect({ status: big.status, error: ((await big.json()) as { error: string }).error }).toMatchObject({ status: 413, error: expect.stringMatching(/8192-byte limit/) })

    const counts: Record<string, number> = {}
    for (const kind of ['origin', 'host', 'access', 'too-large']) counts[kind] = await metric(`quire_errors_total{kind="${kind}"}`, guarded)
    expect(counts).toEqual({ origin: 2, host: 2, access: 2, 'too-large': 3 })
    const logged = guarded.logs.filter((entry) => entry.event === 'problem').map((entry) => entry.kind)
    expect(logged.sort()).toEqual(['access', 'host', 'origin', 'too-large'])
  })
})
