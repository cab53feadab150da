import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { History } from '../../../server/history/history.js'
import { LevelStore } from '../../../server/store/level.js'

const DAY = 86_400_000

/** A live document that stores every update before anyone reads it, as a room does. */
function liveDoc(store: LevelStore, name: string) {
  const doc = new Y.Doc()
  let writes: Promise<unknown> = Promise.resolve()
  doc.on('update', (update: Uint8Array) => {
    writes = Promise.all([writes, store.append(name, update)])
  })
  const text = doc.getText('t')
  return {
    doc,
    text,
    stored: () => writes,
    live: {
      storedSnapshot: async (n: string) => {
        if (n !== name) return null
        await writes
        return Y.snapshot(doc)
      },
      apply: async (_n: string, update: Uint8Array) => {
        Y.applyUpdate(doc, update)
        await writes
      },
    },
  }
}

const textAt = async (history: History, name: string, id: number) => {
  const doc = await history.content(name, id)
  return doc?.getText('t').toString() ?? null
}

describe('history', () => {
  let dir: string
  let store: LevelStore
  let now: number
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'quire-history-'))
    store = await LevelStore.open(dir)
    now = 1_000 * DAY
  })
  afterEach(async () => {
    await store.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('reads back every version, deleted text included, after the records are merged', async () => {
    const { text, live } = liveDoc(store, 'doc')
    const history = new History(store, live, () => now)
    text.insert(0, 'hello world')
    const v1 = await history.record('doc', { label: null, auto: true, authors: [], force: false })
    text.delete(0, 6)
    text.insert(text.length, '!')
    const v2 = await history.record('doc', { label: 'Named', auto: false, authors: [{ name: 'Ada', color: '#e91e63' }], force: false })
    await store.compact('doc')
    expect(await textAt(history, 'doc', v1!.id)).toBe('hello world')
    expect(await textAt(history, 'doc', v2!.id)).toBe('world!')
    expect((await history.list('doc')).map((v) => [v.id, v.label, v.auto])).toEqual([
      [v2!.id, 'Named', false],
      [v1!.id, null, true],
    ])
    expect(await history.content('doc', 99)).toBeNull()
  })

  it('records nothing when nothing changed, unless asked to', async () => {
    const { text, live } = liveDoc(store, 'same')
    const history = new History(store, live, () => now)
    text.insert(0, 'x')
    expect(await history.record('same', { label: null, auto: true, authors: [], force: false })).not.toBeNull()
    expect(await history.record('same', { label: null, auto: true, authors: [], force: false })).toBeNull()
    expect(await history.record('same', { label: 'Kept', auto: false, authors: [], force: true })).toMatchObject({ label: 'Kept' })
    expect(await history.record('unknown', { label: null, auto: true, authors: [], force: true })).toBeNull()
  })

  it('names on the newest version the authors of a state another server recorded first', async () => {
    const { text, live } = liveDoc(store, 'shared')
    const elsewhere = new History(store, live, () => now)
    const here = new History(store, live, () => now)
    const ada = { name: 'Ada', color: '#e91e63' }
    const bob = { name: 'Bob', color: '#2196f3' }
    text.insert(0, 'edited on two servers')
    const first = await elsewhere.record('shared', { label: null, auto: true, authors: [ada], force: false })
    expect(await here.record('shared', { label: null, auto: true, authors: [bob, ada], force: false })).toBeNull()
    expect(await here.list('shared')).toEqual([{ ...first, authors: [ada, bob] }])
  })

  it('stores each version as a delta, so history stays small while the document grows', async () => {
    const { doc, text, live } = liveDoc(store, 'grow')
    const history = new History(store, live, () => now)
    let seed = 7
    const random = (n: number) => (seed = (seed * 48271) % 2147483647) % n
    let fullSnapshots = 0
    for (let round = 0; round < 30; round++) {
      for (let i = 0; i < 50; i++) text.insert(random(text.length + 1), 'ab')
      for (let i = 0; i < 20; i++) text.delete(random(text.length), 1)
      await history.record('grow', { label: null, auto: true, authors: [], force: false })
      fullSnapshots += Y.encodeSnapshot(Y.snapshot(doc)).byteLength
    }
    const { versions } = await store.versions('grow')
    const deltas = versions.reduce((sum, v) => sum + v.snapshot.byteLength, 0)
    expect(deltas).toBeLessThan(fullSnapshots / 5)
  })

  it('thins old automatic versions and folds their changes into the next, keeping every later one readable', async () => {
    const { text, live } = liveDoc(store, 'thin')
    const history = new History(store, live, () => now)
    const expected = new Map<number, string>()
    for (let i = 0; i < 6; i++) {
      text.insert(0, `${i}`)
      if (i > 0) text.delete(1, 1)
      const v = await history.record('thin', { label: null, auto: true, authors: [], force: false })
      expected.set(v!.id, text.toString())
      now += 10 * 60_000
    }
    now += 2 * DAY
    text.insert(0, 'z')
    const newest = await history.record('thin', { label: null, auto: true, authors: [], force: false })
    expected.set(newest!.id, text.toString())
    const kept = await history.list('thin')
    expect(kept.length).toBeLessThan(expected.size)
    for (const v of kept) expect(await textAt(history, 'thin', v.id)).toBe(expected.get(v.id))
  })

  it('restores a version as an edit against the state it recorded first, and returns that version', async () => {
    const { text, live } = liveDoc(store, 'restore')
    const history = new History(store, live, () => now)
    text.insert(0, 'first')
    const v1 = await history.record('restore', { label: null, auto: true, authors: [], force: false })
    text.delete(0, 5)
    text.insert(0, 'second')
    const replace = (base: Y.Doc, target: Y.Doc) => {
      const copy = new Y.Doc()
      Y.applyUpdate(copy, Y.encodeStateAsUpdate(base))
      const sv = Y.encodeStateVector(copy)
      const t = copy.getText('t')
      t.delete(0, t.length)
      t.insert(0, target.getText('t').toString())
      return Y.encodeStateAsUpdate(copy, sv)
    }
    const before = await history.restore('restore', v1!.id, replace)
    expect(before).toMatchObject({ auto: true, label: `Before restoring version ${v1!.id}` })
    expect(text.toString()).toBe('first')
    expect(await textAt(history, 'restore', before!.id)).toBe('second')
    expect(await history.restore('restore', 42, replace)).toBeNull()
  })
})
