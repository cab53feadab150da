import { execFileSync } from 'node:child_process'
import type { Worker } from 'node:worker_threads'
import { afterEach, describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import { mergeRecords } from '../../../server/store/merge.js'
import { Merger, packRecords, unpackRecords } from '../../../server/store/merger.js'
import { StoreError } from '../../../server/store/store.js'

/** The updates of typing `text` one character at a time, then deleting its first character. */
function keystrokes(text: string): Uint8Array[] {
  const doc = new Y.Doc()
  const updates: Uint8Array[] = []
  doc.on('update', (u: Uint8Array) => updates.push(u))
  for (const ch of text) doc.getText('text').insert(doc.getText('text').length, ch)
  doc.getText('text').delete(0, 1)
  return updates
}

/** A merger that merges everything on its thread, as it does records of 64 KiB and more. */
const onThread = (idleMs = 30_000) => new Merger({ inPlaceBytes: 0, idleMs })

describe('Merger', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('packs records into one buffer and unpacks the same bytes', () => {
    const records = [new Uint8Array([1, 2]), new Uint8Array([]), new Uint8Array([3])]
    const { packed, ends } = packRecords(records)
    expect(packed.byteLength).toBe(3)
    expect(unpackRecords(packed, ends).map((r) => [...r])).toEqual([[1, 2], [], [3]])
  })

  it('merges on its thread exactly what mergeRecords merges on the caller’s', async () => {
    const records = keystrokes('hello world')
    expect(await onThread().merge('doc', records)).toEqual(mergeRecords('doc', records))
  })

  it('merges small records in place and starts its thread only for big ones', async () => {
    const merger = new Merger({ inPlaceBytes: 1000, idleMs: 30_000 })
    const small = keystrokes('short')
    expect(await merger.merge('small', small)).toEqual(mergeRecords('small', small))
    expect(merger.threadRunning).toBe(false)
    const big = keystrokes('x'.repeat(100))
    expect(big.reduce((sum, u) => sum + u.byteLength, 0)).toBeGreaterThanOrEqual(1000)
    expect(await merger.merge('big', big)).toEqual(mergeRecords('big', big))
    expect(merger.threadRunning).toBe(true)
  })

  it('rejects records that are not updates with StoreError(corrupt), and merges the next job', async () => {
    const thread = onThread()
    const broken = thread.merge('broken', [new Uint8Array([0xff, 0xff, 0xff])])
    const fine = thread.merge('fine', keystrokes('abc'))
    await expect(broken).rejects.toBeInstanceOf(StoreError)
    await expect(broken).rejects.toMatchObject({ kind: 'corrupt', message: expect.stringMatching(/document "broken": its records cannot be merged/) })
    const doc = new Y.Doc()
    Y.applyUpdate(doc, await fine)
    expect(doc.getText('text').toString()).toBe('bc')
  })

  it('ends once idle for its idle time, and starts again for the next merge', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const thread = onThread(1000)
    expect(thread.threadRunning).toBe(false)
    await thread.merge('doc', keystrokes('ab'))
    expect(thread.threadRunning).toBe(true)
    vi.advanceTimersByTime(999)
    expect(thread.threadRunning).toBe(true)
    vi.advanceTimersByTime(1)
    expect(thread.threadRunning).toBe(false)
    const records = keystrokes('cd')
    expect(await thread.merge('doc', records)).toEqual(mergeRecords('doc', records))
    expect(thread.threadRunning).toBe(true)
  })

  it('rejects the merges pending on a thread that dies with StoreError(unavailable), and starts another for the next', async () => {
    const merger = onThread()
    const pending = merger.merge('doc', keystrokes('lost'))
    // reason: a thread dying (out of memory, killed) is not something a merge can be made to do.
    await (merger as unknown as { worker: Worker }).worker.terminate()
    await expect(pending).rejects.toMatchObject({ kind: 'unavailable', message: expect.stringMatching(/^merging records failed: the merge thread exited/) })
    expect(merger.threadRunning).toBe(false)
    const records = keystrokes('next')
    expect(await merger.merge('doc', records)).toEqual(mergeRecords('doc', records))
  })

  it('keeps a process alive while a merge is pending, and not once it is idle', () => {
    // The child's only work is one merge: it must print the result rather than exit before it, and
    // then exit at once rather than wait out the idle time (the test's timeout is shorter).
    const script = `import { Merger } from './server/store/merger.ts'
      const doc = (await import('yjs')).Doc
      const d = new doc(); const updates = []; d.on('update', (u) => updates.push(u))
      d.getText('text').insert(0, 'a'); d.getText('text').insert(1, 'b')
      const merged = await new Merger({ inPlaceBytes: 0, idleMs: 30_000 }).merge('doc', updates)
      console.log(merged.byteLength > 0 ? 'merged' : 'empty')`
    const output = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 15_000 })
    expect(output.trim()).toBe('merged')
  })
})
