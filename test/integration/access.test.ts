import { request } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { mintToken } from '../../server/guard/access.js'
import { connectClient, type TestClient } from '../helpers/client.js'
import { startServer, type TestServer } from '../helpers/server.js'
import { until } from '../helpers/until.js'
import { upgradeStatus } from '../helpers/upgrade.js'

const SECRET = 'correct horse battery staple'
let server: TestServer
const clients: TestClient[] = []
const token = (doc: string, write = true, ttlSeconds = 3600) => mintToken(SECRET, { doc, write, ttlSeconds })
const connect = (doc: string, t?: string) => {
  const client = connectClient(server.wsUrl, doc, { params: t ? { token: t } : {} })
  clients.push(client)
  return client
}

beforeAll(async () => {
  server = await startServer({ env: { QUIRE_SECRET: SECRET }, args: ['--allowed-origins', 'https://app.example'] })
})
afterAll(async () => {
  for (const client of clients) client.destroy()
  await server.stop()
})

/** Connects a raw socket and collects the frames it gets until the server closes it. */
const refusal = (path: string) =>
  new Promise<{ code: number; frames: Buffer[] }>((resolve) => {
    const ws = new WebSocket(`${server.wsUrl}${path}`)
    const frames: Buffer[] = []
    ws.on('message', (data) => frames.push(data as Buffer))
    ws.on('close', (code) => resolve({ code, frames }))
  })

describe('access control with QUIRE_SECRET', () => {
  it('answers a missing token with auth "permission denied" and closes 4401', async () => {
    const { code, frames } = await refusal('/private')
    expect(code).toBe(4401)
    expect([...frames[0]!.subarray(0, 2)]).toEqual([2, 0])
    expect(frames[0]!.toString()).toContain('missing token')
  })

  it('closes 4401 for an invalid or expired token and 4403 for a token of another document', async () => {
    expect((await refusal('/private?token=not.a.jwt')).code).toBe(4401)
    expect((await refusal(`/private?token=${await token('private', true, -60)}`)).code).toBe(4401)
    expect((await refusal(`/private?token=${await mintToken('another secret', { doc: 'private', write: true, ttlSeconds: 60 })}`)).code).toBe(4401)
    expect((await refusal(`/private?token=${await token('other-doc')}`)).code).toBe(4403)
  })

  it('closes a connection with auth "permission denied" and 4401 when its token expires', async () => {
    // JWT expiry has whole seconds: this token ends within two.
    const expiring = await token('expiring', true, 2)
    const ws = new WebSocket(`${server.wsUrl}/expiring?token=${expiring}`)
    const frames: Buffer[] = []
    ws.on('message', (data) => frames.push(data as Buffer))
    const closed = new Promise<{ code: number; reason: string; at: number }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString(), at: Date.now() })))
    const { code, reason, at } = await closed
    expect(code).toBe(4401)
    expect(reason).toBe('expired token')
    expect(at).toBeLessThan(JSON.parse(Buffer.from(expiring.split('.')[1]!, 'base64url').toString()).exp * 1000 + 1000)
    const denied = frames.find((frame) => frame[0] === 2)!
    expect([...denied.subarray(0, 2)]).toEqual([2, 0])
    expect(denied.toString()).toContain('expired token')
  })

  it('logs a flood of refused tokens as one line and a count, not two lines each', async () => {
    const quiet = await startServer({ env: { QUIRE_SECRET: SECRET } })
    try {
      for (let i = 0; i < 30; i++) {
        const code = await new Promise<number>((resolve) => new WebSocket(`${quiet.wsUrl}/flood?token=bad-${i}`).on('close', resolve))
        expect(code).toBe(4401)
      }
      const lines = () => quiet.logs.filter((entry) => entry.kind === 'access' || entry.key === 'access' || entry.event === 'conn.refused')
      expect(lines()).toHaveLength(1)
      expect(lines()[0]).toMatchObject({ level: 'warn', event: 'problem', kind: 'access', doc: 'flood' })
      // The count follows when the 10 s window of the first one ends.
      await until(() => expect(lines()).toHaveLength(2), { timeout: 15_000 })
      expect(lines()[1]).toMatchObject({ event: 'problem.repeated', key: 'access', count: 29 })
    } finally {
      await quiet.stop()
    }
  })

  it('lets a "*" token open any document', async () => {
    const client = connect('any-doc', await token('*'))
    await client.synced()
    expect(client.provider.wsconnected).toBe(true)
  })

  it('gives a read-only connection everything but drops its document updates, keeping its awareness', async () => {
    const writer = connect('ro', await token('ro'))
    const reader = connect('ro', await token('ro', false))
    await Promise.all([writer.synced(), reader.synced()])
    writer.text.insert(0, 'from the writer')
    await until(() => expect(reader.text.toString()).toBe('from the writer'))

    reader.text.insert(0, 'IGNORED ')
    reader.provider.awareness.setLocalStateField('user', { name: 'Reader', color: '#123456' })
    await until(() => expect(writer.provider.awareness.getStates().get(reader.doc.clientID)?.user?.name).toBe('Reader'))
    writer.text.insert(writer.text.length, '!')
    await until(() => expect(reader.text.toString()).toContain('from the writer!'))
    expect(writer.text.toString()).toBe('from the writer!')

    const late = connect('ro', await token('ro'))
    await late.synced()
    expect(late.text.toString()).toBe('from the writer!')
  })
})

