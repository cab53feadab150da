import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { prosemirrorToYXmlFragment } from 'y-prosemirror'
import { requestAsIs } from '../../server/cli/request-as-is.js'
import { mintToken } from '../../server/guard/access.js'
import { toNode } from '../../shared/content/ydoc.js'
import { CloseCode } from '../../shared/protocol.js'
import { b, sampleDoc } from '../fixtures/sample.js'
import { connectClient, type TestClient } from '../helpers/client.js'
import { startServer, type TestServer } from '../helpers/server.js'
import { until } from '../helpers/until.js'

const expected = (ext: string) => readFileSync(new URL(`../fixtures/sample.${ext}`, import.meta.url), 'utf8')

let server: TestServer
const clients: TestClient[] = []

/** A y-websocket client that has written `content` the way y-prosemirror's binding does. */
async function writer(doc: string, content = sampleDoc): Promise<TestClient> {
  const client = connectClient(server.wsUrl, doc)
  clients.push(client)
  await client.synced()
  prosemirrorToYXmlFragment(content, client.doc.getXmlFragment('prosemirror'))
  return client
}

const api = (path: string, init?: RequestInit) => fetch(`${server.url}${path}`, init)

beforeAll(async () => {
  server = await startServer()
})
afterAll(async () => {
  for (const client of clients) client.destroy()
  await server.stop()
})

describe('HTTP API', () => {
  it('renders what a client wrote in every format', async () => {
    await writer('sample')
    await until(async () => expect(await (await api('/api/docs/sample/content?format=markdown')).text()).toBe(expected('md')))
    for (const [format, ext, mime] of [
      ['markdown', 'md', 'text/markdown'],
      ['html', 'html', 'text/html'],
      ['text', 'txt', 'text/plain'],
    ] as const) {
      const res = await api(`/api/docs/sample/content?format=${format}`)
      expect(res.headers.get('content-type')).toContain(mime)
      expect(await res.text()).toBe(expected(ext))
    }
    const json = await (await api('/api/docs/sample/content?format=json')).json()
    expect(json).toEqual({ type: 'doc', content: sampleDoc.toJSON().content })
  })

  it('lists documents with their size, updates, last change and connected clients', async () => {
    const docs = (await (await api('/api/docs')).json()) as Array<Record<string, unknown>>
    const sample = docs.find((d) => d.name === 'sample')
    expect(sample).toMatchObject({ name: 'sample', clients: 1 })
    expect(sample!.bytes).toBeGreaterThan(0)
    expect(sample!.updates).toBeGreaterThan(0)
    expect(new Date(sample!.updatedAt as string).toISOString()).toBe(sample!.updatedAt)
    expect(await (await api('/api/docs/sample')).json()).toEqual(sample)
  })

  it('takes a document name with a slash as one percent-encoded segment', async () => {
    await writer('notes/2024', b.doc(b.p('in a folder')))
    await until(async () => expect(await (await api('/api/docs/notes%2F2024/content?format=text')).text()).toBe('in a folder\n'))
    expect(await (await api('/api/docs/notes%2F2024')).json()).toMatchObject({ name: 'notes/2024' })
  })

  it('answers 404 with a JSON error for an unknown document', async () => {
    for (const path of ['/api/docs/nope', '/api/docs/nope/content', '/api/docs/nope/events', '/api/docs/nope/compact']) {
      const res = await api(path, path.endsWith('compact') ? { method: 'POST' } : undefined)
      expect(res.status).toBe(404)
      expect(await res.json()).toEqual({ error: 'no document named "nope"' })
    }
    expect((await api('/api/docs/nope', { method: 'DELETE' })).status).toBe(404)
  })

  it('answers 400 for an unknown format', async () => {
    const res = await api('/api/docs/sample/content?format=docx')
    expect(res.status).toBe(400)
    expect((await res.json()).error).toMatch(/unknown format "docx"/)
  })

  it('escapes a <script> a client typed, in the HTML it serves', async () => {
    await writer('xss', b.doc(b.p('<script>alert(1)</script>'), b.p(b.a('javascript:alert(2)', 'click'))))
    await until(async () => expect(await (await api('/api/docs/xss/content?format=html')).text()).toContain('&lt;script&gt;alert(1)&lt;/script&gt;'))
    const html = await (await api('/api/docs/xss/content?format=html')).text()
    expect(html).not.toContain('<script>')
    expect(html).not.toMatch(/javascript:/i)
  })

  it('imports a body into a document, and a connected client sees it live', async () => {
    const client = await writer('imported', b.doc(b.p('before')))
    await until(async () => expect((await api('/api/docs/imported')).status).toBe(200))
    const res = await api('/api/docs/imported/content?format=markdown', { method: 'PUT', body: expected('md') })
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ name: 'imported', clients: 1 })
    await until(() => expect(toNode(client.doc).eq(sampleDoc)).toBe(true))
  })

  it('compacts a document into one stored record', async () => {
    const res = await api('/api/docs/sample/compact', { method: 'POST' })
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ name: 'sample', updates: 1 })
  })

  it('deletes a document, closing its connections with 4404', async () => {
    const client = await writer('doomed', b.doc(b.p('bye')))
    await until(async () => expect((await api('/api/docs/doomed')).status).toBe(200))
    const closed = client.closed()
    expect((await api('/api/docs/doomed', { method: 'DELETE' })).status).toBe(204)
    expect(await closed).toMatchObject({ code: CloseCode.documentDeleted })
    expect((await api('/api/docs/doomed')).status).toBe(404)
  })
})

