import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as decoding from 'lib0/decoding'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import * as awarenessProtocol from 'y-protocols/awareness'
import * as Y from 'yjs'
import { LevelStore } from '../../../server/store/level.js'
import { StoreError } from '../../../server/store/store.js'
import { SyncEvents } from '../../../server/sync/events.js'
import { SAVE_STATE_MIN_BYTES } from '../../../server/sync/room.js'
import { Rooms } from '../../../server/sync/rooms.js'
import { DEFAULTS } from '../../../shared/defaults.js'
import { edit, RecordingPeer } from '../../helpers/peer.js'
import { until } from '../../helpers/until.js'

/** Decodes a sync message the room sent: its sync type and payload, or `null` for other messages. */
function syncOf(message: Uint8Array): { syncType: number; payload: Uint8Array } | null {
  const d = decoding.createDecoder(message)
  if (decoding.readVarUint(d) !== 0) return null
  return { syncType: decoding.readVarUint(d), payload: decoding.readVarUint8Array(d) }
}

/**
 * Holds back the store's appends: while held, an append does not start writing, as if the disk
 * were slow. `stored` is a doc of exactly what has landed, to compare what peers were shown with.
 */
function holdAppends(target: LevelStore) {
  const append = target.append.bind(target)
  const stored = new Y.Doc()
  let held: Promise<void> | null = null
  let release = () => {}
  target.append = async (name, update) => {
    await held
    const head = await append(name, update)
    Y.applyUpdate(stored, update)
    return head
  }
  return {
    stored,
    hold() {
      held = new Promise((resolve) => (release = resolve))
    },
    release() {
      held = null
      release()
    },
  }
}

/** Lets the room apply what it received so far, as the end of a socket read does. */
const nextRead = () => new Promise<void>((resolve) => setImmediate(resolve))

let store: LevelStore
let events: SyncEvents
let rooms: Rooms
beforeEach(async () => {
  store = await LevelStore.open(mkdtempSync(join(tmpdir(), 'quire-room-')))
  events = new SyncEvents()
  rooms = new Rooms(store, events, { compactAfterUpdates: 10, maxDocBytes: DEFAULTS.maxDocBytes, maxAwarenessBytes: DEFAULTS.maxAwarenessBytes, saveStates: true })
})
afterEach(async () => {
  await rooms.shutdown()
  await store.close()
})

/** A room of `doc` with one stored edit and a writer's next edit held back on its way to the store. */
async function writerWithAppendInFlight() {
  const appends = holdAppends(store)
  const writer = new RecordingPeer()
  const room = await rooms.join('doc', writer)
  await room.applyLocal(edit('stored. '))
  appends.hold()
  room.receive(writer, { type: 'update', update: edit('in flight. ') })
  return { appends, writer, room }
}

