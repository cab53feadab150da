import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { History, type LiveDocs } from '../../../server/history/history.js'
import { VersionRecorder } from '../../../server/history/recorder.js'
import { LevelStore } from '../../../server/store/level.js'
import { SyncEvents } from '../../../server/sync/events.js'
import { ManualClock } from '../../helpers/clock.js'

const ada = { name: 'Ada', color: '#e91e63' }
const TIMING = { idleMs: 1000, everyMs: 10_000 }

describe('version recorder', () => {
  let dir: string
  let store: LevelStore
  let events: SyncEvents
  let clock: ManualClock
  let doc: Y.Doc
  let reads: number
  let recorder: VersionRecorder
  const failures: string[] = []

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'quire-recorder-'))
    store = await LevelStore.open(dir)
    events = new SyncEvents()
    clock = new ManualClock()
    doc = new Y.Doc()
    reads = 0
    const live: LiveDocs = {
      storedSnapshot: async (name) => {
        reads += 1
        return (await store.stat(name)) ? Y.snapshot(doc) : null
      },
      apply: async () => {},
    }
    recorder = new VersionRecorder(events, new History(store, live, () => clock.now()), TIMING, clock, (_doc, error) => failures.push(error.message))
  })
  afterEach(async () => {
    await recorder.close()
    await store.close()
    await rm(dir, { recursive: true, force: true })
    expect(failures).toEqual([])
  })

  /** An edit by `user`, stored and announced as the room does. */
  async function edit(text: string, user: typeof ada | null, origin: 'peer' | 'local' | 'cluster' = 'peer') {
    const before = Y.encodeStateVector(doc)
    doc.getText('t').insert(0, text)
    const update = Y.encodeStateAsUpdate(doc, before)
    await store.append('notes', update)
    events.emit('doc.update', { doc: 'notes', update, bytes: update.byteLength, persistMs: 0, origin, user })
  }

  it('records a pause in editing with its authors, off the event that announced the edit', async () => {
    await edit('hello', ada)
    expect(reads).toBe(0)
    clock.advance(TIMING.idleMs)
    await recorder.close()
    expect(await recorder.history.list('notes')).toMatchObject([{ auto: true, label: null, authors: [ada] }])
  })

  it('leaves edits relayed from another instance to that instance to record', async () => {
    await edit('from elsewhere', null, 'cluster')
    clock.advance(TIMING.everyMs)
    await recorder.close()
    expect(await recorder.history.list('notes')).toEqual([])
  })

  it('records the state a room held as its last editor left, without reading the document back', async () => {
    await edit('kept', ada)
    const stored = Y.snapshot(doc)
    doc.getText('t').insert(0, 'not stored: must not be recorded ')
    events.emit('doc.unloaded', { doc: 'notes', stored })
    await recorder.close()
    expect(reads).toBe(0)
    const [version] = await recorder.history.list('notes')
    expect(version).toMatchObject({ authors: [ada] })
    expect((await recorder.history.content('notes', version!.id))!.getText('t').toString()).toBe('kept')
  })

  it('records nothing, and reports no failure, for a room that unloaded as its document was deleted', async () => {
    await edit('gone', ada)
    const stored = Y.snapshot(doc)
    await store.remove('notes')
    events.emit('doc.unloaded', { doc: 'notes', stored })
    await recorder.close()
    expect(await recorder.history.list('notes')).toEqual([])
  })

  it('records the edits a rename interrupted under the new name, with their authors, where the history moved', async () => {
    await edit('renamed', ada)
    expect(await store.rename('notes', 'paper')).toBe('renamed')
    events.emit('doc.removed', { doc: 'notes', renamedTo: 'paper', origin: 'local' })
    await recorder.close()
    expect(await recorder.history.list('notes')).toEqual([])
    const [version] = await recorder.history.list('paper')
    expect(version).toMatchObject({ auto: true, authors: [ada] })
    expect((await recorder.history.content('paper', version!.id))!.getText('t').toString()).toBe('renamed')
  })

  it('reads the stored state back when the room could not tell it', async () => {
    await edit('kept', ada)
    events.emit('doc.unloaded', { doc: 'notes', stored: null })
    await recorder.close()
    expect(reads).toBe(1)
    expect(await recorder.history.list('notes')).toHaveLength(1)
  })

  it('names the pending authors on the version it records before a restore', async () => {
    await edit('first', null)
    const first = await recorder.checkpoint('notes', 'First')
    await edit('then Ada', ada)
    const before = await recorder.restore('notes', first!.id, () => new Uint8Array([0, 0]))
    expect(before).toMatchObject({ label: `Before restoring version ${first!.id}`, authors: [ada] })
  })

  it('takes the pending authors into a checkpoint, which records only a change unless named', async () => {
    await edit('draft', ada)
    const named = await recorder.checkpoint('notes', 'Draft')
    expect(named).toMatchObject({ label: 'Draft', auto: false, authors: [ada] })
    clock.advance(TIMING.everyMs)
    expect(await recorder.checkpoint('notes', null)).toEqual(named)
    await recorder.close()
    expect(await recorder.history.list('notes')).toHaveLength(1)
  })
})
