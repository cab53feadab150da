import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import express, { type RequestHandler } from 'express'
import { afterEach, describe, expect, it } from 'vitest'
import { DocsError } from '../../../server/docs.js'
import { AccessError } from '../../../server/guard/access.js'
import { errorAnswers } from '../../../server/http/errors.js'
import { HttpError } from '../../../server/http/http-error.js'
import { createLogger } from '../../../server/log.js'
import { SyncEvents } from '../../../server/sync/events.js'
import { CloseCode } from '../../../shared/protocol.js'

let server: Server | null = null
afterEach(async () => {
  await new Promise((closed) => server?.close(closed))
  server = null
})

/** A server whose routes fail with `errors` (by path), behind `errorAnswers`; what it reported and logged. */
async function serve(errors: Record<string, () => Error>) {
  const problems: Array<{ kind: string; message: string }> = []
  const logged: Array<Record<string, unknown>> = []
  const events = new SyncEvents().on('problem', (problem) => problems.push(problem))
  const app = express()
  for (const [path, error] of Object.entries(errors)) app.all(path, (() => Promise.reject(error())) as RequestHandler)
  app.put('/api/body', express.text({ type: () => true, limit: 10 }), (_req, res) => void res.end())
  app.use(
    errorAnswers(
      createLogger('debug', (line) => logged.push(JSON.parse(line) as Record<string, unknown>)),
      events,
    ),
  )
  server = createServer(app)
  await new Promise<void>((listening) => server!.listen(0, '127.0.0.1', listening))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return { url, problems, logged }
}

describe('errorAnswers', () => {
  it('reports every refusal as a problem of its kind, once, with the route and never the query string', async () => {
    const { url, problems, logged } = await serve({
      '/api/origin': () => new HttpError(403, 'origin not allowed', 'origin'),
      '/api/cap': () => new HttpError(503, '4 imports are already under way', 'import-cap'),
      '/api/token': () => new AccessError(CloseCode.unauthorized, 'missing token'),
      '/api/other-doc': () => new AccessError(CloseCode.forbidden, 'token is for another document'),
      '/api/nested': () => new DocsError('too-large', 'the document is nested more than 128 levels deep'),
    })
    const answers: Array<[string, number, unknown]> = []
    for (const path of ['/api/origin', '/api/cap', '/api/token?token=secret-token', '/api/other-doc', '/api/nested']) {
      const res = await fetch(url + path, { method: 'POST' })
      answers.push([path, res.status, await res.json()])
    }
    expect((await fetch(`${url}/api/body`, { method: 'PUT', body: 'more than ten bytes' })).status).toBe(413)
    expect(answers.map(([, status]) => status)).toEqual([403, 503, 401, 403, 413])
    expect(answers[2]![2]).toEqual({ error: 'missing token' })
    expect(problems.map((p) => p.kind)).toEqual(['origin', 'import-cap', 'access', 'access', 'too-large', 'too-large'])
    expect(problems[2]!.message).toMatch(/^missing token \(POST \/api\/token from 127\.0\.0\.1\)$/)
    expect(JSON.stringify(problems)).not.toContain('secret-token')
    // A refusal is the client's doing, not the server's: no error to look into, 503 included.
    expect(logged.filter((line) => line.level === 'error')).toEqual([])
  })

  it('counts no refusal for what is not one, and logs failures of its own as errors', async () => {
    const { url, problems, logged } = await serve({
      '/api/missing': () => new HttpError(404, 'no API route /api/missing'),
      '/api/unknown-doc': () => new DocsError('not-found', 'no document named "x"'),
      '/api/broken': () => new Error('database on fire'),
    })
    expect((await fetch(`${url}/api/missing`)).status).toBe(404)
    expect((await fetch(`${url}/api/unknown-doc`)).status).toBe(404)
    const broken = await fetch(`${url}/api/broken`)
    expect({ status: broken.status, body: await broken.json() }).toEqual({ status: 500, body: { error: 'internal error' } })
    expect(problems).toEqual([])
    expect(logged).toMatchObject([{ level: 'error', event: 'http.error', path: '/api/broken', error: 'database on fire' }])
  })

  it('answers a browser navigating to an app address with a page, and the API with JSON', async () => {
    const { url } = await serve({ '/d/*name': () => new HttpError(421, 'this server answers only loopback host names', 'host'), '/api/x': () => new HttpError(421, 'no', 'host') })
    const page = await fetch(`${url}/d/notes`, { headers: { accept: 'text/html' } })
    expect(page.headers.get('content-type')).toMatch(/^text\/html/)
    expect(await page.text()).toContain('this server answers only loopback host names')
    const api = await fetch(`${url}/api/x`, { headers: { accept: 'text/html' } })
    expect(await api.json()).toEqual({ error: 'no' })
  })
})
