import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as decoding from 'lib0/decoding'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import * as awarenessProtocol from 'y-protocols/awareness'
import * as Y from 'yjs'
import { LevelStore } from '../../../server/store/level.js'
import { SyncEvents } from '../../../server/sync/events.js'
import type { Peer } from '../../../server/sync/room.js'
import { Rooms } from '../../../server/sync/rooms.js'

/** A peer that records what it is sent, and reads updates back into a doc of its own. */
class RecordingPeer implements Peer {
  static next = 1
  readonly id = RecordingPeer.next++
  readonly doc = new Y.Doc()
  readonly sent: Uint8Array[] = []
  closedWith: { code: number; reason: string } | null = null
  send(message: Uint8Array) {
    this.sent.push(message)
    const d = decoding.createDecoder(message)
    if (decoding.readVarUint(d) !== 0) return
    const syncType = decoding.readVarUint(d)
    if (syncType !== 0) Y.applyUpdate(this.doc, decoding.readVarUint8Array(d))
  }
  close(code: number, reason: string) {
    this.closedWith = { code, reason }
  }
}

const edit = (text: string) => {
  const doc = new Y.Doc()
  doc.getText('text').insert(0, text)
  return Y.encodeStateAsUpdate(doc)
}

let store: LevelStore
let events: SyncEvents
let rooms: Rooms
beforeEach(async () => {
  store = await LevelStore.open(mkdtempSync(join(tmpdir(), 'quire-room-')))
  events = new SyncEvents()
  rooms = new Rooms(store, events, { compactAfterUpdates: 10 })
})
afterEach(async () => {
  await rooms.shutdown()
  await store.close()
})

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
    for (let i = 0; i < 25; i++) text.insert(text.length, 'x')
    await room.settled()
    await room.compact()
    const meta = await store.stat('doc')
    expect(meta!.updates).toBeLessThan(10)
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

describe('Room whose document another instance deleted', () => {
  it('closes its peers with 4404 on their next edit instead of creating the document again', async () => {
    // A second registry on the same store is another instance that deletes without telling this one.
    const elsewhere = new Rooms(store, new SyncEvents(), { compactAfterUpdates: 10 })
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