describe('Room', () => {
  it('stores an update before relaying it to the other peers, and never back to its sender', async () => {
    const [a, b] = [new RecordingPeer(), new RecordingPeer()]
    const room = await rooms.join('doc', a)
    await rooms.join('doc', b)
    const order: string[] = []
    const append = store.append.bind(store)
    store.append = async (name, update) => {
      const head = await append(name, update)
      order.push('stored')
      return head
    }
    const sentBefore = a.sent.length
    const bSend = b.send.bind(b)
    b.send = (message) => {
      order.push('relayed')
      bSend(message)
    }
    room.receive(a, { type: 'update', update: edit('hello') })
    await room.settled()
    expect(order).toEqual(['stored', 'relayed'])
    expect(b.doc.getText('text').toString()).toBe('hello')
    expect(a.sent.length).toBe(sentBefore)
  })

  it('applies the updates of one read of a peer together: one stored record and one relayed frame for all of them', async () => {
    const a = new RecordingPeer()
    const b = new RecordingPeer()
    const room = await rooms.join('doc', a)
    await rooms.join('doc', b)
    const writer = new Y.Doc()
    const typed: Uint8Array[] = []
    writer.on('update', (update: Uint8Array) => typed.push(update))
    for (const key of 'hello') writer.getText('text').insert(writer.getText('text').length, key)
    const recordsBefore = (await store.stat('doc'))?.updates ?? 0
    const sentBefore = b.sent.length
    // As a socket hands over the frames of one read: one after another, in the same tick.
    for (const update of typed) room.receive(a, { type: 'update', update })
    await room.settled()
    expect(b.doc.getText('text').toString()).toBe('hello')
    expect(b.sent.length - sentBefore).toBe(1)
    expect((await store.stat('doc'))!.updates - recordsBefore).toBe(1)
  })

  it('applies a burst before the next message or peer, so each is answered and relayed in order', async () => {
    const a = new RecordingPeer()
    const b = new RecordingPeer()
    const room = await rooms.join('doc', a)
    await rooms.join('doc', b)
    room.receive(a, { type: 'update', update: edit('from a') })
    room.receive(b, { type: 'update', update: edit('from b') })
    await room.settled()
    // Each update went to the other peer and not back to its sender.
    expect(a.doc.getText('text').toString()).toBe('from b')
    expect(b.doc.getText('text').toString()).toBe('from a')
    // The answer to a sync step 1 includes the update its sender sent just before it.
    const c = new RecordingPeer()
    await rooms.join('doc', c)
    room.receive(c, { type: 'update', update: edit('from c') })
    room.receive(c, { type: 'sync-step1', stateVector: Y.encodeStateVector(c.doc) })
    await room.settled()
    await until(() => expect(c.doc.getText('text').toString()).toContain('from c'))
    for (const part of ['from a', 'from b']) expect(c.doc.getText('text').toString()).toContain(part)
  })

  it('closes a peer with 1002 for an invalid update in a burst and keeps the updates before it', async () => {
    const a = new RecordingPeer()
    const room = await rooms.join('doc', a)
    room.receive(a, { type: 'update', update: edit('kept') })
    room.receive(a, { type: 'update', update: new Uint8Array([0xff, 0xff, 0xff]) })
    await room.settled()
    expect(a.closedWith?.code).toBe(1002)
    expect(await room.view((doc) => doc.getText('text').toString())).toBe('kept')
  })

  it('answers a joiner with stored state only, holding updates that arrive meanwhile until it is served', async () => {
    const { appends, writer, room } = await writerWithAppendInFlight()
    const joiner = new RecordingPeer()
    await rooms.join('doc', joiner)
    const served: string[] = []
    const joinerSend = joiner.send.bind(joiner)
    joiner.send = (message) => {
      const sync = syncOf(message)
      if (sync?.syncType === 1) {
        const shown = new Y.Doc()
        Y.applyUpdate(shown, sync.payload)
        // Everything the joiner is shown must be stored already.
        expect(Y.encodeStateVector(shown)).toEqual(Y.encodeStateVector(appends.stored))
        served.push(shown.getText('text').toString())
      }
      joinerSend(message)
    }
    room.receive(joiner, { type: 'sync-step1', stateVector: Y.encodeStateVector(joiner.doc) })
    // Received while the joiner waits: queued, not applied, so it is not in the answer either.
    room.receive(writer, { type: 'update', update: edit('after. ') })
    expect(served).toEqual([])
    appends.release()
    await until(() => expect(served).toHaveLength(1))
    expect(served[0]).toContain('in flight. ')
    expect(served[0]).not.toContain('after. ')
    await room.settled()
    await until(() => expect(joiner.doc.getText('text').toString()).toContain('after. '))
    expect(appends.stored.getText('text').toString()).toBe(await room.view((doc) => doc.getText('text').toString()))
  })

  it('renders an API read from stored state only, once the appends in flight have landed', async () => {
    const { appends } = await writerWithAppendInFlight()
    await nextRead()
    let read: string | null = null
    const reading = rooms.view('doc', (doc) => (read = doc.getText('text').toString()))
    await nextRead()
    expect(read).toBeNull()
    appends.release()
    await reading
    expect(read).toBe(appends.stored.getText('text').toString())
    expect(read).toContain('in flight. ')
  })

  it('serves a joiner after one round of appends, however busy the writers', async () => {
    const appends = holdAppends(store)
    const writer = new RecordingPeer()
    const room = await rooms.join('doc', writer)
    appends.hold()
    room.receive(writer, { type: 'update', update: edit('first. ') })
    const joiner = new RecordingPeer()
    await rooms.join('doc', joiner)
    let answered = false
    const joinerSend = joiner.send.bind(joiner)
    joiner.send = (message) => {
      if (syncOf(message)?.syncType === 1) answered = true
      joinerSend(message)
    }
    room.receive(joiner, { type: 'sync-step1', stateVector: Y.encodeStateVector(joiner.doc) })
    // Writers keep typing: their updates wait behind the joiner instead of delaying it.
    for (let i = 0; i < 50; i++) room.receive(writer, { type: 'update', update: edit(`more ${i}. `) })
    appends.release()
    await until(() => expect(answered).toBe(true))
  })

  it('rejects a server-side edit whose append failed, and fails the room', async () => {
    const a = new RecordingPeer()
    const room = await rooms.join('doc', a)
    store.append = () => Promise.reject(new StoreError('unavailable', 'disk full'))
    await expect(rooms.edit('doc', () => [edit('lost')])).rejects.toThrow('disk full')
    expect(a.closedWith?.code).toBe(1011)
    expect(room.failed).toBe(true)
  })

  it('reports a listener that throws as a problem and goes on relaying', async () => {
    const [a, b] = [new RecordingPeer(), new RecordingPeer()]
    const room = await rooms.join('doc', a)
    await rooms.join('doc', b)
    const problems: Array<{ kind: string; message: string }> = []
    events.on('problem', (problem) => problems.push(problem))
    events.on('doc.update', () => {
      throw new Error('broken dashboard')
    })
    let counted = 0
    events.on('doc.update', () => counted++)
    // Two reads of the socket, so two updates (one read's would be applied as one).
    room.receive(a, { type: 'update', update: edit('one. ') })
    await nextRead()
    room.receive(a, { type: 'update', update: edit('two. ') })
    await room.settled()
    expect(room.failed).toBe(false)
    expect(b.closedWith).toBeNull()
    expect(b.doc.getText('text').toString()).toContain('two. ')
    expect(counted).toBe(2)
    expect(problems).toEqual([
      { kind: 'observer', doc: 'doc', message: 'a doc.update listener threw: broken dashboard' },
      { kind: 'observer', doc: 'doc', message: 'a doc.update listener threw: broken dashboard' },
    ])
  })

  it('answers sync step 1 with the state the peer lacks', async () => {
    const a = new RecordingPeer()
    const room = await rooms.join('doc', a)
    await room.applyLocal(edit('server side'))
    const b = new RecordingPeer()
    await rooms.join('doc', b)
    room.receive(b, { type: 'sync-step1', stateVector: Y.encodeStateVector(b.doc) })
    expect(b.doc.getText('text').toString()).toBe('server side')
  })

  it('removes the awareness states of a leaving peer and tells the others who left', async () => {
    const [a, b] = [new RecordingPeer(), new RecordingPeer()]
    const room = await rooms.join('doc', a)
    await rooms.join('doc', b)
    const presence: unknown[] = []
    events.on('presence', (e) => presence.push(e))
    const clientAwareness = new awarenessProtocol.Awareness(new Y.Doc())
    clientAwareness.setLocalState({ user: { name: 'Ada', color: '#e91e63' } })
    room.receive(a, { type: 'awareness', update: awarenessProtocol.encodeAwarenessUpdate(clientAwareness, [clientAwareness.clientID]) })
    expect(room.awareness.getStates().has(clientAwareness.clientID)).toBe(true)
    rooms.leave(room, a)
    expect(room.awareness.getStates().has(clientAwareness.clientID)).toBe(false)
    expect(presence).toEqual([
      { doc: 'doc', joined: [{ name: 'Ada', color: '#e91e63' }], left: [] },
      { doc: 'doc', joined: [], left: [{ name: 'Ada', color: '#e91e63' }] },
    ])
    clientAwareness.destroy()
  })

  it('compacts its records once they pass the threshold, keeping the content', async () => {
    const a = new RecordingPeer()
    const room = await rooms.join('doc', a)
    const text = a.doc.getText('text')
    a.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin !== 'remote') room.receive(a, { type: 'update', update })
    })
    let compactions = 0
    events.on('doc.compacted', () => compactions++)
    // One keystroke per read of the socket, so each is its own record.
    for (let i = 0; i < 25; i++) {
      text.insert(text.length, 'x')
      await nextRead()
    }
    // No compact() call: the threshold of 10 records alone must start the merges.
    await until(async () => {
      expect(compactions).toBeGreaterThan(0)
      expect((await store.stat('doc'))!.updates).toBeLessThan(10)
    })
    await room.settled()
    const stored = await store.load('doc')
    const check = new Y.Doc()
    for (const u of stored!.updates) Y.applyUpdate(check, u)
    expect(check.getText('text').toString()).toBe('x'.repeat(25))
  })

  it('closes the peers of a removed document with 4404 and deletes it', async () => {
    const a = new RecordingPeer()
    const room = await rooms.join('doc', a)
    await room.applyLocal(edit('to delete'))
    expect(await rooms.remove('doc')).toBe(true)
    expect(a.closedWith).toEqual({ code: 4404, reason: 'document deleted' })
    expect(await store.load('doc')).toBeNull()
    expect(rooms.get('doc')).toBeUndefined()
  })

  it('reads no document for a name only an editor waits on, until something is stored under it', async () => {
    const waiting = new RecordingPeer()
    await rooms.join('ghost', waiting)
    const text = (doc: Y.Doc) => doc.getText('text').toString()
    expect(await rooms.view('ghost', text)).toBeNull()
    // Stored by another instance of a cluster, say, before this room heard of it.
    await store.append('ghost', edit('written elsewhere'))
    expect(await rooms.view('ghost', () => 'read')).toBe('read')
  })

  it('deletes nothing for a name only an editor waits on, and leaves that editor connected', async () => {
    const waiting = new RecordingPeer()
    const room = await rooms.join('ghost', waiting)
    expect(await rooms.remove('ghost')).toBe(false)
    expect(waiting.closedWith).toBeNull()
    expect(rooms.get('ghost')).toBe(room)
    await room.applyLocal(edit('its first words'))
    expect(await rooms.view('ghost', (doc) => doc.getText('text').toString())).toBe('its first words')
  })

  it('shares one load between concurrent joins and unloads after the last peer leaves', async () => {
    let loads = 0
    events.on('doc.loaded', () => loads++)
    const peers = [new RecordingPeer(), new RecordingPeer(), new RecordingPeer()]
    const joined = await Promise.all(peers.map((p) => rooms.join('shared', p)))
    expect(new Set(joined).size).toBe(1)
    expect(loads).toBe(1)
    for (const p of peers) rooms.leave(joined[0]!, p)
    expect(rooms.get('shared')).toBeUndefined()
  })
})

