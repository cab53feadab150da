import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { openStore } from '../../server/store/open.js'
import { replay } from '../../server/sync/replay.js'
import { connectClient, type TestClient } from '../helpers/client.js'
import { startServer, type TestServer } from '../helpers/server.js'
import { until } from '../helpers/until.js'

let server: TestServer | null = null
const clients: TestClient[] = []
const connect = (doc: string) => {
  const client = connectClient(server!.wsUrl, doc)
  clients.push(client)
  return client
}
afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy()
  await server?.stop()
  server = null
})

/** The text of `doc` as stored on disk, read with the store itself while no server runs. */
async function storedText(dataDir: string, doc: string) {
  const store = await openStore({ dataDir, redisUrl: null })
  try {
    const stored = await store.load(doc)
    const ydoc = new Y.Doc()
    replay(ydoc, doc, stored?.updates ?? [])
    return { text: ydoc.getText('text').toString(), records: stored?.updates.length ?? 0, meta: await store.stat(doc) }
  } finally {
    await store.close()
  }
}

/** A fresh doc holding `update`. */
function docOf(update: Uint8Array): Y.Doc {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, update)
  return doc
}

/** Writes `text` into `doc` through one client and waits until a second client has received it. */
async function writeWitnessed(doc: string, text: string) {
  const writer = connect(doc)
  await writer.synced()
  writer.text.insert(0, text)
  const witness = connect(doc)
  await until(() => expect(witness.text.toString()).toBe(text))
  writer.destroy()
  witness.destroy()
}

