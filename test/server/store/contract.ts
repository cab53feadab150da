import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import type { DocStore, NewVersion } from '../../../server/store/store.js'

/** An update from a fresh client inserting `text`: independent of every other such update. */
export const update = (text: string) => {
  const doc = new Y.Doc()
  doc.getText('text').insert(0, text)
  return Y.encodeStateAsUpdate(doc)
}
const version = (at: number, label: string | null = null): NewVersion => ({ at, label, auto: label === null, authors: [{ name: 'Ada', color: '#e91e63' }], snapshot: new Uint8Array([at % 256, 1, 2]) })
const textOf = (updates: Uint8Array[]) => {
  const doc = new Y.Doc()
  for (const u of updates) Y.applyUpdate(doc, u)
  return doc.getText('text').toString()
}
/** The letters of independent `update`s, sorted: their order in the text depends on client ids. */
export const lettersOf = (updates: Uint8Array[]) => [...textOf(updates)].sort().join('')

/** Every string ever inserted into an update, deleted or not. */
const insertedText = (u: Uint8Array) =>
  Y.decodeUpdate(u)
    .structs.map((struct) => (struct instanceof Y.Item && struct.content instanceof Y.ContentString ? struct.content.str : ''))
    .join('')

/**
 * The behaviour every `DocStore` must have. Each implementation runs it with a factory for a
 * fresh, empty store whose `open`, called again after `close`, reaches the same data (to prove
 * durability). With `shared`, `open` may also be called while another handle is open, giving a
 * second writer on the same data, as another quire instance is; LevelDB admits one handle per
 * directory, so its two-writer races are the store's own concurrency (see `level.test.ts`).
 */
