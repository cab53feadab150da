import { existsSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { quire } from '../helpers/cli.js'
import { connectClient, type TestClient } from '../helpers/client.js'
import { subscribe } from '../helpers/events.js'
import { startRedis, type TestRedis } from '../helpers/redis.js'
import { startServer, type TestServer, tempDataDir } from '../helpers/server.js'
import { until } from '../helpers/until.js'

let redis: TestRedis
let instances: TestServer[]
const clients: TestClient[] = []
const connect = (instance: number, doc: string) => {
  const client = connectClient(instances[instance]!.wsUrl, doc)
  clients.push(client)
  return client
}

beforeAll(async () => {
  redis = await startRedis()
  instances = await Promise.all([0, 1, 2].map(() => startServer({ env: { REDIS_URL: redis.url } })))
})
afterAll(async () => {
  for (const client of clients) client.destroy()
  await Promise.all(instances.map((i) => i.stop()))
  await redis.stop()
})

describe('three instances sharing one Redis', () => {
  it('relays edits between clients of different instances, both ways', async () => {
    const [a, b, c] = [connect(0, 'shared'), connect(1, 'shared'), connect(2, 'shared')]
    await Promise.all([a, b, c].map((x) => x.synced()))
    a.text.insert(0, 'from A. ')
    await until(() => expect([b.text.toString(), c.text.toString()]).toEqual(['from A. ', 'from A. ']))
    c.text.insert(c.text.length, 'from C.')
    await until(() => expect(a.text.toString()).toBe('from A. from C.'))
    await until(() => expect(b.text.toString()).toBe('from A. from C.'))
  })

  it('carries presence across instances and withdraws it when its client leaves', async () => {
    const a = connect(0, 'presence')
    const b = connect(2, 'presence')
    await Promise.all([a.synced(), b.synced()])
    a.provider.awareness.setLocalStateField('user', { name: 'Grace', color: '#00aa00' })
    await until(() => expect(b.provider.awareness.getStates().get(a.doc.clientID)?.user?.name).toBe('Grace'))
    a.destroy()
    await until(() => expect(b.provider.awareness.getStates().has(a.doc.clientID)).toBe(false))
  })

  it('shows someone who opens a document the people already on it through other instances at once, not at their next renewal', async () => {
    const present = connect(0, 'already-here')
    await present.synced()
    present.provider.awareness.setLocalStateField('user', { name: 'Ada', color: '#e91e63' })
    const sameInstance = connect(0, 'already-here')
    await until(() => expect(sameInstance.provider.awareness.getStates().get(present.doc.clientID)?.user?.name).toBe('Ada'))
    const joiner = connect(1, 'already-here')
    // The official client renews its state every 15 s: seeing it well before that means it was sent to the joiner.
    await until(() => expect(joiner.provider.awareness.getStates().get(present.doc.clientID)?.user?.name).toBe('Ada'), { timeout: 5000 })
  })

  it('withdraws the presence of the users of a killed instance from the others within 15 s', async () => {
    const doomed = await startServer({ env: { REDIS_URL: redis.url } })
    const watcher = connect(0, 'instance-dies')
    const victim = connectClient(doomed.wsUrl, 'instance-dies')
    await Promise.all([watcher.synced(), victim.synced()])
    victim.provider.awareness.setLocalStateField('user', { name: 'Bob', color: '#00aa00' })
    await until(() => expect(watcher.provider.awareness.getStates().get(victim.doc.clientID)?.user?.name).toBe('Bob'))
    await doomed.kill()
    // Its socket is gone with the instance: it can neither withdraw its state nor renew it.
    victim.destroy()
    // y-protocols would drop the state only after 30 s without renewal.
    await until(() => expect(watcher.provider.awareness.getStates().has(victim.doc.clientID)).toBe(false), { timeout: 15_000 })
  })

  it('lets the users of a killed instance, reconnected through another, move their cursors for everyone again within 15 s', async () => {
    const doomed = await startServer({ env: { REDIS_URL: redis.url } })
    const [watcher, neighbour] = [connect(0, 'failover'), connect(1, 'failover')]
    const moved = connectClient(doomed.wsUrl, 'failover')
    clients.push(moved)
    await Promise.all([watcher.synced(), neighbour.synced(), moved.synced()])
    moved.provider.awareness.setLocalStateField('user', { name: 'Bob', color: '#00aa00' })
    await until(() => expect(neighbour.provider.awareness.getStates().get(moved.doc.clientID)?.user?.name).toBe('Bob'))
    await doomed.kill()
    // What a load balancer does: the same client, its id and state kept, reconnects through another instance,
    // where the state it had through the killed one is still held for it.
    ;(moved.provider as unknown as { serverUrl: string }).serverUrl = instances[1]!.wsUrl
    let step = 0
    await until(
      () => {
        moved.provider.awareness.setLocalStateField('cursor', { step: ++step })
        expect(watcher.provider.awareness.getStates().get(moved.doc.clientID)?.cursor?.step).toBeGreaterThan(0)
      },
      { timeout: 15_000, interval: 500 },
    )
  })

  it('serves a document written through one instance from any other after the writer left', async () => {
    const writer = connect(1, 'stored-once')
    await writer.synced()
    writer.text.insert(0, 'stored in Redis')
    const witness = connect(1, 'stored-once')
    await until(() => expect(witness.text.toString()).toBe('stored in Redis'))
    writer.destroy()
    witness.destroy()
    const reader = connect(2, 'stored-once')
    await reader.synced()
    expect(reader.text.toString()).toBe('stored in Redis')
  })

  it('lists the same documents on every instance', async () => {
    const lists = await Promise.all(instances.map(async (i) => ((await (await fetch(`${i.url}/api/docs`)).json()) as Array<{ name: string }>).map((d) => d.name)))
    // Only documents with content are stored; 'presence' only ever had awareness.
    expect(lists[0]).toEqual(expect.arrayContaining(['shared', 'stored-once']))
    expect(lists[0]).not.toContain('presence')
    expect(lists[1]).toEqual(lists[0])
    expect(lists[2]).toEqual(lists[0])
  })

  it('closes the editors of a document deleted through another instance with 4404, and tells its list pages', async () => {
    const editor = connect(2, 'doomed')
    await editor.synced()
    editor.text.insert(0, 'soon gone')
    const witness = connect(0, 'doomed')
    await until(() => expect(witness.text.toString()).toBe('soon gone'))
    const list = await subscribe(`${instances[2]!.url}/api/events`)
    const closed = editor.closed()
    expect((await fetch(`${instances[1]!.url}/api/docs/doomed`, { method: 'DELETE' })).status).toBeLessThan(300)
    expect(await closed).toEqual({ code: 4404, reason: 'document deleted' })
    await until(() => expect(list.events).toContainEqual({ id: '', event: 'removed', data: { doc: 'doomed' } }))
    await list.close()
    editor.destroy()
    witness.destroy()
    expect((await fetch(`${instances[2]!.url}/api/docs/doomed`)).status).toBe(404)
  })

  it('tells the list pages of every instance of edits, renames and deletions of documents open only elsewhere', async () => {
    const list = await subscribe(`${instances[1]!.url}/api/events`)
    const editor = connect(0, 'far')
    await editor.synced()
    editor.text.insert(0, 'written on instance 0')
    await until(() => expect(list.events).toContainEqual({ id: '', event: 'changed', data: { doc: 'far' } }))
    const rename = await fetch(`${instances[2]!.url}/api/docs/far/rename`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ to: 'farther' }) })
    expect(rename.status).toBe(200)
    await until(() => expect(list.events).toContainEqual({ id: '', event: 'removed', data: { doc: 'far' } }))
    await until(() => expect(list.events).toContainEqual({ id: '', event: 'changed', data: { doc: 'farther' } }))
    expect((await fetch(`${instances[0]!.url}/api/docs/farther`, { method: 'DELETE' })).status).toBeLessThan(300)
    await until(() => expect(list.events).toContainEqual({ id: '', event: 'removed', data: { doc: 'farther' } }))
    await list.close()
    editor.destroy()
  })

  it('renames through one instance: editors of the old name elsewhere are closed saying where it went, editors of the new name get its content', async () => {
    const editor = connect(2, 'moving')
    await editor.synced()
    editor.text.insert(0, 'on the move')
    const early = connect(0, 'moved')
    await early.synced()
    await until(async () => expect((await fetch(`${instances[1]!.url}/api/docs/moving`)).status).toBe(200))
    const closed = editor.closed()
    const res = await fetch(`${instances[1]!.url}/api/docs/moving/rename`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ to: 'moved' }) })
    expect(res.status).toBe(200)
    expect(await closed).toEqual({ code: 4404, reason: 'renamed to moved' })
    await until(() => expect(early.text.toString()).toBe('on the move'))
    editor.destroy()
    early.destroy()
    expect((await fetch(`${instances[2]!.url}/api/docs/moving`)).status).toBe(404)
  })

  it('shows a CLI import without a server to the editors of every instance, and closes them on a CLI rm', async () => {
    const [a, c] = [connect(0, 'from-cli'), connect(2, 'from-cli')]
    await Promise.all([a.synced(), c.synced()])
    const dir = tempDataDir()
    const file = join(dir, 'draft.txt')
    writeFileSync(file, 'written by the CLI\n')
    const env = { REDIS_URL: redis.url }
    expect(await quire(['import', 'from-cli', file, '--data', dir], env)).toMatchObject({ code: 0 })
    for (const client of [a, c]) await until(() => expect(client.doc.getXmlFragment('prosemirror').toString()).toContain('written by the CLI'))
    const closed = [a.closed(), c.closed()]
    expect(await quire(['rm', 'from-cli', '--data', dir], env)).toMatchObject({ code: 0 })
    expect(await Promise.all(closed)).toEqual([
      { code: 4404, reason: 'document deleted' },
      { code: 4404, reason: 'document deleted' },
    ])
    a.destroy()
    c.destroy()
  })

  it("sends the CLI to Redis when it opens a stopped instance's data dir without REDIS_URL, instead of writing where no instance reads", async () => {
    const stopped = await startServer({ env: { REDIS_URL: redis.url } })
    await stopped.stop()
    const file = join(tempDataDir(), 'draft.txt')
    writeFileSync(file, 'lost in a store of its own\n')
    for (const args of [['import', 'notes', file], ['ls']]) {
      const run = await quire([...args, '--data', stopped.dataDir])
      expect(run.code).toBe(1)
      expect(run.stderr).toBe(`quire: ${stopped.dataDir} belongs to a quire cluster keeping its documents in Redis at ${redis.url}: set REDIS_URL\n`)
    }
    expect(readdirSync(stopped.dataDir).some((entry) => existsSync(join(stopped.dataDir, entry, 'CURRENT')))).toBe(false)
  })

  it('reports an import whose append the store refuses: 5xx JSON from the API, exit 1 and one line from the CLI', async () => {
    const admin = new Redis(redis.url)
    const dir = tempDataDir()
    const file = join(dir, 'refused.txt')
    writeFileSync(file, 'never stored\n')
    // Scripts are how the store writes (appends, compactions); reads do without them.
    await admin.call('ACL', 'SETUSER', 'default', '-eval', '-evalsha')
    try {
      const res = await fetch(`${instances[0]!.url}/api/docs/refused/content?format=text`, { method: 'PUT', body: 'never stored' })
      expect(res.status).toBe(503)
      expect(((await res.json()) as { error: string }).error).toMatch(/NOPERM/)
      const cli = await quire(['import', 'refused', file, '--data', dir], { REDIS_URL: redis.url })
      expect(cli.code).toBe(1)
      expect(cli.stdout).toBe('')
      expect(cli.stderr).toMatch(/^quire: .*NOPERM[^\n]*\n$/)
    } finally {
      await admin.call('ACL', 'SETUSER', 'default', '+eval', '+evalsha')
      admin.disconnect()
    }
    expect((await fetch(`${instances[1]!.url}/api/docs/refused`)).status).toBe(404)
  })
})
