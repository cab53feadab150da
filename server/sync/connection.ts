import type { Duplex } from 'node:stream'
import type { RawData } from 'ws'
import { CloseCode } from '../../shared/protocol.js'
import { onExpiry } from '../guard/access.js'
import { TokenBucket } from '../guard/limits.js'
import type { SyncEvents } from './events.js'
import type { Peer } from './peer.js'
import { decodeMessage, encodePermissionDenied, ProtocolError } from './protocol.js'
import type { Room } from './room.js'
import { WebSocket } from './ws.js'

/** What a connection may do, decided at the upgrade. */
export interface ConnectionAccess {
  /** `false` for read-only tokens: their document updates are dropped, their awareness is kept. */
  write: boolean
  /** When the connection's token expires (ms since the epoch), `null` without access control. */
  expiresAt: number | null
}

/** Limits a connection enforces on its own socket. */
export interface ConnectionLimits {
  /** Largest unsent backlog before the peer is considered too slow and dropped. */
  maxBufferedBytes: number
  /** Sustained messages per second, and how many may come at once, before the peer is dropped. */
  messagesPerSecond: number
  messageBurst: number
  /** Sustained bytes per second, and how many may come at once, before the peer is dropped. */
  bytesPerSecond: number
  byteBurst: number
  /** Sustained query-awareness messages per second, and how many may come at once. */
  queriesPerSecond: number
  queryBurst: number
  /**
   * Bytes a client may send before its document has loaded, which are held until then. An honest
   * client sends its sync step 1 and awareness first (its step 2 answers the server's step 1,
   * which comes once the document is loaded), so one largest message is plenty.
   */
  maxEarlyBytes: number
}

let nextId = 1

/** A `ws` socket with the connection it carries (see `PeerSocket`). */
type Socket = WebSocket & { connection?: Connection }

/**
 * The socket class quire's WebSocket server makes (`WebSocketServer`'s `WebSocket` option). It
 * carries its `Connection` in a field of its own, so that the socket's listeners can be functions
 * shared by every connection rather than closures made for each one: per-connection memory is what
 * a server holding thousands of idle editors pays for.
 */
export class PeerSocket extends WebSocket {
  connection: Connection | undefined = undefined
}

/**
 * One WebSocket of one document: turns frames into calls on its room and room messages into
 * frames. Frames that arrive while the room is still loading are kept and handled in order once
 * it is attached. Anything malformed closes this socket only (1002); the room never sees it.
 * Oversized frames are refused by `ws` itself (its `maxPayload`) with 1009.
 */
export class Connection implements Peer {
  readonly id = nextId++
  private room: Room | null = null
  private early: Buffer[] | null = []
  private earlyBytes = 0
  private closed = false
  /** Whether a frame went out in this tick already (see `send`). */
  private sentThisTick = false
  private corked = false
  private readonly bucket: TokenBucket
  private readonly byteBucket: TokenBucket
  /** Made by the first query-awareness message: most clients never send one. */
  private queryBucket: TokenBucket | null = null
  private readonly cancelExpiry: (() => void) | null

  constructor(
    private readonly socket: Socket,
    /** The TCP socket under `socket`, corked while a burst of frames is written to it. */
    private readonly raw: Duplex,
    readonly doc: string,
    private readonly access: ConnectionAccess,
    private readonly limits: ConnectionLimits,
    private readonly events: SyncEvents,
    private readonly onClose: (connection: Connection) => void,
  ) {
    this.bucket = new TokenBucket(limits.messagesPerSecond, limits.messageBurst)
    this.byteBucket = new TokenBucket(limits.bytesPerSecond, limits.byteBurst)
    socket.connection = this
    socket.on('message', onSocketMessage)
    socket.on('close', onSocketClose)
    socket.on('error', onSocketError)
    // A token is valid until its `exp`, not for as long as the socket it opened stays up.
    this.cancelExpiry = access.expiresAt === null ? null : onExpiry(access.expiresAt, () => this.expire())
    events.emit('conn.opened', { doc, id: this.id })
  }

  /** The socket closed (its `close` event). */
  socketClosed(code: number, reason: Buffer): void {
    this.closed = true
    this.cancelExpiry?.()
    this.events.emit('conn.closed', { doc: this.doc, id: this.id, code, reason: reason.toString() })
    this.onClose(this)
  }

  /**
   * ws reports protocol violations (bad frames, oversize payloads) here and then closes the
   * socket itself with the matching code; there is nothing left to do but count it.
   */
  socketFailed(error: Error & { code?: string }): void {
    this.events.emit('problem', { kind: error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 'message-too-big' : 'socket', doc: this.doc, message: error.message })
  }

  /** The room this connection is attached to, once it has loaded. */
  get joined(): Room | null {
    return this.room
  }

  /** Whether the socket has closed (possibly before its room finished loading). */
  get isClosed(): boolean {
    return this.closed
  }

  /** Connects the loaded room and handles the frames that arrived while it loaded. */
  attach(room: Room): void {
    this.room = room
    const early = this.early ?? []
    this.early = null
    for (const frame of early) if (!this.closed) this.handle(frame)
  }

