import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import express, { type ErrorRequestHandler } from 'express'
import { afterEach, describe, expect, it } from 'vitest'
import { HttpError } from '../../../server/http/http-error.js'
import { refuseOtherMethods } from '../../../server/http/methods.js'

let server: Server | null = null
afterEach(async () => {
  await new Promise((closed) => server?.close(closed))
  server = null
})

/** A server with a router of a few routes, refusing their other methods, and a JSON error mapping. */
async function serve(): Promise<string> {
  const router = express.Router()
  router.get('/docs', (_req, res) => void res.json('list'))
  router.get('/docs/:name', (_req, res) => void res.json('one'))
  router.delete('/docs/:name', (_req, res) => void res.status(204).end())
  router.post('/docs/:name/compact', (_req, res) => void res.json('compacted'))
  refuseOtherMethods(router)
  const errors: ErrorRequestHandler = (error: Error, _req, res, _next) => {
    res.status(error instanceof HttpError ? error.status : 500).json({ error: error.message })
  }
  server = createServer(express().use(router, errors))
  await new Promise<void>((listening) => server!.listen(0, '127.0.0.1', listening))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

describe('refuseOtherMethods', () => {
  it('answers another method on a known path with 405, naming the methods it takes in Allow', async () => {
    const url = await serve()
    for (const [method, path, allow] of [
      ['DELETE', '/docs', 'GET, HEAD'],
      ['PATCH', '/docs/x', 'GET, HEAD, DELETE'],
      ['PUT', '/docs/x', 'GET, HEAD, DELETE'],
      ['GET', '/docs/x/compact', 'POST'],
    ] as const) {
      const res = await fetch(url + path, { method })
      expect({ method, path, status: res.status, allow: res.headers.get('allow') }).toEqual({ method, path, status: 405, allow })
      expect(await res.json()).toEqual({ error: `${method} is not allowed on ${path}; use ${allow}` })
    }
  })

  it('leaves the methods a path takes to its routes, HEAD where there is GET, and unknown paths alone', async () => {
    const url = await serve()
    expect(await (await fetch(`${url}/docs/x`)).json()).toBe('one')
    expect((await fetch(`${url}/docs/x`, { method: 'DELETE' })).status).toBe(204)
    expect((await fetch(`${url}/docs/x`, { method: 'HEAD' })).status).toBe(200)
    expect((await fetch(`${url}/nothing`, { method: 'PATCH' })).status).toBe(404)
  })

  it('answers an OPTIONS request with 204 and Allow', async () => {
    const url = await serve()
    const res = await fetch(`${url}/docs/x/compact`, { method: 'OPTIONS' })
    expect(res.status).toBe(204)
    expect(res.headers.get('allow')).toBe('POST')
  })
})
