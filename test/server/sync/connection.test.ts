import { EventEmitter } from 'node:events'
import type { Duplex } from 'node:stream'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { WebSocket } from 'ws'
import { Connection, type ConnectionLimits } from '../../../server/sync/connection.js'
import { SyncEvents } from '../../../server/sync/events.js'

/** The parts of a `ws` socket a connection uses, recording what it is sent and how it is closed. */
class FakeSocket extends EventEmitter {
  bufferedAmount = 0
  sent: Uint8Array[] = []
  closedWith: { code: number; reason: string } | null = null
  send(message: Uint8Array) {
    this.sent.push(message)
  }
  close(code: number, reason: string) {
    this.closedWith = { code, reason }
  }
}

const raw = { cork() {}, uncork() {} } as unknown as Duplex
const limits: ConnectionLimits = {
  maxBufferedBytes: 1 << 20,
  messagesPerSecond: 1000,
  messageBurst: 10_000,
  bytesPerSecond: 1000,
  byteBurst: 10_000,
  queriesPerSecond: 1,
  queryBurst: 10,
  maxEarlyBytes: 5_000,
}

function connect(expiresAt: number | null = null) {
  const socket = new FakeSocket()
  const connection = new Connection(socket as unknown as WebSocket, raw, 'doc', { write: true, expiresAt }, limits, new SyncEvents(), () => {})
  const frame = (bytes: number) => socket.emit('message', Buffer.alloc(bytes), true)
  return { socket, connection, frame }
}

afterEach(() => {
  vi.useRealTimers()
})

describe('Connection', () => {
  it('counts frames that arrive before its room has loaded against its byte budget', () => {
    // No room is ever attached: every frame waits, and the budget still runs out.
    const { socket, frame } = connect()
    for (let i = 0; i < 4; i++) frame(1000)
    expect(socket.closedWith).toBeNull()
    frame(7000)
    expect(socket.closedWith).toEqual({ code: 1008, reason: 'over 1000 bytes per second' })
  })

  it('holds at most maxEarlyBytes for a room that is still loading', () => {
    const { socket, frame } = connect()
    for (let i = 0; i < 5; i++) frame(1000)
    expect(socket.closedWith).toBeNull()
    frame(1)
    expect(socket.closedWith).toEqual({ code: 1008, reason: 'over 5000 bytes sent before the document loaded' })
  })

  it('closes with auth "permission denied" and 4401 when its token expires, and takes no frame after', () => {
    vi.useFakeTimers({ now: 0 })
    const { socket, frame } = connect(5_000)
    frame(10)
    vi.setSystemTime(5_000) // the clock passes the expiry before the timer has run
    frame(10)
    expect(socket.closedWith).toEqual({ code: 4401, reason: 'expired token' })
    expect([...socket.sent[0]!.subarray(0, 2)]).toEqual([2, 0])
  })

  it('closes at the expiry of its token while idle', () => {
    vi.useFakeTimers({ now: 0 })
    const { socket } = connect(5_000)
    vi.advanceTimersByTime(4_999)
    expect(socket.closedWith).toBeNull()
    vi.advanceTimersByTime(1)
    expect(socket.closedWith).toEqual({ code: 4401, reason: 'expired token' })
  })
})