describe('Room and saved states', () => {
  const text = 'x'.repeat(SAVE_STATE_MIN_BYTES)
  const unloaded = (name: string) => new Promise<void>((resolve) => events.on('doc.unloaded', ({ doc }) => doc === name && resolve()))
  /** Writes `content` into `name` through a room and waits until the room has unloaded. */
  async function writeAndClose(name: string, content: string) {
    const peer = new RecordingPeer()
    const room = await rooms.join(name, peer)
    await room.applyLocal(edit(content))
    const closed = unloaded(name)
    rooms.leave(room, peer)
    await closed
  }
  const textOf = (update: Uint8Array) => {
    const doc = new Y.Doc()
    Y.applyUpdate(doc, update)
    return doc.getText('text').toString()
  }

  it("saves a big document's state as it closes, at the head of its last record", async () => {
    await writeAndClose('big', text)
    const stored = await store.load('big')
    expect(stored!.state!.head).toBe(stored!.head)
    expect(textOf(stored!.state!.update)).toBe(text)
  })

  it('saves no state for a small document, nor when saving states is off (a cluster)', async () => {
    await writeAndClose('small', 'a little text')
    expect((await store.load('small'))!.state).toBeUndefined()
    await rooms.shutdown()
    rooms = new Rooms(store, events, { compactAfterUpdates: 10, maxDocBytes: DEFAULTS.maxDocBytes, maxAwarenessBytes: DEFAULTS.maxAwarenessBytes, saveStates: false })
    await writeAndClose('clustered', text)
    expect((await store.load('clustered'))!.state).toBeUndefined()
  })

  it('serves joiners from the saved state without building the doc, and builds it for the first edit', async () => {
    await writeAndClose('big', text)
    const { head, state } = (await store.load('big'))!
    const joiner = new RecordingPeer()
    const room = await rooms.join('big', joiner)
    room.receive(joiner, { type: 'sync-step1', stateVector: Y.encodeStateVector(joiner.doc) })
    // What a joiner with nothing answers the server's step 1 with: it changes nothing, stores nothing.
    room.receive(joiner, { type: 'sync-step2', update: Y.encodeStateAsUpdate(new Y.Doc()) })
    await room.settled()
    const step2 = joiner.sent.map(syncOf).find((sync) => sync?.syncType === 1)
    expect(step2!.payload).toEqual(state!.update)
    expect(joiner.doc.getText('text').toString()).toBe(text)
    expect(room.storedSnapshot()).toBeNull()
    expect((await store.load('big'))!.head).toBe(head)

    room.receive(joiner, { type: 'update', update: edit('!') })
    await room.settled()
    expect(await room.view((doc) => doc.getText('text').length)).toBe(text.length + 1)
    expect(room.storedSnapshot()).not.toBeNull()
    const closed = unloaded('big')
    rooms.leave(room, joiner)
    await closed
    const after = (await store.load('big'))!
    expect(after.state!.head).toBe(after.head)
    expect(after.head).toBeGreaterThan(head)
    expect(textOf(after.state!.update)).toHaveLength(text.length + 1)
  })

  it('fails the room, closing its peers, when a record turns out damaged as the doc is built', async () => {
    await store.append('damaged', edit(text))
    const head = await store.append('damaged', new Uint8Array([0xff, 0xff, 0xff]))
    const good = new Y.Doc()
    Y.applyUpdate(good, edit(text))
    await store.saveState('damaged', { head, update: Y.encodeStateAsUpdate(good), stateVector: Y.encodeStateVector(good) })
    const problems: string[] = []
    events.on('problem', ({ kind }) => problems.push(kind))
    const peer = new RecordingPeer()
    const room = await rooms.join('damaged', peer)
    room.receive(peer, { type: 'update', update: edit('!') })
    await room.settled()
    expect(peer.closedWith).toEqual({ code: 1011, reason: 'document could not be opened' })
    expect(problems).toContain('store-read')
    expect((await store.load('damaged'))!.head).toBe(head)
  })
})

describe('Room whose document another instance deleted', () => {
  it('closes its peers with 4404 on their next edit instead of creating the document again', async () => {
    // A second registry on the same store is another instance that deletes without telling this one.
    const elsewhere = new Rooms(store, new SyncEvents(), { compactAfterUpdates: 10, maxDocBytes: DEFAULTS.maxDocBytes, maxAwarenessBytes: DEFAULTS.maxAwarenessBytes, saveStates: true })
    const a = new RecordingPeer()
    const room = await rooms.join('doc', a)
    await room.applyLocal(edit('before'))
    expect(await elsewhere.remove('doc')).toBe(true)
    room.receive(a, { type: 'update', update: edit('after') })
    await room.settled()
    expect(a.closedWith).toEqual({ code: 4404, reason: 'document deleted' })
    expect(await store.load('doc')).toBeNull()
    expect(rooms.get('doc')).toBeUndefined()
    await elsewhere.shutdown()
  })
})
