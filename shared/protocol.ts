/**
 * Wire constants of the y-websocket protocol as quire speaks it. Only numbers and names live here;
 * the codec that uses them is `server/sync/protocol.ts`, and the editor reads the close codes to
 * tell its user why a connection ended.
 */

/** First varint of every WebSocket message (y-websocket's convention). */
export const MessageType = {
  sync: 0,
  awareness: 1,
  auth: 2,
  queryAwareness: 3,
} as const

/** Second varint of a sync message (y-protocols `sync.js`). */
export const SyncType = {
  step1: 0,
  step2: 1,
  update: 2,
} as const

/** Close codes quire sends, standard ones (RFC 6455) first, then application ones (4000-4999). */
export const CloseCode = {
  /** The server is shutting down; clients reconnect to the next instance. */
  goingAway: 1001,
  /** Malformed frame: undecodable, unknown type, text frame, invalid Yjs update. */
  protocolError: 1002,
  /**
   * Too slow to read what it is sent, or over a rate limit (messages, bytes or query-awareness
   * per second): the socket is dropped.
   */
  policyViolation: 1008,
  /** A message over the size limit. */
  messageTooBig: 1009,
  /** The server failed to open the document (for example a corrupt record); nothing was changed. */
  internalError: 1011,
  /** Missing, invalid or expired token. */
  unauthorized: 4401,
  /** A token for another document. */
  forbidden: 4403,
  /** The document was deleted while the socket was open; the client must not write it back. */
  documentDeleted: 4404,
  /**
   * An update would grow the document past the server's size limit (`--max-doc-bytes`). It was
   * not applied; sending it again will not help.
   */
  documentTooLarge: 4413,
} as const

/**
 * The close reason (with 4404) of a document's connections when it was renamed: the prefix, then
 * the new name, so a page can follow it. A reason holds at most 123 bytes; longer ones are cut.
 */
export const RENAMED_PREFIX = 'renamed to '

/** The new name a 4404 close reason names, or `null` (deleted, or a name cut short to fit the frame). */
export function renamedTo(reason: string): string | null {
  if (!reason.startsWith(RENAMED_PREFIX)) return null
  // A reason cut to fit 123 bytes is at least 120 (a cut drops at most a 3-byte partial character).
  return new TextEncoder().encode(reason).byteLength < 120 ? reason.slice(RENAMED_PREFIX.length) : null
}

/** Names of the Server-Sent Events a document's event stream carries. */
export const EventName = {
  update: 'update',
  presence: 'presence',
  version: 'version',
} as const
