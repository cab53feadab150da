import type { WebsocketProvider } from 'y-websocket'
import { CloseCode, renamedTo } from '../shared/protocol.js'
import { type ConnectionState, EditorError, type Emitter } from './events.js'

const MESSAGES: Record<number, string> = {
  [CloseCode.documentDeleted]: 'This document was deleted. Your copy is no longer saved.',
  [CloseCode.unauthorized]: 'Not allowed to open this document: the link or token is missing, invalid or expired.',
  [CloseCode.forbidden]: 'This access token is for another document.',
  [CloseCode.protocolError]: 'The server refused a message from this editor.',
  [CloseCode.policyViolation]: 'The server dropped this connection for sending too much or reading too slowly.',
  [CloseCode.messageTooBig]: 'The server refused a message over its size limit.',
  [CloseCode.internalError]: 'The server could not open or save this document.',
}

/** Close codes that are the server's verdict on this client or document, not a network hiccup. */
const REPORTED = new Set(Object.keys(MESSAGES).map(Number))

/**
 * The connection as the user should understand it, for the status element and the `status`,
 * `synced` and `error` events alike, so the two can never disagree. y-websocket reports
 * `connecting` again before every retry, which would hide an outage behind a flickering label, so
 * here "connecting" means "not connected yet" and any lost or refused connection reads
 * "disconnected" until a socket is open again. A close the server marks as final (4400-4499, e.g.
 * the document was deleted) stays disconnected, with its `EditorError` in `final`.
 */
export class Connection {
  /** Why the server closed for good, until `restart`. */
  final: EditorError | null = null
  private lost = false
  /** Whether `synced` was reported for the socket now open. */
  private syncReported = false
  private current: ConnectionState = 'connecting'
  private readonly watchers = new Set<() => void>()

  private readonly onStatus = ({ status }: { status: string }): void => {
    if (status === 'connected') this.lost = false
    this.update()
  }
  private readonly onLost = (event: unknown): void => {
    this.lost = true
    this.syncReported = false
    this.update()
    const code = (event as { code?: unknown } | null)?.code
    // Final closes are reported once, by `onClosed`, after the provider has given up.
    if (typeof code === 'number' && REPORTED.has(code) && !(code >= 4400 && code < 4500)) {
      this.events.emit('error', new EditorError(MESSAGES[code]!, code, false))
    }
  }
  private readonly onClosed = ({ code, reason }: { code: number; reason: string }): void => {
    const renamed = code === CloseCode.documentDeleted ? renamedTo(reason) : null
    const message = renamed !== null ? `This document was renamed to “${renamed}”. Your copy here is no longer saved.` : MESSAGES[code]
    this.final = new EditorError(message ?? `The server closed the connection for good (code ${code}${reason ? `: ${reason}` : ''}).`, code, true)
    this.update()
    this.events.emit('error', this.final)
  }
  // The provider's `synced` also flips when the saved-state tracker probes the server; only the
  // first sync of each connection is news to the embedder.
  private readonly onSync = (synced: boolean): void => {
    if (!synced || this.syncReported) return
    this.syncReported = true
    this.events.emit('synced', undefined)
  }

  constructor(
    private readonly provider: WebsocketProvider,
    private readonly events: Emitter,
  ) {
    provider.on('status', this.onStatus)
    provider.on('connection-close', this.onLost)
    provider.on('connection-error', this.onLost)
    provider.on('closed', this.onClosed)
    provider.on('sync', this.onSync)
    this.update()
  }

  /** The state now; `status` events report each change of it. */
  get state(): ConnectionState {
    return this.current
  }

  /**
   * Calls `watcher` after every connection event, changed state or not (a retry changes only the
   * attempt count the status element shows). Returns the function that stops it.
   */
  watch(watcher: () => void): () => void {
    this.watchers.add(watcher)
    return () => this.watchers.delete(watcher)
  }

  private update(): void {
    const connected = this.final === null && this.provider.wsconnected
    const next = connected ? 'connected' : this.lost || this.final !== null ? 'disconnected' : 'connecting'
    if (next !== this.current) {
      this.current = next
      this.events.emit('status', { state: next })
    }
    for (const watcher of this.watchers) watcher()
  }

  /** Opens a new socket (with the provider's current params), also after a final close. */
  restart(): void {
    this.final = null
    this.provider.disconnect()
    this.provider.connect()
    this.update()
  }

  destroy(): void {
    this.provider.off('status', this.onStatus)
    this.provider.off('connection-close', this.onLost)
    this.provider.off('connection-error', this.onLost)
    this.provider.off('closed', this.onClosed)
    this.provider.off('sync', this.onSync)
    this.watchers.clear()
  }
}
