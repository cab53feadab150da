import * as bc from 'lib0/broadcastchannel'
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import * as awarenessProtocol from 'y-protocols/awareness'
import * as Y from 'yjs'
import { MessageType } from '../../shared/protocol.js'
import { connectClient, type TestClient } from '../helpers/client.js'
import { startServer, type TestServer } from '../helpers/server.js'
import { until } from '../helpers/until.js'

// What the official `y-websocket` client (3.x) relies on from a server, beyond relaying edits:
// hearing back within its 30 s watchdog, answers to its periodic resync, query-awareness, and
// close codes in 4400-4499 meaning "stop reconnecting".

let server: TestServer
const clients: TestClient[] = []
const connect = (doc: string, options: Parameters<typeof connectClient>[2] = {}) => {
  const client = connectClient(server.wsUrl, doc, options)
  clients.push(client)
  return client
}

beforeAll(async () => {
  server = await startServer()
})
afterAll(async () => {
  for (const client of clients) client.destroy()
  await server.stop()
})

/** Message types of every frame `provider` receives from now on (sync frames as `sync-<subtype>`). */
function receivedTypes(client: TestClient): string[] {
  const seen: string[] = []
  client.provider.ws?.addEventListener('message', (event: MessageEvent) => {
    const decoder = decoding.createDecoder(new Uint8Array(event.data as ArrayBuffer))
    const type = decoding.readVarUint(decoder)
    seen.push(type === MessageType.sync ? `sync-${decoding.readVarUint(decoder)}` : String(type))
  })
  return seen
}

