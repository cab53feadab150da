import * as encoding from 'lib0/encoding'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
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
