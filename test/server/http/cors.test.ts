import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import express from 'express'
import { afterEach, describe, expect, it } from 'vitest'
import { apiCors } from '../../../server/http/cors.js'

let server: Server | null = null
afterEach(async () => {
  await new Promise((closed) => server?.close(closed))
  server = null
})

/** A server whose `/api` has `apiCors(allowed)` in front of a route answering every method with 200. */
async function serve(allowed: string[]): Promise<string> {
  const app = express()
  app.use('/api', apiCors(allowed))
  app.all('/api/docs', (_req, res) => {
    res.json({ reached: true })
  })
  server = createServer(app)
  await new Promise<void>((listening) => server!.listen(0, '127.0.0.1', listening))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/docs`
}

const preflight = (url: string, origin: string) =>
  fetch(url, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'authorization, content-type' } })

describe('apiCors', () => {
  it('names an allowed origin on its answers, whatever the method, and no other origin', async () => {
    const url = await serve(['https://app.example'])
    for (const method of ['GET', 'PUT', 'POST', 'DELETE']) {
      const res = await fetch(url, { method, headers: { origin: 'https://app.example' } })
      expect({ method, allowed: res.headers.get('access-control-allow-origin') }).toEqual({ method, allowed: 'https://app.example' })
      expect(res.headers.get('vary')).toBe('Origin')
    }
    const other = await fetch(url, { headers: { origin: 'https://evil.example' } })
    expect(other.headers.get('access-control-allow-origin')).toBeNull()
    expect(other.headers.get('vary')).toBe('Origin')
    expect((await fetch(url)).headers.get('access-control-allow-origin')).toBeNull()
  })

  it('answers the preflight of an allowed origin with the methods and the headers the API takes', async () => {
    const url = await serve(['https://app.example'])
    const res = await preflight(url, 'https://app.example')
    expect(res.status).toBe(204)
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example')
    expect(res.headers.get('access-control-allow-methods')).toBe('GET, HEAD, PUT, POST, DELETE')
    expect(res.headers.get('access-control-allow-headers')).toBe('Authorization, Content-Type, Last-Event-ID')
    expect(res.headers.get('access-control-allow-credentials')).toBeNull()
  })

  it('leaves the preflight of another origin, and an OPTIONS that is no preflight, to the routes', async () => {
    const url = await serve(['https://app.example'])
    const other = await preflight(url, 'https://evil.example')
    expect(await other.json()).toEqual({ reached: true })
    expect(other.headers.get('access-control-allow-methods')).toBeNull()
    const plain = await fetch(url, { method: 'OPTIONS', headers: { origin: 'https://app.example' } })
    expect(await plain.json()).toEqual({ reached: true })
  })

  it('follows the default rule without --allowed-origins: the server’s own and loopback origins only', async () => {
    const url = await serve([])
    const own = new URL(url).origin
    for (const origin of [own, 'http://localhost:5173', 'http://[::1]:8080']) {
      expect((await fetch(url, { headers: { origin } })).headers.get('access-control-allow-origin')).toBe(origin)
    }
    for (const origin of ['https://evil.example', 'null']) {
      expect((await fetch(url, { headers: { origin } })).headers.get('access-control-allow-origin')).toBeNull()
    }
  })

  it("names any origin with '*'", async () => {
    const url = await serve(['*'])
    expect((await preflight(url, 'https://embedding-site.example')).headers.get('access-control-allow-origin')).toBe('https://embedding-site.example')
  })
})
