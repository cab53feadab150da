import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectClient, type TestClient } from '../helpers/client.js'
import { startServer, type TestServer } from '../helpers/server.js'
import { until } from '../helpers/until.js'

let server: TestServer
const clients: TestClient[] = []
const connect = (doc: string) => {
  const client = connectClient(server.wsUrl, doc)
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

describe('relaying between official y-websocket clients', () => {
  it('converges two clients editing the same document both ways', async () => {
    const a = connect('converge')
    const b = connect('converge')
    await Promise.all([a.synced(), b.synced()])
    a.text.insert(0, 'hello ')
    await until(() => expect(b.text.toString()).toBe('hello '))
    b.text.insert(6, 'world')
    await until(() => expect(a.text.toString()).toBe('hello world'))
  })

  it('gives a late joiner the full state', async () => {
    const a = connect('late')
    await a.synced()
    for (let i = 0; i < 50; i++) a.text.insert(a.text.length, `${i},`)
    const late = connect('late')
    await late.synced()
    await until(() => expect(late.text.toString()).toBe(a.text.toString()))
    expect(late.text.length).toBeGreaterThan(100)
  })

  it('shares awareness and withdraws it when its client disconnects', async () => {
    const a = connect('presence')
    const b = connect('presence')
    await Promise.all([a.synced(), b.synced()])
    a.provider.awareness.setLocalStateField('user', { name: 'Ada', color: '#e91e63' })
    const aId = a.doc.clientID
    await until(() => expect(b.provider.awareness.getStates().get(aId)?.user).toEqual({ name: 'Ada', color: '#e91e63' }))
    a.destroy()
    await until(() => expect(b.provider.awareness.getStates().has(aId)).toBe(false))
  })

  it('keeps documents isolated, including names with spaces, unicode and slashes', async () => {
    const names = ['notes/2024/q1', 'meeting notes', 'café ☕ 文档', 'notes']
    const writers = names.map((name) => connect(name))
    await Promise.all(writers.map((c) => c.synced()))
    for (const [i, c] of writers.entries()) c.text.insert(0, `content of ${names[i]}`)
    const readers = names.map((name) => connect(name))
    await Promise.all(readers.map((c) => c.synced()))
    for (const [i, reader] of readers.entries()) await until(() => expect(reader.text.toString()).toBe(`content of ${names[i]}`))
  })
})