describe('allowed origins', () => {
  it('refuses an upgrade from another Origin with HTTP 403 and accepts the allowed one', async () => {
    const status = (origin: string) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(`${server.wsUrl}/x`, { origin })
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
        ws.on('close', (code) => resolve(code))
        ws.on('error', () => {})
      })
    expect(await status('https://evil.example')).toBe(403)
    expect(await status('https://app.example')).toBe(4401) // past the origin guard, stopped by the token guard
  })
})

describe('CORS of the API with --allowed-origins', () => {
  const from =
    (origin: string, init: RequestInit = {}) =>
    (path: string) =>
      fetch(`${server.url}${path}`, { ...init, headers: { ...(init.headers as Record<string, string>), origin } })
  const paths = ['/api/docs', '/api/events', '/api/docs/cors', '/api/docs/cors/state', '/api/docs/cors/content', '/api/docs/cors/versions', '/api/docs/cors/events']

  it('names an allowed origin on the answers of every API route, errors included', async () => {
    for (const path of paths) {
      const res = await from('https://app.example', { signal: AbortSignal.timeout(5_000) })(path)
      expect({ path, allowed: res.headers.get('access-control-allow-origin') }).toEqual({ path, allowed: 'https://app.example' })
      await res.body?.cancel()
    }
    const write = await token('cors')
    const imported = await from('https://app.example', { method: 'PUT', body: 'hi', headers: { authorization: `Bearer ${write}` } })('/api/docs/cors/content')
    expect(imported.status).toBe(200)
    expect(imported.headers.get('access-control-allow-origin')).toBe('https://app.example')
  })

  it('answers the preflight of an import from an allowed origin, letting it send its token and body type', async () => {
    const res = await from('https://app.example', { method: 'OPTIONS', headers: { 'access-control-request-method': 'PUT', 'access-control-request-headers': 'authorization, content-type' } })(
      '/api/docs/cors/content',
    )
    expect(res.status).toBe(204)
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example')
    expect(res.headers.get('access-control-allow-methods')).toContain('PUT')
    expect(res.headers.get('access-control-allow-headers')).toMatch(/Authorization.*Content-Type/)
  })

  it('gives another origin no CORS headers, and refuses its preflights', async () => {
    for (const path of paths) {
      const res = await from('https://evil.example', { signal: AbortSignal.timeout(5_000) })(path)
      expect({ path, allowed: res.headers.get('access-control-allow-origin') }).toEqual({ path, allowed: null })
      await res.body?.cancel()
    }
    const res = await from('https://evil.example', { method: 'OPTIONS', headers: { 'access-control-request-method': 'PUT' } })('/api/docs/cors/content')
    expect(res.status).toBe(403)
    expect(res.headers.get('access-control-allow-methods')).toBeNull()
  })
})

