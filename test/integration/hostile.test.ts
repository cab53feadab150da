import * as encoding from 'lib0/encoding'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { type TestClient, connectClient } from '../helpers/client.js'
import { type TestServer, startServer } from '../helpers/server.js'
import { until } from '../helpers/until.js'

const MAX_MESSAGE = 64 * 1024
let server: TestServer
let a: TestClient
let b: TestClient

beforeAll(async () => {
  server = await startServer({ args: ['--max-message-bytes', String(MAX_MESSAGE)] })
  a = connectClient(server.wsUrl, 'shared')
  b = connectClient(server.wsUrl, 'shared')
  await Promise.all([a.synced(), b.synced()])
})
afterAll(async () => {
  a.destroy()
  b.destroy()
  await server.stop()
})

/** Opens a raw socket on `doc`, sends `frame` and resolves with how the server closed it. */
function sendRaw(doc: string, frame: Uint8Array | string) {
  return new Promise<{ code: number; reason: string }>((resolve, reject) => {
    const ws = new WebSocket(`${server.wsUrl}/${doc}`)
    ws.on('open', () => ws.send(frame))
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }))
    ws.on('error', () => {})
    setTimeout(() => reject(new Error('the server did not close the socket')), 10_000)
  })
}

const message = (...parts: Array<(e: encoding.Encoder) => void>) => {
  const e = encoding.createEncoder()
  for (const part of parts) part(e)
  return encoding.toUint8Array(e)
}
const uint = (n: number) => (e: encoding.Encoder) => encoding.writeVarUint(e, n)
const bytes = (b: Uint8Array) => (e: encoding.Encoder) => encoding.writeVarUint8Array(e, b)

/** After each hostile socket, the two honest clients still edit together. */
async function stillSyncing(marker: string) {
  a.text.insert(a.text.length, marker)
  await until(() => expect(b.text.toString()).toContain(marker))
}

describe('bad input closes only the socket that sent it', () => {
  const cases: Array<[string, Uint8Array | string, number]> = [
    ['an undecodable frame', new Uint8Array([0, 0, 200]), 1002],
    ['an unknown message type', message(uint(9)), 1002],
    ['an unknown sync message type', message(uint(0), uint(7), bytes(new Uint8Array([0]))), 1002],
    ['a text frame', 'hello', 1002],
    ['an invalid Yjs update', message(uint(0), uint(2), bytes(new Uint8Array([1, 2, 3, 255, 255]))), 1002],
    ['an invalid awareness update', message(uint(1), bytes(new Uint8Array([5, 1, 2]))), 1002],
    ['a message over the size limit', message(uint(0), uint(2), bytes(new Uint8Array(MAX_MESSAGE + 1))), 1009],
  ]
  for (const [what, frame, code] of cases) {
    it(`closes with ${code} on ${what}`, async () => {
      expect((await sendRaw('shared', frame)).code).toBe(code)
      await stillSyncing(`[after ${what}]`)
    })
  }

  it('keeps the document intact for new joiners after all of it', async () => {
    const late = connectClient(server.wsUrl, 'shared')
    await late.synced()
    expect(late.text.toString()).toBe(a.text.toString())
    late.destroy()
  })
})

describe('document names at the upgrade', () => {
  const upgradeStatus = (path: string) =>
    new Promise<number>((resolve) => {
      const ws = new WebSocket(`${server.wsUrl}${path}`)
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
      ws.on('open', () => {
        ws.close()
        resolve(101)
      })
      ws.on('error', () => {})
    })

  it.each([
    ['empty', '/'],
    ['over 256 UTF-8 bytes', `/${'é'.repeat(129)}`],
    ['with a control character', '/bad%01name'],
    ['with an undecodable % escape', '/bad%ZZ'],
  ])('refuses a name that is %s with HTTP 400', async (_what, path) => {
    expect(await upgradeStatus(path)).toBe(400)
  })

  it('accepts a name of exactly 256 bytes and names with query strings', async () => {
    expect(await upgradeStatus(`/${'a'.repeat(256)}`)).toBe(101)
    expect(await upgradeStatus('/notes%2F2024?token=abc')).toBe(101)
  })
})

describe('flooding', () => {
  it('closes a client over its rate limit with 1008 while others go on', async () => {
    const limited = await startServer({ args: ['--rate-limit', '20'] })
    try {
      const honest = [connectClient(limited.wsUrl, 'flood'), connectClient(limited.wsUrl, 'flood')]
      await Promise.all(honest.map((c) => c.synced()))
      const closed = new Promise<number>((resolve) => {
        const ws = new WebSocket(`${limited.wsUrl}/flood`)
        ws.on('open', () => {
          for (let i = 0; i < 1000; i++) ws.send(message(uint(3)))
        })
        ws.on('close', (code) => resolve(code))
        ws.on('error', () => {})
      })
      expect(await closed).toBe(1008)
      honest[0]!.text.insert(0, 'unaffected')
      await until(() => expect(honest[1]!.text.toString()).toBe('unaffected'))
      for (const c of honest) c.destroy()
    } finally {
      await limited.stop()
    }
  })
})

