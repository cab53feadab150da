import fc from 'fast-check'
import * as encoding from 'lib0/encoding'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { type TestClient, connectClient } from '../helpers/client.js'
import { seeded } from '../helpers/seed.js'
import { type TestServer, startServer } from '../helpers/server.js'
import { until } from '../helpers/until.js'

// Random and mutated frames of every kind a client may send, from one socket at a time, against a
// real server: whatever a socket sends, only that socket is affected. `QUIRE_FUZZ_SEED=n` replays a run.
const { seed } = seeded('QUIRE_FUZZ_SEED')
const RUNS = 300
const MAX_MESSAGE = 256 * 1024

let server: TestServer
let ada: TestClient
let bob: TestClient

beforeAll(async () => {
  server = await startServer({ args: ['--max-message-bytes', String(MAX_MESSAGE)] })
  ada = connectClient(server.wsUrl, 'fuzz')
  bob = connectClient(server.wsUrl, 'fuzz')
  ada.provider.awareness.setLocalStateField('user', { name: 'Ada', color: '#e91e63' })
  await Promise.all([ada.synced(), bob.synced()])
})
afterAll(async () => {
  ada?.destroy()
  bob?.destroy()
  await server?.stop()
})

const frame = (write: (e: encoding.Encoder) => void) => {
  const e = encoding.createEncoder()
  write(e)
  return encoding.toUint8Array(e)
}
const syncFrame = (syncType: number, payload: Uint8Array) =>
  frame((e) => {
    encoding.writeVarUint(e, 0)
    encoding.writeVarUint(e, syncType)
    encoding.writeVarUint8Array(e, payload)
  })
const awarenessFrame = (entries: Array<{ id: number; clock: number; state: string }>) =>
  frame((e) => {
    encoding.writeVarUint(e, 1)
    const inner = encoding.createEncoder()
    encoding.writeVarUint(inner, entries.length)
    for (const { id, clock, state } of entries) {
      encoding.writeVarUint(inner, id)
      encoding.writeVarUint(inner, clock)
      encoding.writeVarString(inner, state)
    }
    encoding.writeVarUint8Array(e, encoding.toUint8Array(inner))
  })
const QUERY = new Uint8Array([3])

/** A valid Yjs update from a fresh client: text, maps and XML, as editors write. */
const validUpdate = fc.record({ text: fc.string({ maxLength: 200 }), key: fc.string({ maxLength: 10 }), value: fc.jsonValue({ maxDepth: 2 }) }).map(({ text, key, value }) => {
  const doc = new Y.Doc()
  doc.getText('scratch').insert(0, text)
  doc.getMap('m').set(key, value)
  doc.getXmlFragment('prosemirror').insert(0, [new Y.XmlElement('paragraph')])
  return Y.encodeStateAsUpdate(doc)
})

/** An awareness entry: a fresh id, one of the honest clients' ids (a spoof), a state of any JSON or size. */
const awarenessEntry = fc.record({
  id: fc.oneof(fc.nat(), fc.constant(-1), fc.constant(-2)),
  clock: fc.oneof(fc.nat(5), fc.nat()),
  state: fc.oneof(fc.constant('null'), fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)), fc.nat(100_000).map((n) => JSON.stringify({ user: { name: 'x'.repeat(n) } })), fc.string()),
})

/** Flips, cuts, grows or overwrites a well-formed frame. */
const mutated = (base: fc.Arbitrary<Uint8Array>) =>
  fc.tuple(base, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('flip', 'cut', 'grow', 'byte')).map(([bytes, at, value, how]) => {
    if (bytes.length === 0) return bytes
    const i = at % bytes.length
    if (how === 'cut') return bytes.slice(0, i)
    if (how === 'grow') return Uint8Array.from([...bytes.slice(0, i), value, ...bytes.slice(i)])
    const copy = Uint8Array.from(bytes)
    copy[i] = how === 'flip' ? copy[i]! ^ (1 << (value % 8)) : value
    return copy
  })

const wellFormed = fc.oneof(
  validUpdate.map((u) => syncFrame(2, u)),
  validUpdate.map((u) => syncFrame(1, u)),
  fc.uint8Array({ maxLength: 64 }).map((sv) => syncFrame(0, sv)),
  fc.array(awarenessEntry, { minLength: 1, maxLength: 40 }).map((entries) => awarenessFrame(entries.map((e) => ({ ...e, id: e.id === -1 ? ada.doc.clientID : e.id === -2 ? bob.doc.clientID : e.id })))),
  fc.constant(QUERY),
)

/** What a hostile socket sends in one go: one frame, or a flood of query-awareness. */
const anyFrames = fc.oneof(
  { weight: 3, arbitrary: wellFormed.map((f) => [f]) },
  { weight: 3, arbitrary: mutated(wellFormed).map((f) => [f]) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 512 }).map((f) => [f]) },
  { weight: 1, arbitrary: fc.integer({ min: 20, max: 60 }).map((n) => Array.from({ length: n }, () => QUERY)) },
)

/**
 * Sends `frames` on a fresh socket, then a sync step 1: frames are handled in order, so once its
 * answer (or a close) arrives, the server has dealt with everything before it.
 */
function hostileSession(frames: Uint8Array[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${server.wsUrl}/fuzz`)
    const timer = setTimeout(() => reject(new Error('the server neither answered nor closed the socket')), 20_000)
    const done = () => {
      clearTimeout(timer)
      ws.terminate()
      resolve()
    }
    ws.on('open', () => {
      for (const f of frames) ws.send(f)
      ws.send(syncFrame(0, new Uint8Array([0])))
    })
    ws.on('message', (data: Buffer) => {
      // The answer to the final step 1: a sync step 2 (type 0, then 1).
      if (data[0] === 0 && data[1] === 1) done()
    })
    ws.on('close', done)
    ws.on('error', () => {})
  })
}

async function rss(): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text()
  return Number(/^quire_process_resident_memory_bytes (\d+)/m.exec(text)![1])
}

describe(`protocol fuzz (QUIRE_FUZZ_SEED=${seed})`, () => {
  it('affects only the socket that sends it: two honest clients keep syncing and Ada keeps her presence', async () => {
    const baseline = await rss()
    let round = 0
    await fc.assert(
      fc.asyncProperty(fc.array(anyFrames, { minLength: 1, maxLength: 12 }), async (sends) => {
        await hostileSession(sends.flat())
        const marker = `<${++round}>`
        ada.text.insert(ada.text.length, marker)
        await until(() => expect(bob.text.toString()).toContain(marker))
        expect(bob.provider.awareness.getStates().get(ada.doc.clientID)?.user?.name).toBe('Ada')
      }),
      { seed, numRuns: RUNS },
    )
    expect(ada.text.toString()).toBe(bob.text.toString())
    // What the sockets took is freed once they are gone (V8 keeps some pages: a bound, not zero).
    await until(async () => expect(await rss()).toBeLessThan(baseline + 96 * 1024 * 1024), { timeout: 30_000, interval: 500 })
  })
})
