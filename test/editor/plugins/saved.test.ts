import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { PROBE_EVERY_MS, SaveTracker } from '../../../editor/plugins/saved.js'
import { MessageType, SyncType } from '../../../shared/protocol.js'

/**
 * The parts of a y-websocket provider the tracker uses: an open socket that records what is sent,
 * and the sync handler the tracker wraps to see the server's answers.
 */
function fakeProvider() {
  const doc = new Y.Doc()
  const sent: Uint8Array[] = []
  const syncHandler = vi.fn()
  const provider = {
    doc,
    wsconnected: true,
    synced: true,
    ws: { readyState: WebSocket.OPEN, send: (message: Uint8Array) => sent.push(message) },
    messageHandlers: [syncHandler],
    on: () => {},
    off: () => {},
  }
  /** The server's sync step 2, as the provider hands it to its sync handler. */
  const answer = (): void => {
    const message = encoding.createEncoder()
    encoding.writeVarUint(message, SyncType.step2)
    encoding.writeVarUint8Array(message, Y.encodeStateAsUpdate(new Y.Doc()))
    provider.messageHandlers[MessageType.sync]!(encoding.createEncoder(), decoding.createDecoder(encoding.toUint8Array(message)), provider, true, MessageType.sync)
  }
  const probes = () => sent.filter((message) => decoding.readVarUint(decoding.createDecoder(message.subarray(1))) === SyncType.step1).length
  return { tracker: new SaveTracker(provider as unknown as WebsocketProvider), doc, answer, probes }
}

const flushMicrotasks = () => Promise.resolve()

describe('SaveTracker', () => {
  beforeEach(() => {
    vi.stubGlobal('WebSocket', { OPEN: 1 })
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] })
  })
  afterEach(() => {
    vi.useRealTimers()
    vi.unstubAllGlobals()
  })

  it('asks the server at most once a second while someone types, and counts every change sent before an answer as saved', async () => {
    const { tracker, doc, answer, probes } = fakeProvider()
    const text = doc.getText('t')
    text.insert(0, 'a')
    await flushMicrotasks()
    expect(probes()).toBe(1)
    expect(tracker.state).toBe('pending')

    for (const letter of 'bcdef') {
      vi.advanceTimersByTime(100)
      text.insert(text.length, letter)
      await flushMicrotasks()
    }
    answer()
    await flushMicrotasks()
    expect(tracker.pending).toBe(5)
    expect(probes()).toBe(1)

    vi.advanceTimersByTime(PROBE_EVERY_MS)
    expect(probes()).toBe(2)
    answer()
    expect(tracker.state).toBe('saved')
    tracker.destroy()
  })
})
