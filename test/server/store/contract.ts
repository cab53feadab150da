import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import type { DocStore } from '../../../server/store/store.js'

const update = (text: string) => {
  const doc = new Y.Doc()
  doc.getText('text').insert(0, text)
  return Y.encodeStateAsUpdate(doc)
}
const textOf = (updates: Uint8Array[]) => {
  const doc = new Y.Doc()
  for (const u of updates) Y.applyUpdate(doc, u)
  return doc.getText('text').toString()
}

/**
 * The behaviour every `DocStore` must have. Each implementation runs it with a factory that opens
 * a fresh, empty store; `reopen` opens the same store again after `close`, to prove durability.
 */
export function describeStore(name: string, factory: () => { open: () => Promise<DocStore> }) {
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

    it('compacts up to a head and keeps appends made after it', async () => {
      const doc = new Y.Doc()
      const text = doc.getText('text')
      let head = 0
      doc.on('update', (u: Uint8Array) => {
        void store.append('compact', u).then((h) => {
          head = Math.max(head, h)
        })
      })
      for (const ch of 'abcdef') text.insert(text.length, ch)
      await store.stat('compact')
      await new Promise((resolve) => setTimeout(resolve, 50))
      const merged = Y.encodeStateAsUpdate(doc)
      const compacting = store.compact('compact', merged, head)
      text.insert(text.length, 'g') // raced with the compaction
      await compacting
      await new Promise((resolve) => setTimeout(resolve, 50))
      const loaded = await store.load('compact')
      expect(loaded!.updates).toHaveLength(2)
      expect(textOf(loaded!.updates)).toBe('abcdefg')
      expect((await store.stat('compact'))!.updates).toBe(2)
    })

    it('removes a document and all its records', async () => {
      await store.append('gone', update('x'))
      expect(await store.remove('gone')).toBe(true)
      expect(await store.load('gone')).toBeNull()
      expect(await store.remove('gone')).toBe(false)
      await store.append('gone', update('fresh'))
      expect(textOf((await store.load('gone'))!.updates)).toBe('fresh')
    })
  })
}
