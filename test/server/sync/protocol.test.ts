import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { describe, expect, it } from 'vitest'
import * as syncProtocol from 'y-protocols/sync'
import * as Y from 'yjs'
import { decodeMessage, encodeAwareness, encodePermissionDenied, encodeSyncStep1, encodeSyncStep2, encodeUpdate, ProtocolError } from '../../../server/sync/protocol.js'

/** A frame as the official client builds it: message type, then y-protocols' own encoders. */
const clientFrame = (type: number, write: (e: encoding.Encoder) => void) => {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, type)
  write(e)
  return encoding.toUint8Array(e)
}

describe('decodeMessage', () => {
  const doc = new Y.Doc()
  doc.getText('t').insert(0, 'hi')

  it('decodes sync step 1, step 2 and updates written by y-protocols', () => {
    const sv = Y.encodeStateVector(doc)
    expect(decodeMessage(clientFrame(0, (e) => syncProtocol.writeSyncStep1(e, doc)))).toEqual({ type: 'sync-step1', stateVector: sv })
    const step2 = decodeMessage(clientFrame(0, (e) => syncProtocol.writeSyncStep2(e, doc)))
    expect(step2.type).toBe('sync-step2')
    const update = Y.encodeStateAsUpdate(doc)
    expect(decodeMessage(clientFrame(0, (e) => syncProtocol.writeUpdate(e, update)))).toEqual({ type: 'update', update })
  })

  it('decodes awareness, query-awareness and (ignored) auth messages', () => {
    expect(decodeMessage(clientFrame(1, (e) => encoding.writeVarUint8Array(e, new Uint8Array([7]))))).toEqual({ type: 'awareness', update: new Uint8Array([7]) })
    expect(decodeMessage(clientFrame(3, () => {}))).toEqual({ type: 'query-awareness' })
    expect(decodeMessage(clientFrame(2, () => {}))).toEqual({ type: 'auth' })
  })

  it.each([
    ['an empty frame', new Uint8Array([])],
    ['a truncated payload', new Uint8Array([0, 2, 10, 1])],
    ['an unknown message type', new Uint8Array([4])],
    ['an unknown sync type', new Uint8Array([0, 3, 0])],
    // Found by the protocol fuzz: answered later, an unreadable state vector stalled the room.
    ['a sync step 1 whose state vector cannot be read', new Uint8Array([0, 0, 0])],
    ['a sync step 1 with a truncated state vector', new Uint8Array([0, 0, 2, 5, 1])],
    // Found by the protocol fuzz: Yjs integrates an update's structs before reading its delete
    // set, so this one changed the document and only then failed.
    [
      'an update cut short in its delete set',
      (() => {
        const doc = new Y.Doc()
        doc.getText('t').insert(0, 'some text')
        const update = Y.encodeStateAsUpdate(doc)
        const e = encoding.createEncoder()
        encoding.writeVarUint(e, 0)
        encoding.writeVarUint(e, 2)
        // The update's structs, then a delete set that claims a client it does not hold.
        encoding.writeVarUint8Array(e, Uint8Array.from([...update.subarray(0, update.length - 1), 1]))
        return encoding.toUint8Array(e)
      })(),
    ],
    ['an oversized varint', new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])],
  ])('throws ProtocolError for %s', (_what, frame) => {
    expect(() => decodeMessage(frame)).toThrow(ProtocolError)
  })
})

describe('encoders', () => {
  it('produce frames the official client reads back', () => {
    const source = new Y.Doc()
    source.getText('t').insert(0, 'relayed')
    const update = Y.encodeStateAsUpdate(source)
    for (const frame of [encodeSyncStep2(update), encodeUpdate(update)]) {
      const target = new Y.Doc()
      const d = decoding.createDecoder(frame)
      expect(decoding.readVarUint(d)).toBe(0)
      syncProtocol.readSyncMessage(d, encoding.createEncoder(), target, null)
      expect(target.getText('t').toString()).toBe('relayed')
    }
    const d = decoding.createDecoder(encodeSyncStep1(Y.encodeStateVector(source)))
    expect([decoding.readVarUint(d), decoding.readVarUint(d)]).toEqual([0, 0])
    expect(decoding.readVarUint8Array(decoding.createDecoder(encodeAwareness(new Uint8Array([1, 2])).subarray(1)))).toEqual(new Uint8Array([1, 2]))
  })

  it('encodes auth permission-denied with its reason', () => {
    const d = decoding.createDecoder(encodePermissionDenied('expired'))
    expect([decoding.readVarUint(d), decoding.readVarUint(d), decoding.readVarString(d)]).toEqual([2, 0, 'expired'])
  })
})

describe('awareness entries', () => {
  it('decode what y-protocols encodes and encode it back byte for byte', async () => {
    const awarenessProtocol = await import('y-protocols/awareness')
    const { decodeAwarenessEntries, encodeAwarenessEntries } = await import('../../../server/sync/protocol.js')
    const doc = new Y.Doc()
    const awareness = new awarenessProtocol.Awareness(doc)
    awareness.setLocalState({ user: { name: 'Ada ✓', color: '#e91e63' } })
    const update = awarenessProtocol.encodeAwarenessUpdate(awareness, [doc.clientID])
    const entries = decodeAwarenessEntries(update)
    expect(entries).toHaveLength(1)
    expect(entries[0]).toMatchObject({ clientId: doc.clientID, clock: 1 })
    expect(JSON.parse(new TextDecoder().decode(entries[0]!.state))).toEqual({ user: { name: 'Ada ✓', color: '#e91e63' } })
    expect(encodeAwarenessEntries(entries)).toEqual(update)
    expect(() => decodeAwarenessEntries(new Uint8Array([2, 1]))).toThrow(ProtocolError)
    awareness.destroy()
  })
})
