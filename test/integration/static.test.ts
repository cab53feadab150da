import { request } from 'node:http'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer, type TestServer } from '../helpers/server.js'

let server: TestServer

beforeAll(async () => {
  server = await startServer()
})

afterAll(async () => {
  await server?.stop()
})

/** A raw GET: the bytes as they crossed the wire (never decompressed) and the headers. */
function get(path: string, acceptEncoding?: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}${path}`, { headers: acceptEncoding ? { 'accept-encoding': acceptEncoding } : {} }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('built assets', () => {
  it('go out brotli- or gzip-compressed as the client accepts, hashed ones cached for good', async () => {
    const page = await get('/d/anything')
    const script = /src="(\/assets\/doc-[\w-]+\.js)"/.exec(page.body.toString())?.[1]
    expect(script).toBeDefined()
    const plain = await get(script!)
    const br = await get(script!, 'gzip, deflate, br')
    const gzip = await get(script!, 'gzip')
    expect(plain.headers['content-encoding']).toBeUndefined()
    expect(br.headers['content-encoding']).toBe('br')
    expect(gzip.headers['content-encoding']).toBe('gzip')
    for (const answer of [plain, br, gzip]) {
      expect(answer.status).toBe(200)
      expect(answer.headers['content-type']).toMatch(/^text\/javascript|^application\/javascript/)
      expect(answer.headers['cache-control']).toBe('public, max-age=31536000, immutable')
      expect(answer.headers.vary).toMatch(/Accept-Encoding/)
    }
    expect(brotliDecompressSync(br.body).equals(plain.body)).toBe(true)
    expect(gunzipSync(gzip.body).equals(plain.body)).toBe(true)
    expect(br.body.length).toBeLessThan(plain.body.length / 3)
  })

  it('serve the embed compressed, minified and open to other origins, and the pages and service worker revalidated', async () => {
    const embed = await get('/embed/quire-editor.js', 'br')
    expect(embed.headers['content-encoding']).toBe('br')
    expect(embed.headers['access-control-allow-origin']).toBe('*')
    expect(embed.headers['cache-control']).toBe('no-cache')
    const code = brotliDecompressSync(embed.body).toString()
    // Minified: long lines (licence comments keep some breaks), not one statement per line.
    expect(code.length / code.split('\n').length).toBeGreaterThan(2000)

    const worker = await get('/sw.js')
    expect(worker.status).toBe(200)
    expect(worker.headers['content-type']).toMatch(/javascript/)
    expect(worker.headers['cache-control']).toBe('no-cache')
    expect(worker.body.toString()).toContain('/assets/')
    expect((await get('/', 'br')).headers['content-encoding']).toBe('br')
    expect((await get('/assets/nothing-here.js')).status).toBe(404)
    expect((await get('/assets/..%2F..%2Fserver%2Fmain.js')).status).toBe(404)
  })
})
