import { appendFileSync, mkdtempSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Level } from 'level'
import { describe, expect, it } from 'vitest'
import { JOURNAL_FILE, LevelStore } from '../../../server/store/level.js'
import { describeStore, lettersOf, update } from './contract.js'

const tempDir = () => mkdtempSync(join(tmpdir(), 'quire-level-'))

describeStore(
  'LevelDB',
  () => {
    const dir = tempDir()
    return { open: () => LevelStore.open(dir) }
  },
  { shared: false },
)

describe('LevelDB store specifics', () => {
  it('refuses a second process (or handle) on the same directory with a clear error, as locked', async () => {
    const dir = tempDir()
    const first = await LevelStore.open(dir)
    await expect(LevelStore.open(dir)).rejects.toMatchObject({ kind: 'locked', message: `data dir ${dir} is in use by another process` })
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

/** Lets a test hold the store's next LevelDB batch, or fail it, to put a write in a known state. */
function interceptBatches(store: LevelStore) {
  // reason: the batch is the store's private write to LevelDB; the race needs a write held or failed.
  const db = (store as unknown as { db: { batch: (ops: Array<{ type: string; key: string }>) => Promise<void> } }).db
  const original = db.batch.bind(db)
  return {
    /** Holds the next batch until `release`; `held` resolves once it was reached. */
    hold() {
      let release!: () => void
      let reached!: () => void
      const gate = new Promise<void>((resolve) => (release = resolve))
      const held = new Promise<void>((resolve) => (reached = resolve))
      db.batch = async (ops) => {
        db.batch = original
        reached()
        await gate
        return original(ops)
      }
      return { held, release }
    },
    /** Counts the batches written from now on; the returned function reads the count. */
    count() {
      let batches = 0
      const current = db.batch
      db.batch = (ops) => {
        batches += 1
        return current(ops)
      }
      return () => batches
    },
    /**
     * Fails the next batch that has an op of `type` (a `put` of a record, or the `del`s of a
     * compaction) as a full disk would; a batch of metadata alone, written by its timer, passes.
     */
    failNext(type: 'put' | 'del') {
      db.batch = async (ops) => {
        if (!ops.some((op) => op.type === type && op.key.startsWith('u:'))) return original(ops)
        db.batch = original
        throw new Error('IO error: No space left on device')
      }
    },
  }
}

const counts = async (store: LevelStore, name: string) => {
  const meta = await store.stat(name)
  return { updates: meta?.updates, bytes: meta?.bytes }
}

describe('LevelDB store, writes in flight', () => {
  it('writes the appends of every turn that passes while a batch is written as one batch when it lands', async () => {
    const store = await LevelStore.open(tempDir())
    await store.append('doc', new Uint8Array([0]))
    const intercept = interceptBatches(store)
    const { held, release } = intercept.hold()
    const first = store.append('doc', new Uint8Array([1]))
    await held
    // Three more turns of the event loop, one append each, while the first batch is held.
    const later: Promise<number>[] = []
    for (let i = 2; i <= 4; i++) {
      later.push(store.append('doc', new Uint8Array([i])))
      await new Promise((resolve) => setImmediate(resolve))
    }
    const batches = intercept.count()
    release()
    expect(await Promise.all([first, ...later])).toEqual([2, 3, 4, 5])
    // A load reads once every batch queued before it has landed.
    expect((await store.load('doc'))?.updates.map((u) => u[0])).toEqual([0, 1, 2, 3, 4])
    expect(batches()).toBe(1)
    await store.close()
  })

  it('answers an append once the journal has it, while LevelDB is still writing, and lists it', async () => {
    const store = await LevelStore.open(tempDir())
    await store.append('doc', new Uint8Array([1]))
    const { held, release } = interceptBatches(store).hold()
    const appended = store.append('doc', new Uint8Array([2, 2]))
    await held
    expect(await appended).toBe(2)
    expect(await counts(store, 'doc')).toEqual({ updates: 2, bytes: 3 })
    const loading = store.load('doc')
    release()
    expect((await loading)?.updates.map((u) => u[0])).toEqual([1, 2])
    await store.close()
  })

  it('stops after a failed batch of appends, and the next open writes them from the journal', async () => {
    const dir = tempDir()
    const store = await LevelStore.open(dir)
    await store.append('doc', new Uint8Array([1]))
    interceptBatches(store).failNext('put')
    // Answered: the journal has it, and keeps it.
    expect(await store.append('doc', new Uint8Array([2, 2]))).toBe(2)
    await expect(store.load('doc')).rejects.toMatchObject({ kind: 'unavailable' })
    await expect(store.append('doc', new Uint8Array([3]))).rejects.toMatchObject({ kind: 'unavailable' })
    await expect(store.remove('doc')).rejects.toMatchObject({ kind: 'unavailable' })
    await store.close()
    const reopened = await LevelStore.open(dir)
    expect((await reopened.load('doc'))?.updates.map((u) => u[0])).toEqual([1, 2])
    expect(await counts(reopened, 'doc')).toEqual({ updates: 2, bytes: 3 })
    await reopened.close()
  })

  it('takes back the counts of a failed compaction and keeps every record', async () => {
    const store = await LevelStore.open(tempDir())
    for (const letter of 'abc') await store.append('doc', update(letter))
    const before = await counts(store, 'doc')
    const intercept = interceptBatches(store)
    // The compaction waits for the writes queued before it, then its swap is the next batch.
    const compacting = store.compact('doc')
    intercept.failNext('del')
    await expect(compacting).rejects.toMatchObject({ kind: 'unavailable' })
    expect(await counts(store, 'doc')).toEqual(before)
    expect((await store.load('doc'))?.updates).toHaveLength(3)
    await store.close()
  })

  // LevelDB admits one handle per directory (see above), so two writers on one LevelDB store are
  // impossible; the closest race is the store's own: an append queued while a compaction reads.
  it('keeps an append queued behind a held write while a compaction waits for that write', async () => {
    const store = await LevelStore.open(tempDir())
    await store.append('doc', update('a'))
    const { held, release } = interceptBatches(store).hold()
    const first = store.append('doc', update('b'))
    await held
    const compacting = store.compact('doc') // its head includes 'b', which is not on disk yet
    const raced = store.append('doc', update('c'))
    release()
    await Promise.all([first, raced])
    expect(await compacting).toMatchObject({ records: 3 })
    const loaded = await store.load('doc')
    expect(lettersOf(loaded!.updates)).toBe('abc')
    expect(await counts(store, 'doc')).toEqual({ updates: loaded!.updates.length, bytes: loaded!.updates.reduce((n, u) => n + u.byteLength, 0) })
    await store.close()
  })
})

describe('LevelDB store, deletion racing writes', () => {
  it('deletes after an append that was already being written, and fences the ones after', async () => {
    const store = await LevelStore.open(tempDir())
    const head = await store.append('doc', update('a'))
    const { held, release } = interceptBatches(store).hold()
    const inFlight = store.append('doc', update('b'), head)
    await held
    const removing = store.remove('doc')
    const stale = expect(store.append('doc', update('c'), head)).rejects.toMatchObject({ kind: 'deleted' })
    release()
    expect(await inFlight).toBeGreaterThan(head)
    await stale
    expect(await removing).toBe(true)
    expect(await store.load('doc')).toBeNull()
    expect(await store.list()).toEqual([])
    await store.close()
  })
})

describe('LevelDB store after a crash', () => {
  /** Writes records without their metadata, as a process killed between the two leaves them. */
  async function writeBehindMeta(dir: string, records: Array<[seq: number, value: Uint8Array]>) {
    const raw = new Level<string, Uint8Array>(dir, { valueEncoding: 'view' })
    for (const [seq, value] of records) await raw.put(`u:doc\u0000${seq.toString(16).padStart(13, '0')}`, value)
    await raw.close()
  }

  it('recovers a head its metadata had not caught up with, so no record is overwritten', async () => {
    const dir = tempDir()
    const store = await LevelStore.open(dir)
    await store.append('doc', new Uint8Array([1]))
    await store.close()
    // As if the process died between writing records 2 and 3 and writing their metadata.
    await writeBehindMeta(dir, [
      [2, new Uint8Array([2])],
      [3, new Uint8Array([3])],
    ])

    const reopened = await LevelStore.open(dir)
    expect(await reopened.append('doc', new Uint8Array([4]))).toBe(4)
    expect((await reopened.load('doc'))?.updates.map((u) => u[0])).toEqual([1, 2, 3, 4])
    await reopened.close()
  })

  it('recounts what the listing shows from the records, before and after a compaction', async () => {
    const dir = tempDir()
    const store = await LevelStore.open(dir)
    await store.append('doc', update('a'))
    await store.close()
    const behind = [update('b'), update('c'), update('d')]
    await writeBehindMeta(
      dir,
      behind.map((value, i) => [i + 2, value]),
    )

    const reopened = await LevelStore.open(dir)
    const records = (await reopened.load('doc'))!.updates
    expect(records).toHaveLength(4)
    expect(await counts(reopened, 'doc')).toEqual({ updates: 4, bytes: records.reduce((n, u) => n + u.byteLength, 0) })
    const compacted = await reopened.compact('doc')
    expect(await counts(reopened, 'doc')).toEqual({ updates: 1, bytes: compacted!.bytes })
    expect(lettersOf((await reopened.load('doc'))!.updates)).toBe('abcd')
    await reopened.close()
    // The recount was stored: another open finds nothing to recount and shows the same.
    const again = await LevelStore.open(dir)
    expect(await counts(again, 'doc')).toEqual({ updates: 1, bytes: compacted!.bytes })
    await again.close()
  })

  /** Drops `store` as a killed process would: LevelDB closed without the store's last writes, the journal as it is. */
  async function crash(store: LevelStore) {
    // reason: a killed process never runs close(); the test needs LevelDB's lock back without it.
    const parts = store as unknown as { db: { close(): Promise<void> }; journal: { close(): void } }
    parts.journal.close()
    await parts.db.close()
  }

  it('writes the answered appends LevelDB never got from the journal, once', async () => {
    const dir = tempDir()
    const store = await LevelStore.open(dir)
    await store.append('doc', update('a'))
    await store.load('doc') // its batch has landed
    interceptBatches(store).hold() // and the next one never will
    await store.append('doc', update('b'))
    await store.append('new', update('c'))
    await crash(store)

    const reopened = await LevelStore.open(dir)
    expect(lettersOf((await reopened.load('doc'))!.updates)).toBe('ab')
    expect(lettersOf((await reopened.load('new'))!.updates)).toBe('c')
    expect((await reopened.stat('doc'))?.updates).toBe(2)
    // Killed again at once: what the first open wrote is not written twice.
    await crash(reopened)
    const again = await LevelStore.open(dir)
    expect(lettersOf((await again.load('doc'))!.updates)).toBe('ab')
    expect((await again.stat('doc'))?.updates).toBe(2)
    expect(await again.append('doc', update('d'))).toBe(3)
    await again.close()
  })

  it('does not bring back a document deleted after its appends', async () => {
    const dir = tempDir()
    const store = await LevelStore.open(dir)
    await store.append('doc', update('a'))
    await store.append('doc', update('b'))
    expect(await store.remove('doc')).toBe(true)
    await crash(store)

    const reopened = await LevelStore.open(dir)
    expect(await reopened.load('doc')).toBeNull()
    expect(await reopened.deleted('doc')).not.toBeNull()
    await reopened.close()
  })

  it('drops a journal entry torn by the crash (it was never answered) and appends after it', async () => {
    const dir = tempDir()
    const store = await LevelStore.open(dir)
    interceptBatches(store).hold()
    await store.append('doc', update('a'))
    await crash(store)
    // The start of an entry whose body never made it: a length and a checksum, then 3 of 40 bytes.
    appendFileSync(join(dir, JOURNAL_FILE), Buffer.from([40, 0, 0, 0, 1, 2, 3, 4, 9, 9, 9]))

    const reopened = await LevelStore.open(dir)
    expect(lettersOf((await reopened.load('doc'))!.updates)).toBe('a')
    interceptBatches(reopened).hold()
    await reopened.append('doc', update('b'))
    await crash(reopened)
    const again = await LevelStore.open(dir)
    expect(lettersOf((await again.load('doc'))!.updates)).toBe('ab')
    await again.close()
  })

  it('drops what LevelDB holds from a grown journal while writes are still in flight, and loses none of them', async () => {
    const dir = tempDir()
    const store = await LevelStore.open(dir)
    const intercept = interceptBatches(store)
    const record = (i: number) => new Uint8Array(64 * 1024).fill(i)
    const journalBytes = () => statSync(join(dir, JOURNAL_FILE)).size
    const first = intercept.hold()
    await store.append('doc', record(0))
    await first.held
    // 1.3 MiB more while the first batch is held: LevelDB has none of it when that batch lands.
    for (let i = 1; i <= 20; i++) await store.append('doc', record(i))
    const grown = journalBytes()
    const second = intercept.hold()
    first.release()
    await second.held
    // The first batch landed: its record left the journal, the 20 still being written stayed.
    expect(journalBytes()).toBe(grown - (grown - 8) / 21)
    await crash(store)

    const reopened = await LevelStore.open(dir)
    expect((await reopened.load('doc'))?.updates.map((u) => u[0])).toEqual(Array.from({ length: 21 }, (_, i) => i))
    await reopened.close()
  })

  it('leaves an empty journal after a clean close', async () => {
    const dir = tempDir()
    const store = await LevelStore.open(dir)
    for (const letter of 'abc') await store.append('doc', update(letter))
    await store.close()
    expect(statSync(join(dir, JOURNAL_FILE)).size).toBe(8)
  })
})