  send(message: Uint8Array): void {
    if (this.closed) return
    if (this.socket.bufferedAmount > this.limits.maxBufferedBytes) {
      this.fail('slow-consumer', CloseCode.policyViolation, `send buffer over ${this.limits.maxBufferedBytes} bytes`)
      return
    }
    // The first frame of a tick is written at once: a reader of a busy document starts taking
    // an edit in while the server still writes it to the others. A second one in the same tick
    // (a relayed store batch, a joiner's answers) corks the socket until the tick ends, so the
    // rest cost one write system call instead of one each.
    if (!this.sentThisTick) {
      this.sentThisTick = true
      process.nextTick(endTick, this)
    } else if (!this.corked) {
      this.corked = true
      this.raw.cork()
    }
    this.socket.send(message, { binary: true })
    this.events.emit('message.out', { bytes: message.byteLength })
  }

  close(code: number, reason: string): void {
    if (this.closed) return
    this.closed = true
    // Reasons can carry a document name (`renamed to <name>`), longer than a close frame holds.
    this.socket.close(code, truncateUtf8(reason, 123))
  }

  /** Ends a connection whose token expired as the upgrade ends one that came with an expired token. */
  private expire(): void {
    if (this.closed) return
    this.socket.send(encodePermissionDenied('expired token'))
    this.fail('token-expired', CloseCode.unauthorized, 'expired token')
  }

  /** Ends the tick `send` noted, and the cork it may have started; once per tick at most (see `endTick`). */
  endTick(): void {
    this.sentThisTick = false
    if (!this.corked) return
    this.corked = false
    this.raw.uncork()
  }

  /** A frame from the socket (its `message` event, through `onSocketMessage`). */
  frame(data: RawData, isBinary: boolean): void {
    if (this.closed) return
    const frame = data as Buffer // binaryType 'nodebuffer' (ws's default): one Buffer per message
    this.events.emit('message.in', { bytes: frame.byteLength })
    // The timer may run late on a busy server; no frame is taken on an expired token meanwhile.
    if (this.access.expiresAt !== null && Date.now() >= this.access.expiresAt) return this.expire()
    if (!this.bucket.take()) {
      this.fail('rate-limit', CloseCode.policyViolation, `over ${this.limits.messagesPerSecond} messages per second`)
      return
    }
    // Counting messages alone would let 2,000 frames of 16 MiB a second through. Frames that
    // wait for the room to load are counted here too, so the bytes held for them are bounded.
    if (!this.byteBucket.take(frame.byteLength)) {
      this.fail('byte-rate-limit', CloseCode.policyViolation, `over ${this.limits.bytesPerSecond} bytes per second`)
      return
    }
    if (!isBinary) {
      this.fail('protocol', CloseCode.protocolError, 'text frames are not part of the protocol')
      return
    }
    if (!this.early) return this.handle(frame)
    this.earlyBytes += frame.byteLength
    if (this.earlyBytes > this.limits.maxEarlyBytes) {
      this.fail('early-bytes', CloseCode.policyViolation, `over ${this.limits.maxEarlyBytes} bytes sent before the document loaded`)
      return
    }
    this.early.push(frame)
  }

  private handle(frame: Buffer): void {
    const room = this.room!
    try {
      const message = decodeMessage(frame)
      if (!this.access.write && (message.type === 'update' || message.type === 'sync-step2')) return
      // One byte in, every state of the document out: 200 queries made 73 MB of replies.
      if (message.type === 'query-awareness' && !(this.queryBucket ??= new TokenBucket(this.limits.queriesPerSecond, this.limits.queryBurst)).take()) {
        this.fail('query-awareness-rate', CloseCode.policyViolation, `over ${this.limits.queriesPerSecond} query-awareness messages per second`)
        return
      }
      room.receive(this, message)
    } catch (error) {
      const kind = error instanceof ProtocolError ? 'protocol' : 'invalid-update'
      this.fail(kind, CloseCode.protocolError, (error as Error).message)
    }
  }

  private fail(kind: string, code: number, reason: string): void {
    this.events.emit('problem', { kind, doc: this.doc, message: reason })
    this.close(code, reason)
  }
}

// The socket's listeners: one function each for every connection, which finds its connection on
// the socket (see `PeerSocket`).
function onSocketMessage(this: Socket, data: RawData, isBinary: boolean): void {
  this.connection!.frame(data, isBinary)
}
function onSocketClose(this: Socket, code: number, reason: Buffer): void {
  this.connection!.socketClosed(code, reason)
}
function onSocketError(this: Socket, error: Error & { code?: string }): void {
  this.connection!.socketFailed(error)
}

/**
 * `process.nextTick`'s callback for every connection: one shared function with the connection as
 * argument costs nothing per connection, where a bound method would be one closure each.
 */
function endTick(connection: Connection): void {
  connection.endTick()
}

/** A close reason must fit in a control frame: at most 123 bytes of UTF-8. */
function truncateUtf8(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text)
  if (bytes.byteLength <= maxBytes) return text
  // Cutting inside a multi-byte character leaves a replacement char; drop it.
  return bytes
    .subarray(0, maxBytes)
    .toString()
    .replace(/\uFFFD$/, '')
}
