import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Level } from 'level'
import { describe, expect, it } from 'vitest'
import { LevelStore } from '../../../server/store/level.js'
import { describeStore } from './contract.js'

const tempDir = () => mkdtempSync(join(tmpdir(), 'quire-level-'))

describeStore('LevelDB', () => {
  const dir = tempDir()
  return { open: () => LevelStore.open(dir) }
})

describe('LevelDB store specifics', () => {
  it('refuses a second process (or handle) on the same directory with a clear error', async () => {
    const dir = tempDir()
    const first = await LevelStore.open(dir)
    await expect(LevelStore.open(dir)).rejects.toThrow(`data dir ${dir} is in use by another process`)
    await first.close()
  })

  it('refuses to load or write a document whose metadata is unreadable, and leaves it on disk', async () => {
    const dir = tempDir()
    const store = await LevelStore.open(dir)
    await store.append('fine', new Uint8Array([1]))
    await store.append('damaged', new Uint8Array([2]))
    await store.close()
    const raw = new Level<string, string>(dir)
    await raw.put('m:damaged', '{not json')
    await raw.close()

    const reopened = await LevelStore.open(dir)
    await expect(reopened.load('damaged')).rejects.toThrow(/document "damaged": metadata record is not valid/)
    await expect(reopened.append('damaged', new Uint8Array([3]))).rejects.toThrow(/not valid/)
    expect((await reopened.load('fine'))?.updates.map((u) => [...u])).toEqual([[1]])
    await reopened.close()

    const check = new Level<string, string>(dir)
    expect(await check.get('m:damaged')).toBe('{not json')
    await check.close()
  })

  it('writes the appends of one event-loop turn as one batch', async () => {
    const store = await LevelStore.open(tempDir())
    const heads = await Promise.all(Array.from({ length: 1000 }, (_, i) => store.append(`doc-${i % 10}`, new Uint8Array([i % 256]))))
    expect(new Set(heads).size).toBe(100)
    expect((await store.list()).map((m) => m.updates)).toEqual(Array(10).fill(100))
    await store.close()
  })
})

describe('LevelDB store after a crash', () => {
  it('recovers a head its metadata had not caught up with, so no record is overwritten', async () => {
    const dir = tempDir()
    const store = await LevelStore.open(dir)
    await store.append('doc', new Uint8Array([1]))
    await store.close()
    // As if the process died between writing records 2 and 3 and writing their metadata.
    const raw = new Level<string, Uint8Array>(dir, { valueEncoding: 'view' })
    await raw.put('u:doc\u00000000000000002', new Uint8Array([2]))
    await raw.put('u:doc\u00000000000000003', new Uint8Array([3]))
    await raw.close()

    const reopened = await LevelStore.open(dir)
    expect(await reopened.append('doc', new Uint8Array([4]))).toBe(4)
    expect((await reopened.load('doc'))?.updates.map((u) => u[0])).toEqual([1, 2, 3, 4])
    await reopened.close()
  })
})
