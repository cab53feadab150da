import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { prosemirrorToYXmlFragment } from 'y-prosemirror'
import { mintToken } from '../../server/guard/access.js'
import { b } from '../fixtures/sample.js'
import { connectClient, type TestClient } from '../helpers/client.js'
import { subscribe } from '../helpers/events.js'
import { startServer, type TestServer } from '../helpers/server.js'
import { until } from '../helpers/until.js'

let server: TestServer
const clients: TestClient[] = []
const ada = { name: 'Ada', color: '#e91e63' }

function join(doc: string): TestClient {
  const client = connectClient(server.wsUrl, doc)
  client.provider.awareness.setLocalStateField('user', ada)
  clients.push(client)
  return client
}

beforeAll(async () => {
  server = await startServer()
  // The event stream is for existing documents, so each spec's document is created first.
  for (const doc of ['edited', 'visited', 'resumed']) {
    await fetch(`${server.url}/api/docs/${doc}/content?format=text`, { method: 'PUT', body: 'start' })
  }
})
afterAll(async () => {
  for (const client of clients) client.destroy()
  await server.stop()
})

describe('document events (Server-Sent Events)', () => {
  it('delivers an update event, with its size and author, when a client edits', async () => {
    const stream = await subscribe(`${server.url}/api/docs/edited/events`)
    const client = join('edited')
    await client.synced()
    prosemirrorToYXmlFragment(b.doc(b.p('hello from Ada')), client.doc.getXmlFragment('prosemirror'))
    const update = await until(() => {
      const found = stream.events.find((e) => e.event === 'update')
      expect(found).toBeDefined()
      return found!
    })
    expect(update.data).toMatchObject({ doc: 'edited', user: ada })
    expect(update.data.bytes).toBeGreaterThan(0)
    await stream.close()
  })

  it('delivers presence events when a user joins and leaves', async () => {
    const stream = await subscribe(`${server.url}/api/docs/visited/events`)
    const client = join('visited')
    await until(() => expect(stream.events).toContainEqual(expect.objectContaining({ event: 'presence', data: expect.objectContaining({ joined: [ada], left: [] }) })))
    client.destroy()
    await until(() => expect(stream.events).toContainEqual(expect.objectContaining({ event: 'presence', data: expect.objectContaining({ joined: [], left: [ada] }) })))
    await stream.close()
  })

  it('replays the events a dashboard missed when it reconnects with Last-Event-ID', async () => {
    const first = await subscribe(`${server.url}/api/docs/resumed/events`)
    const put = (text: string) => fetch(`${server.url}/api/docs/resumed/content?format=text`, { method: 'PUT', body: text })
    await put('one')
    const seen = await until(() => {
      expect(first.events.filter((e) => e.event === 'update')).toHaveLength(1)
      return first.events.at(-1)!
    })
    await first.close()
    // Two edits while the dashboard is away.
    await put('two')
    await put('three')
    const second = await subscribe(`${server.url}/api/docs/resumed/events`, seen.id)
    await until(() => expect(second.events.filter((e) => e.event === 'update')).toHaveLength(2))
    expect(second.events.map((e) => e.id)).not.toContain(seen.id)
    await second.close()
  })
})

describe('document events with QUIRE_SECRET', () => {
  const SECRET = 'events secret'
  let guarded: TestServer
  beforeAll(async () => {
    guarded = await startServer({ env: { QUIRE_SECRET: SECRET } })
    const write = await mintToken(SECRET, { doc: 'watched', write: true, ttlSeconds: 60 })
    await fetch(`${guarded.url}/api/docs/watched/content?format=text`, { method: 'PUT', body: 'start', headers: { authorization: `Bearer ${write}` } })
  })
  afterAll(async () => {
    await guarded.stop()
  })

  it('ends a stream when the token it was opened with expires, and refuses to reopen it with that token', async () => {
    // JWT expiry has whole seconds: this token ends within two.
    const read = await mintToken(SECRET, { doc: 'watched', write: false, ttlSeconds: 2 })
    const exp = JSON.parse(Buffer.from(read.split('.')[1]!, 'base64url').toString()).exp as number
    const stream = await subscribe(`${guarded.url}/api/docs/watched/events?token=${read}`)
    await stream.ended
    expect(Date.now()).toBeGreaterThanOrEqual(exp * 1000)
    expect(Date.now()).toBeLessThan(exp * 1000 + 1000)
    expect((await fetch(`${guarded.url}/api/docs/watched/events?token=${read}`)).status).toBe(401)
  })
})
