import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { mintToken } from '../../server/guard/access.js'
import { type TestClient, connectClient } from '../helpers/client.js'
import { type TestServer, startServer } from '../helpers/server.js'
import { until } from '../helpers/until.js'

const SECRET = 'correct horse battery staple'
let server: TestServer
const clients: TestClient[] = []
const token = (doc: string, write = true, ttlSeconds = 3600) => mintToken(SECRET, { doc, write, ttlSeconds })
const connect = (doc: string, t?: string) => {
  const client = connectClient(server.wsUrl, doc, { params: t ? { token: t } : {} })
  clients.push(client)
  return client
}

beforeAll(async () => {
  server = await startServer({ env: { QUIRE_SECRET: SECRET }, args: ['--allowed-origins', 'https://app.example'] })
})
afterAll(async () => {
  for (const client of clients) client.destroy()
  await server.stop()
})

/** Connects a raw socket and collects the frames it gets until the server closes it. */
const refusal = (path: string) =>
  new Promise<{ code: number; frames: Buffer[] }>((resolve) => {
    const ws = new WebSocket(`${server.wsUrl}${path}`)
    const frames: Buffer[] = []
    ws.on('message', (data) => frames.push(data as Buffer))
    ws.on('close', (code) => resolve({ code, frames }))
  })

describe('access control with QUIRE_SECRET', () => {
  it('answers a missing token with auth "permission denied" and closes 4401', async () => {
    const { code, frames } = await refusal('/private')
    expect(code).toBe(4401)
    expect([...frames[0]!.subarray(0, 2)]).toEqual([2, 0])
    expect(frames[0]!.toString()).toContain('missing token')
  })

  it('closes 4401 for an invalid or expired token and 4403 for a token of another document', async () => {
    expect((await refusal('/private?token=not.a.jwt')).code).toBe(4401)
    expect((await refusal(`/private?token=${await token('private', true, -60)}`)).code).toBe(4401)
    expect((await refusal(`/private?token=${await mintToken('another secret', { doc: 'private', write: true, ttlSeconds: 60 })}`)).code).toBe(4401)
    expect((await refusal(`/private?token=${await token('other-doc')}`)).code).toBe(4403)
  })

  it('lets a "*" token open any document', async () => {
    const client = connect('any-doc', await token('*'))
    await client.synced()
    expect(client.provider.wsconnected).toBe(true)
  })

  it('gives a read-only connection everything but drops its document updates, keeping its awareness', async () => {
    const writer = connect('ro', await token('ro'))
    const reader = connect('ro', await token('ro', false))
    await Promise.all([writer.synced(), reader.synced()])
    writer.text.insert(0, 'from the writer')
    await until(() => expect(reader.text.toString()).toBe('from the writer'))

    reader.text.insert(0, 'IGNORED ')
    reader.provider.awareness.setLocalStateField('user', { name: 'Reader', color: '#123456' })
    await until(() => expect(writer.provider.awareness.getStates().get(reader.doc.clientID)?.user?.name).toBe('Reader'))
    writer.text.insert(writer.text.length, '!')
    await until(() => expect(reader.text.toString()).toContain('from the writer!'))
    expect(writer.text.toString()).toBe('from the writer!')

    const late = connect('ro', await token('ro'))
    await late.synced()
    expect(late.text.toString()).toBe('from the writer!')
  })
})

describe('allowed origins', () => {
  it('refuses an upgrade from another Origin with HTTP 403 and accepts the allowed one', async () => {
    const status = (origin: string) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(`${server.wsUrl}/x`, { origin })
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
        ws.on('close', (code) => resolve(code))
        ws.on('error', () => {})
      })
    expect(await status('https://evil.example')).toBe(403)
    expect(await status('https://app.example')).toBe(4401) // past the origin guard, stopped by the token guard
  })
})
