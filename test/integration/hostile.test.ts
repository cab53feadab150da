import * as encoding from 'lib0/encoding'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { connectClient, type TestClient } from '../helpers/client.js'
import { startServer, type TestServer } from '../helpers/server.js'
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

describe('document size cap', () => {
  it('closes with 4413 and a readable reason the connection whose update would pass --max-doc-bytes, keeping the document', async () => {
    const small = await startServer({ args: ['--max-doc-bytes', '200000'] })
    try {
      const honest = [connectClient(small.wsUrl, 'capped'), connectClient(small.wsUrl, 'capped')]
      await Promise.all(honest.map((c) => c.synced()))
      honest[0]!.text.insert(0, 'before')
      await until(() => expect(honest[1]!.text.toString()).toBe('before'))

      // The official client, as an editor would use it, learns why from the close event.
      const big = connectClient(small.wsUrl, 'capped')
      await big.synced()
      const closed = big.closed()
      big.doc.getText('bulk').insert(0, 'x'.repeat(250_000))
      expect(await closed).toEqual({ code: 4413, reason: 'the document would pass its 200000-byte limit' })
      big.destroy()

      honest[0]!.text.insert(0, 'still ')
      await until(() => expect(honest[1]!.text.toString()).toBe('still before'))
      const late = connectClient(small.wsUrl, 'capped')
      await late.synced()
      expect(late.doc.getText('bulk').length).toBe(0)
      expect(late.text.toString()).toBe('still before')
      late.destroy()

      const put = await fetch(`${small.url}/api/docs/capped/content?format=text`, { method: 'PUT', body: 'y'.repeat(300_000) })
      expect(put.status).toBe(413)
      expect(await metric(small.url, 'quire_errors_total{kind="doc-too-big"}')).toBeGreaterThanOrEqual(1)
      for (const c of honest) c.destroy()
    } finally {
      await small.stop()
    }
  })
})

describe('awareness from a hostile connection', () => {
  // Default limits: awareness states up to 64 KiB in messages up to 16 MiB.
  let aware: TestServer
  beforeAll(async () => {
    aware = await startServer()
  })
  afterAll(async () => {
    await aware.stop()
  })
  /** An awareness message setting `states` (client id → state) at `clock`. */
  const awareness = (states: Array<[number, unknown]>, clock = 1) => {
    const e = encoding.createEncoder()
    encoding.writeVarUint(e, states.length)
    for (const [id, state] of states) {
      encoding.writeVarUint(e, id)
      encoding.writeVarUint(e, clock)
      encoding.writeVarString(e, JSON.stringify(state))
    }
    return message(uint(1), bytes(encoding.toUint8Array(e)))
  }
  /** A raw socket on `doc` that has been answered once (so the room has it), with what it receives. */
  const rawPeer = async (doc: string) => {
    const ws = new WebSocket(`${aware.wsUrl}/${doc}`)
    const frames: Buffer[] = []
    ws.on('message', (data) => frames.push(data as Buffer))
    const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })))
    await until(() => expect(frames.length).toBeGreaterThan(0))
    return { ws, frames, closed }
  }
  const states = (client: TestClient) => client.provider.awareness.getStates()

  it('drops a state over --max-awareness-bytes (64 KiB): nobody receives it, and the socket stays', async () => {
    const observer = connectClient(aware.wsUrl, 'names')
    await observer.synced()
    const hostile = await rawPeer('names')
    hostile.ws.send(awareness([[424242, { user: { name: 'n'.repeat(100_000), color: '#123456' } }]]))
    hostile.ws.send(awareness([[434343, { user: { name: 'Honest-sized', color: '#123456' } }]]))
    await until(() => expect(states(observer).get(434343)).toBeDefined())
    expect(states(observer).has(424242)).toBe(false)
    expect(hostile.ws.readyState).toBe(WebSocket.OPEN)
    expect(await metric(aware.url, 'quire_errors_total{kind="awareness-too-big"}')).toBe(1)
    hostile.ws.close()
    observer.destroy()
  })

  it('accepts at most 16 client ids from one connection', async () => {
    const observer = connectClient(aware.wsUrl, 'many-ids')
    await observer.synced()
    const hostile = await rawPeer('many-ids')
    hostile.ws.send(awareness(Array.from({ length: 200 }, (_, i) => [1_000_000 + i, { user: { name: `bot ${i}`, color: '#000000' } }])))
    const bots = (client: TestClient) => [...states(client).keys()].filter((id) => id >= 1_000_000 && id < 1_000_200)
    await until(() => expect(bots(observer)).toHaveLength(16))
    const joiner = connectClient(aware.wsUrl, 'many-ids')
    await joiner.synced()
    await until(() => expect(bots(joiner)).toHaveLength(16))
    hostile.ws.close()
    observer.destroy()
    joiner.destroy()
  })

  it('refuses to rename or remove another connection’s presence, also from a read-only or later socket', async () => {
    const victim = connectClient(aware.wsUrl, 'spoof')
    victim.provider.awareness.setLocalStateField('user', { name: 'Ada', color: '#e91e63' })
    const observer = connectClient(aware.wsUrl, 'spoof')
    await until(() => expect(states(observer).get(victim.doc.clientID)?.user?.name).toBe('Ada'))
    const hostile = await rawPeer('spoof')
    hostile.ws.send(awareness([[victim.doc.clientID, { user: { name: 'Mallory', color: '#000000' } }]], 1_000))
    hostile.ws.send(awareness([[victim.doc.clientID, null]], 1_001))
    // Something the hostile socket may do, sent after the spoofs: once it is seen, they were handled.
    hostile.ws.send(awareness([[777_777, { user: { name: 'Marker', color: '#000000' } }]]))
    await until(() => expect(states(observer).get(777_777)).toBeDefined())
    expect(states(observer).get(victim.doc.clientID)?.user?.name).toBe('Ada')
    expect(await metric(aware.url, 'quire_errors_total{kind="awareness-not-owned"}')).toBe(2)
    hostile.ws.close()
    victim.destroy()
    observer.destroy()
  })

  it('closes a socket flooding query-awareness with 1008 after a few answers', async () => {
    const hostile = await rawPeer('queries')
    const before = hostile.frames.length
    for (let i = 0; i < 200; i++) hostile.ws.send(message(uint(3)))
    expect(await hostile.closed).toEqual({ code: 1008, reason: 'over 1 query-awareness messages per second' })
    expect(hostile.frames.length - before).toBeLessThanOrEqual(10)
    const [x, y] = [connectClient(aware.wsUrl, 'queries'), connectClient(aware.wsUrl, 'queries')]
    x.text.insert(0, 'unaffected')
    await until(() => expect(y.text.toString()).toBe('unaffected'))
    x.destroy()
    y.destroy()
  })
})