/** A sync update frame carrying a valid Yjs update of about `size` bytes (a new client's text). */
function bigUpdate(size: number): Uint8Array {
  const doc = new Y.Doc()
  doc.getText('bulk').insert(0, 'x'.repeat(size))
  return message(uint(0), uint(2), bytes(Y.encodeStateAsUpdate(doc)))
}

/** A `/metrics` sample: the value of the first line starting with `series`. */
async function metric(url: string, series: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text()
  const line = text.split('\n').find((l) => l.startsWith(series))
  return line === undefined ? 0 : Number(line.slice(series.length).trim())
}

describe('byte budget', () => {
  it('closes a client sending more bytes per second than its budget with 1008 while others go on', async () => {
    // 64 KiB/s: a burst of 640 KiB, then the rate.
    const limited = await startServer({ args: ['--byte-rate-limit', '65536', '--max-message-bytes', '65536'] })
    try {
      const honest = [connectClient(limited.wsUrl, 'bytes'), connectClient(limited.wsUrl, 'bytes')]
      await Promise.all(honest.map((c) => c.synced()))
      const closed = new Promise<{ code: number; reason: string }>((resolve) => {
        const ws = new WebSocket(`${limited.wsUrl}/bytes`)
        // 20 valid updates of 60 KiB: 1.2 MiB at once, 50 messages under the message rate limit.
        ws.on('open', () => {
          for (let i = 0; i < 20; i++) ws.send(bigUpdate(60 * 1024))
        })
        ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }))
        ws.on('error', () => {})
      })
      expect(await closed).toEqual({ code: 1008, reason: 'over 65536 bytes per second' })
      honest[0]!.text.insert(0, 'unaffected')
      await until(() => expect(honest[1]!.text.toString()).toBe('unaffected'))
      expect(await metric(limited.url, 'quire_errors_total{kind="byte-rate-limit"}')).toBe(1)
      for (const c of honest) c.destroy()
    } finally {
      await limited.stop()
    }
  })
})

describe('connection caps', () => {
  let capped: TestServer
  beforeAll(async () => {
    capped = await startServer({ args: ['--max-connections-per-ip', '4', '--max-event-streams', '2'] })
    await fetch(`${capped.url}/api/docs/watched/content?format=text`, { method: 'PUT', body: 'x' })
  })
  afterAll(async () => {
    await capped.stop()
  })

  /** Opens a raw socket; resolves with it once open, or with the HTTP status that refused it. */
  const open = (doc: string) =>
    new Promise<WebSocket | number>((resolve) => {
      const ws = new WebSocket(`${capped.wsUrl}/${doc}`)
      ws.on('open', () => resolve(ws))
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
      ws.on('error', () => {})
    })
  const stream = async () => {
    const abort = new AbortController()
    const res = await fetch(`${capped.url}/api/docs/watched/events`, { signal: abort.signal })
    return { status: res.status, close: () => abort.abort() }
  }

  it('refuses connections past the per-IP cap with 429, counting event streams too, until one closes', async () => {
    const sockets = (await Promise.all(['a', 'b', 'c'].map(open))) as WebSocket[]
    const events = await stream()
    expect(events.status).toBe(200)
    expect(await open('d')).toBe(429)
    expect((await stream()).status).toBe(429)
    const closed = new Promise((resolve) => sockets[0]!.once('close', resolve))
    sockets[0]!.close()
    await closed
    const again = await until(async () => {
      const ws = await open('d')
      expect(ws).toBeInstanceOf(WebSocket)
      return ws as WebSocket
    })
    expect(await metric(capped.url, 'quire_errors_total{kind="connection-cap"}')).toBe(2)
    for (const ws of [...sockets, again]) ws.close()
    events.close()
  })

  it('refuses event streams past the cap with 503 and counts the open ones in metrics', async () => {
    // The streams and sockets of the test before are gone once the server has seen them close.
    await until(async () => expect(await metric(capped.url, 'quire_event_streams')).toBe(0))
    await until(async () => expect(await metric(capped.url, 'quire_connections')).toBe(0))
    const streams = [await stream(), await stream()]
    expect(streams.map((s) => s.status)).toEqual([200, 200])
    expect((await stream()).status).toBe(503)
    expect(await metric(capped.url, 'quire_event_streams')).toBe(2)
    for (const s of streams) s.close()
    await until(async () => expect(await metric(capped.url, 'quire_event_streams')).toBe(0))
  })
})