describe('the official y-websocket client', () => {
  it('stays connected while alone and idle for 75 s: its awareness renewals come back to it', { timeout: 120_000 }, async () => {
    const lone = connect('keepalive')
    await lone.synced()
    const statuses: string[] = []
    const closes: number[] = []
    lone.provider.on('status', ({ status }: { status: string }) => statuses.push(status))
    lone.provider.on('connection-close', (event: CloseEvent | null) => closes.push(event?.code ?? 0))
    lone.text.insert(0, 'written alone')

    // The client's watchdog fires after 30 s of silence; 75 s spans two of its windows.
    await new Promise((resolve) => setTimeout(resolve, 75_000))

    expect(closes).toEqual([])
    expect(statuses).toEqual([])
    expect(lone.provider.wsconnected).toBe(true)
    expect(server.logs.filter((line) => line.event === 'doc.loaded' && line.doc === 'keepalive')).toHaveLength(1)
    expect(server.logs.filter((line) => line.event === 'doc.unloaded' && line.doc === 'keepalive')).toHaveLength(0)
  })

  it('gets a sync step 2 for each periodic resync it asks for', async () => {
    // y-websocket's resync timer reads the global `WebSocket.OPEN`, which Node 20 lacks (browsers
    // and Node 22 have it); the socket itself comes from the `ws` polyfill either way.
    globalThis.WebSocket ??= WebSocket as unknown as typeof globalThis.WebSocket
    const client = connect('resync', { resyncInterval: 200 })
    await client.synced()
    const types = receivedTypes(client)
    await until(() => expect(types.filter((type) => type === 'sync-1').length).toBeGreaterThanOrEqual(3))
  })

  it('gets every awareness state in answer to query-awareness', async () => {
    const present = connect('query')
    await present.synced()
    present.provider.awareness.setLocalStateField('user', { name: 'Ada', color: '#e91e63' })
    // Once a watcher sees Ada, the server holds her state.
    const watcher = connect('query')
    await until(() => expect(watcher.provider.awareness.getStates().get(present.doc.clientID)?.user).toEqual({ name: 'Ada', color: '#e91e63' }))

    const socket = new WebSocket(`${server.wsUrl}/query`)
    socket.binaryType = 'arraybuffer'
    const awarenessUpdates: Uint8Array[] = []
    socket.on('message', (data: ArrayBuffer) => {
      const decoder = decoding.createDecoder(new Uint8Array(data))
      if (decoding.readVarUint(decoder) === MessageType.awareness) awarenessUpdates.push(decoding.readVarUint8Array(decoder))
    })
    /** Who the `index`th awareness message received names, read into a fresh awareness. */
    const usersIn = (index: number) => {
      const states = new awarenessProtocol.Awareness(new Y.Doc())
      awarenessProtocol.applyAwarenessUpdate(states, awarenessUpdates[index]!, null)
      return states.getStates().get(present.doc.clientID)?.user
    }
    await new Promise((resolve) => socket.once('open', resolve))
    await until(() => expect(awarenessUpdates.length).toBeGreaterThan(0))
    const before = awarenessUpdates.length
    const query = encoding.createEncoder()
    encoding.writeVarUint(query, MessageType.queryAwareness)
    socket.send(encoding.toUint8Array(query))
    await until(() => expect(awarenessUpdates.length).toBe(before + 1))
    expect(usersIn(before)).toEqual({ name: 'Ada', color: '#e91e63' })
    socket.close()
  })

  it('withdraws a tab at once when it closes, though another tab relayed its presence over the BroadcastChannel first', async () => {
    const tab1 = connect('two-tabs', { broadcastChannel: true })
    await tab1.synced()
    // A state is shared once set: y-protocols drops the empty first state (clock 0) a client starts with.
    tab1.provider.awareness.setLocalStateField('user', { name: 'Ada', color: '#e91e63' })
    const watcher = connect('two-tabs')
    await until(() => expect(watcher.provider.awareness.getStates().has(tab1.doc.clientID)).toBe(true))
    // The second tab speaks on the channel before its socket opens, as a tab does while it loads:
    // the first tab relays its presence to the server.
    const tab2 = connect('two-tabs', { broadcastChannel: true, connect: false })
    tab2.provider.awareness.setLocalStateField('user', { name: 'Ada', color: '#e91e63' })
    tab2.provider.connectBc()
    await until(() => expect(watcher.provider.awareness.getStates().has(tab2.doc.clientID)).toBe(true))
    tab2.provider.connect()
    await tab2.synced()

    // The tab dies: its socket closes and it says nothing more, on the socket or on the channel.
    const provider = tab2.provider
    provider.shouldConnect = false
    provider.bcconnected = false
    bc.unsubscribe(provider.bcChannel, (provider as unknown as { _bcSubscriber: (data: ArrayBuffer, origin: unknown) => void })._bcSubscriber)
    provider.ws?.close()

    // Well within the 30 s after which the first tab would give up on it.
    await until(() => expect(watcher.provider.awareness.getStates().has(tab2.doc.clientID)).toBe(false), { timeout: 5_000 })
    expect(watcher.provider.awareness.getStates().has(tab1.doc.clientID)).toBe(true)
    expect(server.logs.filter((line) => line.event === 'problem' && line.doc === 'two-tabs')).toEqual([])
  })

  it('stops reconnecting when its document is deleted (4404) and reconnects after a restart (1001)', async () => {
    const deleted = connect('to-delete')
    const survivor = connect('survivor')
    await Promise.all([deleted.synced(), survivor.synced()])
    deleted.text.insert(0, 'doomed')
    survivor.text.insert(0, 'kept')
    await until(async () => expect((await fetch(`${server.url}/api/docs/to-delete`)).status).toBe(200))

    const closed = new Promise<{ code: number }>((resolve) => deleted.provider.once('closed', resolve))
    expect((await fetch(`${server.url}/api/docs/to-delete`, { method: 'DELETE' })).status).toBe(204)
    expect((await closed).code).toBe(4404)
    expect(deleted.provider.shouldConnect).toBe(false)

    expect(await server.stop()).toBe(0)
    await server.restart()
    await until(() => expect(survivor.provider.wsconnected).toBe(true))
    await survivor.synced()
    expect(deleted.provider.wsconnected).toBe(false)
    expect((await fetch(`${server.url}/api/docs/to-delete`)).status).toBe(404)
  })
})