describe('unknown API routes and methods', () => {
  it('answers an unknown /api path with a JSON 404', async () => {
    for (const path of ['/api/nothing', '/api', '/api/docs/sample/versions/1', '/api/docs/sample/nothing']) {
      const res = await api(path)
      expect({ path, status: res.status, type: res.headers.get('content-type') }).toEqual({ path, status: 404, type: 'application/json; charset=utf-8' })
      expect(await res.json()).toEqual({ error: `no API route ${path}` })
    }
  })

  it('answers a method a known path does not take with a JSON 405 and Allow', async () => {
    for (const [method, path, allow] of [
      ['DELETE', '/api/docs', 'GET, HEAD'],
      ['PATCH', '/api/docs/sample', 'GET, HEAD, DELETE'],
      ['POST', '/api/docs/sample/content', 'GET, HEAD, PUT'],
      ['PUT', '/api/docs/sample/versions', 'GET, HEAD, POST'],
      ['GET', '/api/docs/sample/compact', 'POST'],
      ['DELETE', '/api/docs/sample/versions/1/restore', 'POST'],
    ] as const) {
      const res = await api(path, { method })
      expect({ method, path, status: res.status, allow: res.headers.get('allow') }).toEqual({ method, path, status: 405, allow })
      expect(((await res.json()) as { error: string }).error).toMatch(/ is not allowed on /)
    }
  })
})

