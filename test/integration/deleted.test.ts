import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectClient } from '../helpers/client.js'
import { startServer, type TestServer } from '../helpers/server.js'
import { until } from '../helpers/until.js'

let server: TestServer
beforeAll(async () => {
  server = await startServer()
})
afterAll(async () => {
  await server.stop()
})

const api = (path: string, init?: RequestInit) => fetch(`${server.url}/api/docs/${path}`, init)

describe('a deleted document', () => {
  it('answers 404 with its deletion time, across a restart, and a plain 404 for a name that never existed', async () => {
    const client = connectClient(server.wsUrl, 'gone')
    await client.synced()
    client.doc.getText('t').insert(0, 'soon deleted')
    await until(async () => expect((await api('gone')).status).toBe(200))
    const before = Date.now()
    expect((await api('gone', { method: 'DELETE' })).status).toBe(204)
    client.destroy()

    const answer = await api('gone')
    expect(answer.status).toBe(404)
    const { error, deletedAt } = (await answer.json()) as { error: string; deletedAt: string }
    expect(error).toMatch(/"gone" was deleted/)
    expect(Date.parse(deletedAt)).toBeGreaterThanOrEqual(before - 1000)
    expect(await (await api('gone/state')).json()).toEqual({ exists: false, deletedAt, renamedTo: null })
    expect((await (await fetch(`${server.url}/api/docs`)).json()) as unknown[]).toEqual([])

    expect(await server.stop()).toBe(0)
    await server.restart()
    const again = await api('gone')
    expect(again.status).toBe(404)
    expect(await again.json()).toMatchObject({ deletedAt })
    expect((await api('gone/content')).status).toBe(404)
    const never = await api('never')
    expect(never.status).toBe(404)
    expect(await never.json()).not.toHaveProperty('deletedAt')
    expect(await (await api('never/state')).json()).toEqual({ exists: false, deletedAt: null, renamedTo: null })
  })

  it('is created again by an edit, which clears its tombstone', async () => {
    await fetch(`${server.url}/api/docs/reborn/content?format=text`, { method: 'PUT', body: 'first life' })
    expect((await api('reborn', { method: 'DELETE' })).status).toBe(204)
    expect((await api('reborn')).status).toBe(404)
    expect((await fetch(`${server.url}/api/docs/reborn/content?format=text`, { method: 'PUT', body: '' })).status).toBe(200)
    expect((await api('reborn')).status).toBe(200)
    expect(await (await api('reborn/state')).json()).toEqual({ exists: true, deletedAt: null, renamedTo: null })
    expect(((await (await fetch(`${server.url}/api/docs`)).json()) as Array<{ name: string }>).map((d) => d.name)).toEqual(['reborn'])
  })
})