export function describeStore(name: string, factory: () => { open: () => Promise<DocStore> }, { shared }: { shared: boolean }) {
  describe(`${name} store contract`, () => {
    let open: () => Promise<DocStore>
    let store: DocStore
    beforeEach(async () => {
      open = factory().open
      store = await open()
    })
    afterEach(async () => {
      await store.close().catch(() => {})
    })

    it('returns null for a document that was never written', async () => {
      expect(await store.load('nothing')).toBeNull()
      expect(await store.stat('nothing')).toBeNull()
    })

    it('loads appended updates in order, with increasing heads', async () => {
      const heads = [await store.append('doc', update('a')), await store.append('doc', update('b'))]
      expect(heads[1]).toBeGreaterThan(heads[0]!)
      const loaded = await store.load('doc')
      expect(loaded?.updates).toHaveLength(2)
      expect(loaded?.head).toBe(heads[1])
    })

    it('keeps the order of appends issued without awaiting', async () => {
      const appends = Array.from({ length: 100 }, (_, i) => store.append('burst', new Uint8Array([i])))
      const heads = await Promise.all(appends)
      expect(heads).toEqual([...heads].sort((x, y) => x - y))
      const loaded = await store.load('burst')
      expect(loaded?.updates.map((u) => u[0])).toEqual(Array.from({ length: 100 }, (_, i) => i))
    })

    it('keeps data across close and reopen', async () => {
      await store.append('durable', update('kept'))
      await store.close()
      store = await open()
      expect(textOf((await store.load('durable'))!.updates)).toBe('kept')
    })

    it('tracks bytes, record count and times in metadata', async () => {
      const before = Date.now()
      const u = update('hello')
      await store.append('meta', u)
      await store.append('meta', u)
      const meta = await store.stat('meta')
      expect(meta).toMatchObject({ name: 'meta', bytes: 2 * u.byteLength, updates: 2 })
      expect(meta!.createdAt.getTime()).toBeGreaterThanOrEqual(before - 1000)
      expect(meta!.updatedAt.getTime()).toBeGreaterThanOrEqual(meta!.createdAt.getTime())
    })

    it('lists documents sorted by name, including names with slashes, spaces and unicode', async () => {
      for (const n of ['b', 'a/b', 'a b', 'ä', 'a']) await store.append(n, update(n))
      expect((await store.list()).map((m) => m.name)).toEqual(['a', 'a b', 'a/b', 'b', 'ä'])
    })

    it('keeps documents whose names are prefixes of each other apart', async () => {
      await store.append('a', update('short'))
      await store.append('ab', update('long'))
      expect(textOf((await store.load('a'))!.updates)).toBe('short')
      expect(textOf((await store.load('ab'))!.updates)).toBe('long')
    })

    it('merges every stored record into one, keeping deleted content for version history', async () => {
      const doc = new Y.Doc()
      const appends: Promise<number>[] = []
      doc.on('update', (u: Uint8Array) => appends.push(store.append('merge', u)))
      const text = doc.getText('text')
      for (const ch of 'abcdef') text.insert(text.length, ch)
      text.delete(0, 3)
      await Promise.all(appends)
      const compacted = await store.compact('merge')
      const loaded = await store.load('merge')
      expect(loaded!.updates).toHaveLength(1)
      expect(compacted).toEqual({ bytes: loaded!.updates[0]!.byteLength, records: 7 })
      expect(textOf(loaded!.updates)).toBe('def')
      expect(insertedText(loaded!.updates[0]!)).toContain('abc')
      expect(await store.stat('merge')).toMatchObject({ updates: 1, bytes: compacted!.bytes })
    })

    it('keeps a record whose dependencies are not stored when it merges', async () => {
      const doc = new Y.Doc()
      const text = doc.getText('text')
      text.insert(0, 'a')
      const before = Y.encodeStateVector(doc)
      const missing = Y.encodeStateAsUpdate(doc)
      text.insert(1, 'b')
      await store.append('gap', Y.encodeStateAsUpdate(doc, before)) // 'b' needs 'a', never stored
      await store.append('gap', update('x'))
      await store.compact('gap')
      const loaded = await store.load('gap')
      expect(loaded!.updates).toHaveLength(1)
      expect(lettersOf([missing, ...loaded!.updates])).toBe('abx')
    })

    it('refuses to merge records that are not updates, and leaves them as they were', async () => {
      const good = update('ok')
      await store.append('damaged', good)
      await store.append('damaged', new Uint8Array([0xff, 0xff, 0xff]))
      await expect(store.compact('damaged')).rejects.toMatchObject({ kind: 'corrupt', message: expect.stringMatching(/document "damaged": its records cannot be merged/) })
      expect((await store.load('damaged'))!.updates.map((u) => [...u])).toEqual([[...good], [0xff, 0xff, 0xff]])
      expect(await store.stat('damaged')).toMatchObject({ updates: 2 })
    })

    it('compacts nothing for a single record and null for a missing document', async () => {
      const u = update('one')
      await store.append('single', u)
      expect(await store.compact('single')).toEqual({ bytes: u.byteLength, records: 1 })
      expect(await store.compact('missing')).toBeNull()
    })

    it('keeps an append issued while a compaction runs, after the merge', async () => {
      await store.append('race', update('a'))
      await store.append('race', update('b'))
      const compacting = store.compact('race')
      const appended = store.append('race', update('c')) // raced with the compaction
      await Promise.all([compacting, appended])
      const loaded = await store.load('race')
      expect(lettersOf(loaded!.updates)).toBe('abc')
      expect(loaded!.updates.length).toBeLessThanOrEqual(2)
      expect((await store.stat('race'))!.updates).toBe(loaded!.updates.length)
      expect(await store.append('race', update('d'))).toBeGreaterThan(loaded!.head)
    })

    it('removes a document and all its records', async () => {
      await store.append('gone', update('x'))
      expect(await store.remove('gone')).toBe(true)
      expect(await store.load('gone')).toBeNull()
      expect(await store.remove('gone')).toBe(false)
      await store.append('gone', update('fresh'))
      expect(textOf((await store.load('gone'))!.updates)).toBe('fresh')
    })

    it('refuses an append from a writer that knew the document before it was deleted', async () => {
      await store.append('fenced', update('a'))
      const { head } = (await store.load('fenced'))!
      await store.remove('fenced')
      await expect(store.append('fenced', update('stale'), head)).rejects.toMatchObject({ name: 'StoreError', kind: 'deleted' })
      expect(await store.load('fenced')).toBeNull()
      expect(await store.stat('fenced')).toBeNull()
      expect((await store.list()).map((m) => m.name)).not.toContain('fenced')
      expect(await store.compact('fenced')).toBeNull()
    })

    it('creates a document again after a delete, numbering on, and still fences writers of the old one', async () => {
      const old = await store.append('again', update('a'))
      await store.remove('again')
      const fresh = await store.append('again', update('b'))
      expect(fresh).toBeGreaterThan(old)
      await expect(store.append('again', update('stale'), old)).rejects.toMatchObject({ kind: 'deleted' })
      expect(await store.append('again', update('c'), fresh)).toBeGreaterThan(fresh)
      const loaded = await store.load('again')
      expect(lettersOf(loaded!.updates)).toBe('bc')
      expect(await store.stat('again')).toMatchObject({ updates: 2 })
    })

    it('remembers a deletion and its time, across reopen, until the document is created again', async () => {
      expect(await store.deleted('tomb')).toBeNull()
      await store.append('tomb', update('a'))
      expect(await store.deleted('tomb')).toBeNull()
      const before = Date.now()
      await store.remove('tomb')
      const at = await store.deleted('tomb')
      expect(at!.renamedTo).toBeNull()
      expect(at!.at.getTime()).toBeGreaterThanOrEqual(before - 1000)
      expect(at!.at.getTime()).toBeLessThanOrEqual(Date.now() + 1000)
      expect(await store.remove('tomb')).toBe(false)
      expect(await store.deleted('tomb')).toEqual(at)
      expect((await store.list()).map((m) => m.name)).not.toContain('tomb')
      await store.close()
      store = await open()
      expect(await store.deleted('tomb')).toEqual(at)
      expect(await store.stat('tomb')).toBeNull()
      await store.append('tomb', update('b'))
      expect(await store.deleted('tomb')).toBeNull()
      await store.close()
      store = await open()
      expect(await store.deleted('tomb')).toBeNull()
      expect(lettersOf((await store.load('tomb'))!.updates)).toBe('b')
    })

    it('still fences a writer of a deleted document after reopen, numbering a new one on', async () => {
      const old = await store.append('fenced-reopen', update('a'))
      await store.remove('fenced-reopen')
      await store.close()
      store = await open()
      await expect(store.append('fenced-reopen', update('stale'), old)).rejects.toMatchObject({ kind: 'deleted' })
      expect(await store.append('fenced-reopen', update('b'))).toBeGreaterThan(old)
    })

    describe('rename', () => {
      it('moves records, metadata and versions to the new name in one step, across reopen', async () => {
        await store.append('draft', update('a'))
        await store.append('draft', update('b'))
        const first = await store.addVersion('draft', version(1000, 'Draft'), 0)
        const second = await store.addVersion('draft', version(2000), first!.id)
        const meta = await store.stat('draft')
        expect(await store.rename('draft', 'final')).toBe('renamed')
        expect(lettersOf((await store.load('final'))!.updates)).toBe('ab')
        expect(await store.stat('final')).toEqual({ ...meta, name: 'final' })
        expect((await store.versions('final')).versions).toEqual([first, second])
        expect((await store.list()).map((m) => m.name)).toEqual(['final'])
        expect(await store.load('draft')).toBeNull()
        expect((await store.versions('draft')).versions).toEqual([])
        expect(await store.deleted('draft')).toMatchObject({ at: expect.any(Date), renamedTo: 'final' })
        expect(await store.deleted('final')).toBeNull()
        await store.close()
        store = await open()
        expect(lettersOf((await store.load('final'))!.updates)).toBe('ab')
        expect((await store.versions('final')).versions).toEqual([first, second])
        expect(await store.stat('draft')).toBeNull()
        expect(await store.deleted('draft')).toMatchObject({ renamedTo: 'final' })
        await store.append('draft', update('new'))
        await store.remove('draft')
        expect(await store.deleted('draft')).toMatchObject({ renamedTo: null })
        const next = await store.addVersion('final', version(3000), second!.id)
        expect(next!.id).toBeGreaterThan(second!.id)
        const { head } = (await store.load('final'))!
        expect(await store.append('final', update('c'), head)).toBeGreaterThan(head)
        expect(lettersOf((await store.load('final'))!.updates)).toBe('abc')
      })

      it('refuses a name that exists and a document that does not, changing nothing', async () => {
        await store.append('one', update('a'))
        await store.append('two', update('b'))
        expect(await store.rename('one', 'two')).toBe('exists')
        expect(await store.rename('none', 'three')).toBe('missing')
        expect(lettersOf((await store.load('one'))!.updates)).toBe('a')
        expect(lettersOf((await store.load('two'))!.updates)).toBe('b')
        expect(await store.stat('three')).toBeNull()
      })

      it('fences writers of the old name as a delete does, and numbers on past a deleted new name', async () => {
        const fromHead = await store.append('old', update('a'))
        const deletedHead = await store.append('taken', update('x'))
        await store.append('taken', update('y'))
        await store.remove('taken')
        expect(await store.rename('old', 'taken')).toBe('renamed')
        await expect(store.append('old', update('stale'), fromHead)).rejects.toMatchObject({ kind: 'deleted' })
        await expect(store.append('taken', update('stale'), deletedHead + 1)).rejects.toMatchObject({ kind: 'deleted' })
        const { head } = (await store.load('taken'))!
        expect(await store.append('taken', update('b'), head)).toBeGreaterThan(head)
        expect(lettersOf((await store.load('taken'))!.updates)).toBe('ab')
      })

      it('keeps an append to the old name issued before the rename, and compacts the moved records', async () => {
        await store.append('moving', update('a'))
        const late = store.append('moving', update('b'))
        const renaming = store.rename('moving', 'moved')
        await Promise.all([late, renaming])
        expect(lettersOf((await store.load('moved'))!.updates)).toBe('ab')
        expect(await store.compact('moved')).toMatchObject({ records: 2 })
        expect(lettersOf((await store.load('moved'))!.updates)).toBe('ab')
        expect(await store.stat('moved')).toMatchObject({ updates: 1 })
      })
    })

    describe('saved state', () => {
      const stateOf = (head: number, text: string) => ({ head, update: update(text), stateVector: new Uint8Array([1, 2, 3]) })

      it('loads a state saved at the head with the records, across compaction and reopen', async () => {
        await store.append('big', update('a'))
        const head = await store.append('big', update('b'))
        const state = stateOf(head, 'ab')
        await store.saveState('big', state)
        expect((await store.load('big'))!.state).toEqual(state)
        await store.compact('big')
        await store.close()
        store = await open()
        const loaded = await store.load('big')
        expect(loaded!.updates).toHaveLength(1)
        expect(loaded!.state).toEqual(state)
      })

      it('stops loading a state once an append moves the head past it', async () => {
        const head = await store.append('moving', update('a'))
        await store.saveState('moving', stateOf(head, 'a'))
        await store.append('moving', update('b'))
        expect((await store.load('moving'))!.state).toBeUndefined()
        await store.close()
        store = await open()
        expect((await store.load('moving'))!.state).toBeUndefined()
      })

      it('keeps no state saved for a head the document has left, or for no document', async () => {
        const head = await store.append('late', update('a'))
        await store.append('late', update('b'))
        await store.saveState('late', stateOf(head, 'a'))
        await store.saveState('never', stateOf(1, 'x'))
        expect((await store.load('late'))!.state).toBeUndefined()
        expect(await store.load('never')).toBeNull()
      })

      it('drops the state with its document on delete and rename', async () => {
        const head = await store.append('old', update('a'))
        await store.saveState('old', stateOf(head, 'a'))
        expect(await store.remove('old')).toBe(true)
        // Created again at a new head: the old state must not come back with it.
        await store.append('old', update('b'))
        expect((await store.load('old'))!.state).toBeUndefined()
        const moved = (await store.load('old'))!.head
        await store.saveState('old', stateOf(moved, 'b'))
        expect(await store.rename('old', 'new')).toBe('renamed')
        expect((await store.load('new'))!.state).toBeUndefined()
      })
    })

    describe('versions', () => {
      it('has none for a document that never had one', async () => {
        await store.append('plain', update('x'))
        expect(await store.versions('plain')).toEqual({ versions: [], revision: 0 })
      })

      it('records versions with increasing ids and gives them back whole, oldest first', async () => {
        await store.append('v', update('x'))
        const first = await store.addVersion('v', version(1000, 'Draft'), 0)
        const second = await store.addVersion('v', version(2000), first!.id)
        expect(first!.id).toBeGreaterThan(0)
        expect(second!.id).toBeGreaterThan(first!.id)
        const { versions } = await store.versions('v')
        expect(versions).toEqual([first, second])
        expect(versions[0]).toMatchObject({ at: 1000, label: 'Draft', auto: false, authors: [{ name: 'Ada', color: '#e91e63' }] })
        expect([...versions[1]!.snapshot]).toEqual([2000 % 256, 1, 2])
      })

      it('records nothing when another writer recorded a version first', async () => {
        await store.append('race', update('x'))
        const attempts = await Promise.all([store.addVersion('race', version(1), 0), store.addVersion('race', version(2), 0), store.addVersion('race', version(3), 0)])
        expect(attempts.filter((v) => v !== null)).toHaveLength(1)
        expect((await store.versions('race')).versions).toHaveLength(1)
        expect(await store.addVersion('race', version(4), 0)).toBeNull()
      })

      it('keeps versions across reopen and record compaction', async () => {
        await store.append('durable-v', update('kept'))
        await store.append('durable-v', update('more'))
        const kept = await store.addVersion('durable-v', version(5), 0)
        expect(await store.compact('durable-v')).toMatchObject({ records: 2 })
        await store.close()
        store = await open()
        expect((await store.versions('durable-v')).versions).toEqual([kept])
      })

      it('thins by dropping and rewriting in one step, only at the revision it read', async () => {
        await store.append('thin', update('x'))
        let after = 0
        for (const at of [1, 2, 3, 4]) after = (await store.addVersion('thin', version(at), after))!.id
        const { versions, revision } = await store.versions('thin')
        const [a, b, c, d] = versions.map((v) => v.id) as [number, number, number, number]
        expect(await store.thinVersions('thin', [a, b], [{ id: c, snapshot: new Uint8Array([9]) }], revision + 1)).toBe(false)
        expect(await store.thinVersions('thin', [a, b], [{ id: c, snapshot: new Uint8Array([9]) }], revision)).toBe(true)
        expect(await store.thinVersions('thin', [c], [], revision)).toBe(false)
        const after2 = await store.versions('thin')
        expect(after2.versions.map((v) => v.id)).toEqual([c, d])
        expect([...after2.versions[0]!.snapshot]).toEqual([9])
        expect(after2.versions[0]!.at).toBe(3)
        expect(after2.revision).not.toBe(revision)
        const next = await store.addVersion('thin', version(5), d)
        expect(next!.id).toBeGreaterThan(d)
      })

      it('adds authors to a version, each once, keeping the rest of it', async () => {
        await store.append('authors', update('x'))
        const first = (await store.addVersion('authors', version(1_764_590_123_456, 'Draft / ünïcode'), 0))!
        const grace = { name: 'Grace Hopper', color: '#8e24aa' }
        const zoë = { name: 'Zoë "Z" /', color: '#00aa00' }
        expect(await store.addVersionAuthors('authors', first.id, [grace, { name: 'Ada', color: '#e91e63' }, zoë, grace])).toBe(true)
        const [stored] = (await store.versions('authors')).versions
        expect(stored).toEqual({ ...first, authors: [{ name: 'Ada', color: '#e91e63' }, grace, zoë] })
        expect(await store.addVersionAuthors('authors', first.id + 1, [grace])).toBe(false)
      })

      it('records no version for a document that does not exist or was deleted', async () => {
        expect(await store.addVersion('never', version(1), 0)).toBeNull()
        await store.append('deleted-v', update('x'))
        const removing = store.remove('deleted-v')
        expect(await store.addVersion('deleted-v', version(1), 0)).toBeNull()
        await removing
        expect((await store.versions('deleted-v')).versions).toEqual([])
      })

      it('removes versions with their document', async () => {
        await store.append('gone-v', update('x'))
        await store.addVersion('gone-v', version(1), 0)
        await store.remove('gone-v')
        expect((await store.versions('gone-v')).versions).toEqual([])
        await store.append('gone-v', update('fresh'))
        expect((await store.addVersion('gone-v', version(2), 0))!.id).toBe(1)
      })
    })
  })

  if (!shared) return
  describe(`${name} store contract, two writers`, () => {
    let a: DocStore
    let b: DocStore
    beforeEach(async () => {
      const { open } = factory()
      a = await open()
      b = await open()
    })
    afterEach(async () => {
      await Promise.all([a.close(), b.close()])
    })

    it('keeps every record when two handles interleave appends and compactions', async () => {
      const letters = 'abcdefghijklmnopqrstuvwxyz'
      const work: Promise<unknown>[] = []
      for (const [i, letter] of [...letters].entries()) {
        const [writer, other] = i % 2 === 0 ? [a, b] : [b, a]
        work.push(writer.append('shared', update(letter)))
        if (i % 3 === 2) work.push(other.compact('shared'))
      }
      await Promise.all(work)
      await Promise.all([a.compact('shared'), b.compact('shared')])
      const loaded = await b.load('shared')
      expect(lettersOf(loaded!.updates)).toBe(letters)
      expect((await a.stat('shared'))!.updates).toBe(loaded!.updates.length)
    })

    it('refuses an append from a handle that loaded the document before another handle deleted it', async () => {
      await a.append('fenced', update('a'))
      const { head } = (await a.load('fenced'))!
      expect(await b.remove('fenced')).toBe(true)
      await expect(a.append('fenced', update('stale'), head)).rejects.toMatchObject({ kind: 'deleted' })
      expect(await b.load('fenced')).toBeNull()
      // A new load knows of no document: creating it again is an ordinary append.
      expect(await a.load('fenced')).toBeNull()
      await a.append('fenced', update('new'))
      expect(lettersOf((await b.load('fenced'))!.updates)).toBe('enw')
    })

    it('keeps a record another handle appended that the compacting handle never loaded', async () => {
      await a.append('unseen', update('a'))
      const seen = await a.load('unseen')
      await b.append('unseen', update('b')) // not in what handle a loaded
      await a.append('unseen', update('c'))
      await a.compact('unseen')
      expect(seen!.updates).toHaveLength(1)
      expect(lettersOf((await b.load('unseen'))!.updates)).toBe('abc')
    })
  })
}