describe('JSON bodies of the API', () => {
  /** What a plain `fetch` with a string body sends: `text/plain;charset=UTF-8`. */
  const post = (path: string, body: string) => api(path, { method: 'POST', body })

  it('reads a JSON body whatever its Content-Type, as a plain fetch sends it (text/plain)', async () => {
    expect((await api('/api/docs/bodies/content?format=text', { method: 'PUT', body: 'hello' })).status).toBe(200)
    const labelled = await post('/api/docs/bodies/versions', JSON.stringify({ label: 'sent as text/plain' }))
    expect(labelled.status).toBe(201)
    expect(await labelled.json()).toMatchObject({ label: 'sent as text/plain', auto: false })
    const curl = await api('/api/docs/bodies/versions', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '{"label":"as curl -d sends it"}' })
    expect(await curl.json()).toMatchObject({ label: 'as curl -d sends it' })
    const renamed = await post('/api/docs/bodies/rename', JSON.stringify({ to: 'bodies-renamed' }))
    expect(renamed.status).toBe(200)
    expect(await renamed.json()).toMatchObject({ name: 'bodies-renamed' })
  })

  it('still takes no body at all: an unlabelled version, the newest when nothing changed', async () => {
    const [newest] = (await (await api('/api/docs/bodies-renamed/versions')).json()) as unknown[]
    const res = await api('/api/docs/bodies-renamed/versions', { method: 'POST' })
    expect(res.status).toBe(201)
    expect(await res.json()).toEqual(newest)
  })

  it('answers 400 with a JSON error for a body that is not JSON, not an object, or a label that is not a string', async () => {
    for (const [path, body, error] of [
      ['versions', '{"label": tp}', /^the body is not valid JSON/],
      ['versions', 'tp', /^the body is not valid JSON/],
      ['versions', '"tp"', /^the body must be a JSON object$/],
      ['versions', '["tp"]', /^the body must be a JSON object$/],
      ['versions', '{"label": 5}', /^label must be a string$/],
      ['rename', '{"to": bodies}', /^the body is not valid JSON/],
      ['rename', '{"to": 5}', /new name/],
    ] as const) {
      const res = await post(`/api/docs/bodies-renamed/${path}`, body)
      expect({ body, status: res.status }).toEqual({ body, status: 400 })
      expect(((await res.json()) as { error: string }).error).toMatch(error)
    }
  })
})

describe('bad document names on the API', () => {
  const bad = [
    ['a truncated UTF-8 escape', '%E0%A4%A'],
    ['an undecodable escape', '%ZZ'],
    ['an encoded lone surrogate', '%ED%A0%80'],
    ['a right-to-left override', 'invoice%E2%80%AEfdp.exe'],
    ['a zero-width space', 'notes%E2%80%8B'],
    ['a control character', 'bad%01name'],
  ]
  const routes: Array<[string, (segment: string) => string]> = [
    ['GET', (n) => `/api/docs/${n}`],
    ['GET', (n) => `/api/docs/${n}/content`],
    ['PUT', (n) => `/api/docs/${n}/content?format=text`],
    ['GET', (n) => `/api/docs/${n}/events`],
    ['DELETE', (n) => `/api/docs/${n}`],
    ['POST', (n) => `/api/docs/${n}/compact`],
    ['POST', (n) => `/api/docs/${n}/share`],
    ['GET', (n) => `/api/docs/${n}/versions`],
    ['POST', (n) => `/api/docs/${n}/versions`],
    ['GET', (n) => `/api/docs/${n}/versions/1/content`],
    ['GET', (n) => `/api/docs/${n}/versions/1/diff`],
    ['POST', (n) => `/api/docs/${n}/versions/1/restore`],
  ]

  it.each(bad)('answers a name with %s with 400 on every route, logging no error', async (_what, segment) => {
    for (const [method, path] of routes) {
      const res = await api(path(segment), { method, body: method === 'PUT' ? 'x' : undefined })
      expect({ method, status: res.status }).toEqual({ method, status: 400 })
      expect(((await res.json()) as { error: string }).error).toMatch(/document name/)
    }
    expect(server.logs.filter((entry) => entry.level === 'error')).toEqual([])
  })
})

describe('document names that are dot-segments, sent as-is (as curl --path-as-is does)', () => {
  // `fetch` and browsers remove these segments; the server must not, nor lead them elsewhere.
  const raw = (method: string, path: string, body?: string) => requestAsIs(server.url, method, path, { headers: {}, body })
  const names: Array<[string, string[]]> = [
    ['.', ['.', '%2E', '%2e']],
    ['..', ['..', '%2E%2E', '.%2e', '%2e.']],
    ['a/..', ['a%2F..', 'a%2f%2E%2E']],
  ]

  it.each(names)('reads and writes the document named %j at every spelling of its segment', async (name, segments) => {
    await raw('PUT', '/api/docs/content/content?format=text', 'the document named content')
    for (const segment of segments) {
      expect((await raw('PUT', `/api/docs/${segment}/content?format=text`, `${name} via ${segment}`)).status).toBe(200)
      expect(await (await raw('GET', `/api/docs/${segment}/content?format=text`)).text()).toBe(`${name} via ${segment}\n`)
      expect(await (await raw('GET', `/api/docs/${segment}`)).json()).toMatchObject({ name })
      expect((await raw('POST', `/api/docs/${segment}/versions`, '{"label":"dots"}')).status).toBe(201)
    }
    expect(await (await api('/api/docs/content/content?format=text')).text()).toBe('the document named content\n')
    expect(((await (await api('/api/docs/content/versions')).json()) as Array<{ label: string | null }>).map((v) => v.label)).not.toContain('dots')
  })
})