describe('persistence in LevelDB', () => {
  it('keeps content across a clean restart', async () => {
    server = await startServer()
    await writeWitnessed('restart', 'survives a restart')
    expect(await server.stop()).toBe(0)
    await server.restart()
    const c = connect('restart')
    await c.synced()
    expect(c.text.toString()).toBe('survives a restart')
  })

  it('loses none of 500 relayed updates when the server is SIGKILLed', async () => {
    server = await startServer()
    const writer = connect('sigkill')
    const reader = connect('sigkill')
    await Promise.all([writer.synced(), reader.synced()])
    for (let i = 0; i < 500; i++) writer.text.insert(writer.text.length, 'x')
    await until(() => expect(reader.text.length).toBe(500))
    await server.kill('SIGKILL')
    writer.destroy()
    reader.destroy()
    expect((await storedText(server.dataDir, 'sigkill')).text).toBe('x'.repeat(500))
    await server.restart()
    const after = connect('sigkill')
    await after.synced()
    expect(after.text.toString()).toBe('x'.repeat(500))
  })

  it('keeps everything a joiner was sent mid-burst when the server is SIGKILLed right after its sync', async () => {
    server = await startServer()
    const writer = connect('mid-burst')
    await writer.synced()
    let typing = true
    let typed = 0
    // The writer types in bursts, one per turn of its event loop, until the server is gone.
    const type = () => {
      if (!typing) return
      for (let i = 0; i < 20; i++) writer.text.insert(writer.text.length, String.fromCharCode(97 + (typed++ % 26)))
      setImmediate(type)
    }
    type()
    await until(() => expect(typed).toBeGreaterThan(1000))
    const joiner = connect('mid-burst')
    const joinerClosed = joiner.closed()
    await joiner.synced()
    await server.kill('SIGKILL')
    typing = false
    // Whatever the dead server had written to the joiner's socket has been read by now.
    await joinerClosed
    const seen = Y.encodeStateAsUpdate(joiner.doc)
    const seenText = joiner.text.toString()
    writer.destroy()
    joiner.destroy()
    expect(seenText.length).toBeGreaterThan(1000)
    const store = await openStore({ dataDir: server.dataDir, redisUrl: null })
    const stored = new Y.Doc()
    replay(stored, 'mid-burst', (await store.load('mid-burst'))!.updates)
    await store.close()
    // Nothing the joiner holds is missing from the store.
    expect(Y.decodeUpdate(Y.encodeStateAsUpdate(docOf(seen), Y.encodeStateVector(stored))).structs).toEqual([])
    expect(stored.getText('text').toString().startsWith(seenText)).toBe(true)
    await server.restart()
    const after = connect('mid-burst')
    await after.synced()
    expect(after.text.toString().startsWith(seenText)).toBe(true)
  })

  it('compacts 10,000 small updates into a bounded number of records and loads them intact', async () => {
    server = await startServer()
    const writer = connect('many-updates')
    const reader = connect('many-updates')
    await Promise.all([writer.synced(), reader.synced()])
    let expected = ''
    for (let i = 0; i < 10_000; i++) {
      const ch = String.fromCharCode(97 + (i % 26))
      writer.text.insert(writer.text.length, ch)
      expected += ch
    }
    await until(() => expect(reader.text.length).toBe(10_000), { timeout: 30_000 })
    // Threshold compaction runs behind the burst of writes; wait until it has caught up, then
    // SIGKILL, so what is on disk is what it left rather than the compaction on unload.
    await until(async () => expect(((await (await fetch(`${server!.url}/api/docs/many-updates`)).json()) as { updates: number }).updates).toBeLessThanOrEqual(600), { timeout: 30_000 })
    await server.kill('SIGKILL')
    writer.destroy()
    reader.destroy()
    const stored = await storedText(server.dataDir, 'many-updates')
    expect(stored.text).toBe(expected)
    expect(stored.records).toBeLessThanOrEqual(600)
    expect(stored.meta?.updates).toBe(stored.records)
    await server.restart()
    const after = connect('many-updates')
    await after.synced()
    expect(after.text.toString()).toBe(expected)
  })

  it('merges a document into one record when its last client leaves', async () => {
    server = await startServer()
    const a = connect('unload')
    await a.synced()
    for (let i = 0; i < 20; i++) a.text.insert(a.text.length, `${i} `)
    const b = connect('unload')
    await until(() => expect(b.text.toString()).toBe(a.text.toString()))
    a.destroy()
    b.destroy()
    await until(() => expect(server!.logs.some((l) => l.event === 'doc.unloaded' && l.doc === 'unload')).toBe(true))
    const text = a.text.toString()
    expect(await server.stop()).toBe(0)
    const stored = await storedText(server.dataDir, 'unload')
    expect(stored).toMatchObject({ text, records: 1 })
  })

  it('serves a big document from the state it saved as it closed, and keeps edits made on it', async () => {
    server = await startServer()
    const text = 'a big document. '.repeat(6_000)
    await writeWitnessed('big', text)
    await until(() => expect(server!.logs.some((l) => l.event === 'doc.unloaded' && l.doc === 'big')).toBe(true))
    expect(await server.stop()).toBe(0)
    const store = await openStore({ dataDir: server.dataDir, redisUrl: null })
    const saved = await store.load('big')
    await store.close()
    expect(saved!.state!.head).toBe(saved!.head)
    expect(docOf(saved!.state!.update).getText('text').toString()).toBe(text)

    await server.restart()
    const reader = connect('big')
    await reader.synced()
    expect(reader.text.toString()).toBe(text)
    reader.text.insert(0, '! ')
    const witness = connect('big')
    await until(() => expect(witness.text.toString()).toBe(`! ${text}`))
    reader.destroy()
    witness.destroy()
    await until(() => expect(server!.logs.some((l) => l.event === 'doc.unloaded' && l.doc === 'big')).toBe(true))
    expect(await server.stop()).toBe(0)
    expect((await storedText(server.dataDir, 'big')).text).toBe(`! ${text}`)
  })

  it('refuses a document with a corrupt record, leaves its bytes untouched and keeps serving others', async () => {
    server = await startServer()
    await writeWitnessed('good', 'still fine')
    await server.stop()

    const garbage = new Uint8Array([1, 2, 3, 255, 255, 7])
    const store = await openStore({ dataDir: server.dataDir, redisUrl: null })
    const seed = new Y.Doc()
    seed.getText('text').insert(0, 'before the damage')
    await store.append('broken', Y.encodeStateAsUpdate(seed))
    await store.append('broken', garbage)
    const before = await store.load('broken')
    await store.close()

    await server.restart()
    const victim = connect('broken')
    const closed = await victim.closed()
    expect(closed).toEqual({ code: 1011, reason: 'document could not be opened' })
    victim.destroy()
    await until(() => expect(server!.logs.find((l) => l.event === 'doc.failed' && l.doc === 'broken')?.error).toMatch(/record 2 of 2 is not a valid Yjs update/))

    const other = connect('good')
    await other.synced()
    expect(other.text.toString()).toBe('still fine')
    other.destroy()
    expect(await server.stop()).toBe(0)

    const after = await openStore({ dataDir: server.dataDir, redisUrl: null })
    expect(await after.load('broken')).toEqual(before)
    await after.close()
  })

  it('exits 0 on SIGTERM and SIGINT with every update on disk', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      server = await startServer()
      await writeWitnessed(`signal-${signal}`, signal)
      const started = Date.now()
      expect(await server.kill(signal)).toBe(0)
      expect(Date.now() - started).toBeLessThan(5_000)
      expect((await storedText(server.dataDir, `signal-${signal}`)).text).toBe(signal)
      for (const client of clients.splice(0)) client.destroy()
      server = null
    }
  })
})
