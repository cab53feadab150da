import { type IncomingMessage, type Server, STATUS_CODES } from 'node:http'
import type { Duplex } from 'node:stream'
import type { WebSocket } from 'ws'
import { DEFAULTS } from '../../shared/defaults.js'
import { DocNameError, docNameFromPath } from '../../shared/doc-name.js'
import { CloseCode } from '../../shared/protocol.js'
import type { Config } from '../config.js'
import { type AccessError, verifyToken } from '../guard/access.js'
import type { PerKeyLimit } from '../guard/limits.js'
import { isHostAllowed, isLoopbackHostname, isOriginAllowed } from '../guard/origin.js'
import type { Logger } from '../log.js'
import { Connection, type ConnectionAccess, PeerSocket } from '../sync/connection.js'
import { encodePermissionDenied } from '../sync/protocol.js'
import type { Rooms } from '../sync/rooms.js'
import { WebSocketServer } from '../sync/ws.js'
import type { HttpError } from './http-error.js'
import { connectionCapRefusal, hostRefusal, originRefusal } from './refusals.js'

/** What the WebSocket gate needs. */
export interface UpgradeDeps {
  rooms: Rooms
  config: Config
  log: Logger
  /** Connections per client IP, shared with the event streams. */
  perIp: PerKeyLimit
}

/** The running WebSocket side of the server. */
export interface WebSocketGate {
  /** Open connections, all documents together. */
  readonly connections: number
  /** Stops accepting upgrades and stops the heartbeat; open sockets are closed by `rooms.shutdown`. */
  close(): void
}

/**
 * Accepts WebSocket upgrades on every path of `server`: the path names the document, as the
 * official `WebsocketProvider` forms it. Each request passes the guards in order (document name →
 * 400, Host of a loopback server → 421, Origin → 403, connections from its IP → 429, token →
 * auth message + 4401/4403) before the socket joins its room.
 */
export function acceptWebSockets(server: Server, { rooms, config, log, perIp }: UpgradeDeps): WebSocketGate {
  const wss = new WebSocketServer({ noServer: true, maxPayload: config.maxMessageBytes, perMessageDeflate: false, WebSocket: PeerSocket })
  const limits = {
    maxBufferedBytes: DEFAULTS.maxBufferedBytes,
    messagesPerSecond: config.messagesPerSecond,
    messageBurst: config.messagesPerSecond * 10,
    bytesPerSecond: config.bytesPerSecond,
    // Two of the largest messages always fit: the first sync of a document written offline.
    byteBurst: Math.max(config.bytesPerSecond * 10, config.maxMessageBytes * 2),
    queriesPerSecond: DEFAULTS.queryAwarenessPerSecond,
    queryBurst: DEFAULTS.queryAwarenessPerSecond * 10,
    maxEarlyBytes: config.maxMessageBytes,
  }
  let accepting = true
  const loopback = isLoopbackHostname(config.host)

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!accepting) return refuse(socket, 503, 'server is shutting down')
    let doc: string
    try {
      doc = docNameFromPath(request.url ?? '/')
    } catch (error) {
      if (error instanceof DocNameError) return refuse(socket, 400, error.message)
      throw error
    }
    if (loopback && !isHostAllowed(request.headers.host)) return turnAway(request, socket, hostRefusal(), doc)
    if (!isOriginAllowed(request.headers.origin, config.allowedOrigins, request.headers.host)) return turnAway(request, socket, originRefusal(), doc)
    const release = perIp.acquire(request.socket.remoteAddress ?? '')
    if (!release) return turnAway(request, socket, connectionCapRefusal(), doc)
    // The TCP socket closes however the request ends: refused, failed or upgraded and closed later.
    // 'close' comes once, so `on` is enough: `once` would wrap the release in a bound function per socket.
    socket.on('close', release)
    authorize(request, doc).then(
      (access) => wss.handleUpgrade(request, socket, head, (ws) => open(ws, socket, doc, access)),
      (error: AccessError) =>
        // The y-websocket client only learns why through the protocol's auth message, which
        // needs an open socket: upgrade, say "permission denied", then close with the code.
        wss.handleUpgrade(request, socket, head, (ws) => {
          rooms.events.emit('problem', { kind: 'access', doc, message: `${error.message} (${error.code})` })
          ws.send(encodePermissionDenied(error.message))
          ws.close(error.code, error.message)
        }),
    )
  })

  /** Refuses an upgrade as the HTTP side refuses requests, reporting it as a problem (counted and logged) the same way. */
  function turnAway(request: IncomingMessage, socket: Duplex, refusal: HttpError, doc: string): void {
    if (refusal.problem !== null) rooms.events.emit('problem', { kind: refusal.problem, doc, message: `${refusal.message} (upgrade from ${request.socket.remoteAddress})` })
    refuse(socket, refusal.status, refusal.message)
  }

  async function authorize(request: IncomingMessage, doc: string): Promise<ConnectionAccess> {
    if (config.secret === null) return FULL_ACCESS
    const token = new URL(request.url ?? '/', 'http://quire').searchParams.get('token')
    const { write, expiresAt } = await verifyToken(token, doc, config.secret)
    return { write, expiresAt }
  }

  function open(ws: WebSocket, raw: Duplex, doc: string, access: ConnectionAccess): void {
    alive.add(ws)
    ws.on('pong', markAlive)
    const connection = new Connection(ws, raw, doc, access, limits, rooms.events, leave)
    rooms.join(doc, connection).then(
      (joined) => {
        if (connection.isClosed) rooms.leave(joined, connection)
        else connection.attach(joined)
      },
      (error: Error) => {
        log.error('doc.open_failed', { doc, error: error.message })
        connection.close(CloseCode.internalError, 'document could not be opened')
      },
    )
  }

  // Shared by every connection rather than a closure each: per-connection memory is what a server
  // holding thousands of idle editors pays for.
  function leave(connection: Connection): void {
    if (connection.joined) rooms.leave(connection.joined, connection)
  }
  function markAlive(this: WebSocket): void {
    alive.add(this)
  }

  // One timer for all sockets: a socket that has not answered the previous ping is gone.
  const alive = new WeakSet<WebSocket>()
  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.has(ws)) {
        ws.terminate()
        continue
      }
      alive.delete(ws)
      ws.ping()
    }
  }, DEFAULTS.pingIntervalMs)
  heartbeat.unref()

  return {
    get connections() {
      return wss.clients.size
    },
    close() {
      accepting = false
      clearInterval(heartbeat)
    },
  }
}

/** What every connection may do without access control: one object for all of them. */
const FULL_ACCESS: ConnectionAccess = Object.freeze({ write: true, expiresAt: null })

function refuse(socket: Duplex, status: number, reason: string): void {
  const body = JSON.stringify({ error: reason })
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`)
}