describe('security headers', () => {
  it('serves the app pages with a strict CSP that forbids framing, and nosniff', async () => {
    for (const path of ['/', '/d/notes']) {
      const res = await api(path)
      const csp = res.headers.get('content-security-policy') ?? ''
      expect(csp).toContain("frame-ancestors 'none'")
      expect(csp).toContain("script-src 'self'")
      expect(csp).toContain("object-src 'none'")
      expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    }
  })

  it('lets nothing run from API answers, HTML exports included', async () => {
    await writer('headers')
    const res = await api('/api/docs/headers/content?format=html')
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'; sandbox")
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
  })

  it('keeps the embed module and stylesheet importable from any origin', async () => {
    for (const file of ['quire-editor.js', 'quire-editor.css']) {
      const res = await api(`/embed/${file}`, { headers: { origin: 'https://embedding-site.example' } })
      expect(res.status).toBe(200)
      expect(res.headers.get('access-control-allow-origin')).toBe('*')
    }
  })
})

describe('HTTP API with QUIRE_SECRET', () => {
  const SECRET = 'api secret'
  let guarded: TestServer
  beforeAll(async () => {
    guarded = await startServer({ env: { QUIRE_SECRET: SECRET } })
    const put = await fetch(`${guarded.url}/api/docs/private/content?format=text`, {
      method: 'PUT',
      body: 'secret text',
      headers: { authorization: `Bearer ${await mintToken(SECRET, { doc: 'private', write: true, ttlSeconds: 60 })}` },
    })
    expect(put.status).toBe(200)
  })
  afterAll(async () => {
    await guarded.stop()
  })

  it('needs a token for the document to read its content or events', async () => {
    expect((await fetch(`${guarded.url}/api/docs/private/content`)).status).toBe(401)
    expect((await fetch(`${guarded.url}/api/docs/private/events`)).status).toBe(401)
    const other = await mintToken(SECRET, { doc: 'other', write: false, ttlSeconds: 60 })
    expect((await fetch(`${guarded.url}/api/docs/private/content?token=${other}`)).status).toBe(403)
    const read = await mintToken(SECRET, { doc: 'private', write: false, ttlSeconds: 60 })
    const res = await fetch(`${guarded.url}/api/docs/private/content?format=text&token=${read}`)
    expect(await res.text()).toBe('secret text\n')
  })

  it('needs a write token to import, compact or delete', async () => {
    const read = await mintToken(SECRET, { doc: 'private', write: false, ttlSeconds: 60 })
    const headers = { authorization: `Bearer ${read}` }
    expect((await fetch(`${guarded.url}/api/docs/private`, { method: 'DELETE' })).status).toBe(401)
    expect((await fetch(`${guarded.url}/api/docs/private`, { method: 'DELETE', headers })).status).toBe(403)
    expect((await fetch(`${guarded.url}/api/docs/private/compact`, { method: 'POST', headers })).status).toBe(403)
    expect((await fetch(`${guarded.url}/api/docs/private/content?format=text`, { method: 'PUT', body: 'x', headers })).status).toBe(403)
  })

  it('leaves the document list open, as the app’s list page reads it', async () => {
    expect(await (await fetch(`${guarded.url}/api/docs`)).json()).toMatchObject([{ name: 'private' }])
  })
})