describe('origins and hosts without --allowed-origins', () => {
  let open: TestServer
  beforeAll(async () => {
    open = await startServer()
  })
  afterAll(async () => {
    await open.stop()
  })

  const upgrade = (headers: Record<string, string>) => upgradeStatus(`${open.wsUrl}/notes`, headers)

  it('refuses a WebSocket from a page on another site with 403, so it cannot read or write documents', async () => {
    expect(await upgrade({ origin: 'http://evil.example' })).toBe(403)
    expect(await upgrade({ origin: 'null' })).toBe(403)
  })

  it('accepts its own origin, other loopback origins (an embed on another port) and clients without an Origin', async () => {
    expect(await upgrade({ origin: open.url })).toBe(101)
    expect(await upgrade({ origin: 'http://localhost:5173' })).toBe(101)
    expect(await upgrade({ origin: 'http://127.0.0.1:9' })).toBe(101)
    expect(await upgrade({})).toBe(101)
  })

  it('answers only loopback Host names while bound to loopback (DNS rebinding), over HTTP and WebSocket', async () => {
    const rebound = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      // fetch() does not let a caller set Host; a raw request does, as a rebinding browser would.
      const req = request(`${open.url}/api/docs`, { headers: { host: `evil.example:${open.port}` } }, (res) => {
        let body = ''
        res.on('data', (chunk) => (body += chunk))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      })
      req.on('error', reject)
      req.end()
    })
    expect(rebound.status).toBe(421)
    expect(JSON.parse(rebound.body)).toEqual({ error: 'this server answers only loopback host names' })
    expect(await upgrade({ host: `evil.example:${open.port}`, origin: `http://evil.example:${open.port}` })).toBe(421)
    expect((await fetch(`http://localhost:${open.port}/healthz`)).status).toBe(200)
  })

  it('refuses API changes from a page on another site with 403', async () => {
    const put = (origin: string) => fetch(`${open.url}/api/docs/cross-site/content?format=text`, { method: 'PUT', body: 'hijacked', headers: { origin } })
    expect((await put('http://evil.example')).status).toBe(403)
    expect((await fetch(`${open.url}/api/docs/cross-site`)).status).toBe(404)
    expect((await put(open.url)).status).toBe(200)
  })

  it("opens to every origin with --allowed-origins '*'", async () => {
    const any = await startServer({ args: ['--allowed-origins', '*'] })
    try {
      const status = await new Promise<number>((resolve) => {
        const ws = new WebSocket(`${any.wsUrl}/x`, { origin: 'https://embedding-site.example' })
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
        ws.on('open', () => {
          ws.close()
          resolve(101)
        })
      })
      expect(status).toBe(101)
    } finally {
      await any.stop()
    }
  })
})

describe('--private-listing', () => {
  let listing: TestServer
  beforeAll(async () => {
    listing = await startServer({ env: { QUIRE_SECRET: SECRET }, args: ['--private-listing'] })
    const write = await mintToken(SECRET, { doc: 'listed', write: true, ttlSeconds: 60 })
    expect((await fetch(`${listing.url}/api/docs/listed/content?format=text`, { method: 'PUT', body: 'hi', headers: { authorization: `Bearer ${write}` } })).status).toBe(200)
  })
  afterAll(async () => {
    await listing.stop()
  })
  const get = (path: string, token?: string) => fetch(`${listing.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} })

  it('needs a token for every document to list documents, scrape /metrics or read /api/server (which shows the pid)', async () => {
    const all = await token('*', false)
    const one = await token('listed', false)
    for (const path of ['/api/docs', '/metrics', '/api/server']) {
      expect({ path, status: (await get(path)).status }).toEqual({ path, status: 401 })
      expect({ path, status: (await get(path, one)).status }).toEqual({ path, status: 403 })
      expect({ path, status: (await get(path, all)).status }).toEqual({ path, status: 200 })
    }
    expect(await (await get('/api/docs', all)).json()).toMatchObject([{ name: 'listed' }])
  })

  it('needs a read token for a document to read its metadata', async () => {
    expect((await get('/api/docs/listed')).status).toBe(401)
    expect((await get('/api/docs/listed', await token('other', false))).status).toBe(403)
    expect(await (await get('/api/docs/listed', await token('listed', false))).json()).toMatchObject({ name: 'listed' })
  })

  it('keeps /healthz open, for load balancers', async () => {
    expect((await get('/healthz')).status).toBe(200)
  })

  it('refuses to start without a secret, whose tokens it would ask for', async () => {
    await expect(startServer({ args: ['--private-listing'] })).rejects.toThrow(/exited with 2/)
  })
})
