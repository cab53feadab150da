import { connect, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectClient, type TestClient } from '../helpers/client.js'
import { startServer, type TestServer } from '../helpers/server.js'
import { until } from '../helpers/until.js'

let server: TestServer
const clients: TestClient[] = []

beforeAll(async () => {
  server = await startServer()
})
afterAll(async () => {
  for (const client of clients) client.destroy()
  await server.stop()
})

const put = (doc: string, format: string, body: string) => fetch(`${server.url}/api/docs/${doc}/content?format=${format}`, { method: 'PUT', body })
const error = async (res: Response) => ((await res.json()) as { error: string }).error

/** A Markdown book of `paragraphs` paragraphs of about 100 bytes each. */
function book(paragraphs: number): string {
  const parts: string[] = []
  for (let i = 0; i < paragraphs; i++) parts.push(`Paragraph ${i} of a long book that someone imports all at once, to see what happens.\n\n`)
  return parts.join('')
}

/** Waits for `work` while asking /healthz again and again; resolves with its result and how long each answer took. */
async function whileProbingHealth<T>(work: Promise<T>): Promise<{ result: T; latencies: number[] }> {
  let finished = false
  const done = work.finally(() => (finished = true))
  const latencies: number[] = []
  while (!finished) {
    const started = performance.now()
    const health = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(10_000) })
    expect(health.status).toBe(200)
    latencies.push(performance.now() - started)
  }
  return { result: await done, latencies }
}

/**
 * An import of a 1 MB body that sends its first 3 bytes and then nothing, over a raw socket. It
 * asks for `100 Continue`, which the server sends as it hands the request to its routes, so once
 * that came back, every route middleware up to reading the body has run.
 */
async function stalledImport(doc: string): Promise<Socket> {
  const socket = connect(server.port, '127.0.0.1')
  socket.on('error', () => {})
  socket.write(`PUT /api/docs/${doc}/content?format=text HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nContent-Length: 1000000\r\nExpect: 100-continue\r\n\r\n`)
  const answer = await new Promise<string>((resolve) => socket.once('data', (data) => resolve(String(data))))
  expect(answer).toMatch(/^HTTP\/1\.1 100 Continue/)
  socket.write('abc')
  return socket
}

describe('imports that could harm the server', () => {
  it('lets a client that starts imports and stalls turn no other import away', async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200)
    const stalled = await Promise.all(Array.from({ length: 8 }, (_, i) => stalledImport(`stalled-${i}`)))
    try {
      // The app's "New document" is an empty import.
      const fresh = await put('new-document', 'text', '')
      expect(fresh.status).toBe(200)
      expect((await put('another', 'markdown', '# hello')).status).toBe(200)
    } finally {
      for (const socket of stalled) socket.destroy()
    }
  })

  it('refuses a body over --max-import-bytes (8 MiB by default) with 413, answering /healthz all the while', async () => {
    const over = await put('huge', 'text', 'x'.repeat(8 * 1024 * 1024 + 1))
    expect(over.status).toBe(413)
    expect(await error(over)).toBe('the import is larger than the limit of 8388608 bytes (--max-import-bytes or QUIRE_MAX_IMPORT_BYTES)')
    // The import that ran the server out of memory: 30 MB of Markdown (64 MiB were allowed).
    const { result, latencies } = await whileProbingHealth(put('huge', 'markdown', book(300_000)))
    expect(result.status).toBe(413)
    expect(Math.max(...latencies)).toBeLessThan(2_000)
    expect((await fetch(`${server.url}/api/docs/huge`)).status).toBe(404)
  })

  it('refuses JSON that breaks the schema with 400, through the same check as the CLI, storing nothing', async () => {
    const res = await put('misplaced', 'json', '{"type":"doc","content":[{"type":"list_item","content":[{"type":"paragraph"}]}]}')
    expect(res.status).toBe(400)
    expect(await error(res)).toBe('not a quire JSON document: Invalid content for node doc: <list_item(paragraph)>')
    expect((await fetch(`${server.url}/api/docs/misplaced`)).status).toBe(404)
  })

  it('refuses 20,000 nested blockquotes with 413, not a stack overflow', async () => {
    const res = await put('deep', 'html', `${'<blockquote>'.repeat(20_000)}deep${'</blockquote>'.repeat(20_000)}`)
    expect(res.status).toBe(413)
    expect(await error(res)).toBe('the document is nested more than 128 levels deep')
    const json = await put('deep', 'json', `${'{"type":"doc","content":['.repeat(5_000)}${']}'.repeat(5_000)}`)
    expect(json.status).toBe(413)
  })

  it('refuses more nodes than a document may have (100,000) with 413', async () => {
    const res = await put('many', 'text', 'line\n'.repeat(100_001))
    expect(res.status).toBe(413)
    expect(await error(res)).toBe('the document has more than 100000 lines')
    const html = await put('many', 'html', '<p>a<br>b</p>'.repeat(30_000))
    expect(html.status).toBe(413)
    expect(await error(html)).toBe('the document has more than 100000 nodes')
  })

  it('answers /healthz within 2 s all through a big import and a big export, and open editors receive all of it', async () => {
    const watcher = connectClient(server.wsUrl, 'book')
    clients.push(watcher)
    await watcher.synced()
    // 45,000 paragraphs (90,000 nodes, 4 MiB): just under the node limit.
    const text = book(45_000)
    const imported = await whileProbingHealth(put('book', 'markdown', text))
    expect(imported.result.status).toBe(200)
    expect(imported.latencies.length).toBeGreaterThan(1)
    expect(Math.max(...imported.latencies)).toBeLessThan(2_000)
    const fragment = watcher.doc.getXmlFragment('prosemirror')
    await until(() => expect(fragment.length).toBe(45_000), { timeout: 30_000 })

    for (const format of ['markdown', 'html']) {
      const exported = await whileProbingHealth(fetch(`${server.url}/api/docs/book/content?format=${format}`).then((res) => res.text()))
      expect(Math.max(...exported.latencies)).toBeLessThan(2_000)
      if (format === 'markdown') expect(exported.result).toBe(text.replace(/\n\n$/, '\n'))
      else expect(exported.result.split('\n')).toHaveLength(45_001)
    }
  })

  it('takes a few imports at once, one at a time, and answers 503 beyond them', async () => {
    const statuses = await Promise.all(Array.from({ length: 8 }, (_, i) => put(`queued-${i}`, 'markdown', book(5_000)).then((res) => res.status)))
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(4)
    expect(statuses.filter((s) => s !== 200)).toEqual(statuses.filter((s) => s === 503))
    expect(statuses).toContain(503)
    // Each is a refusal, counted as such.
    const metrics = await (await fetch(`${server.url}/metrics`)).text()
    expect(metrics).toContain(`quire_errors_total{kind="import-cap"} ${statuses.filter((s) => s === 503).length}\n`)
  })
})
