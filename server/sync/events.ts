import { EventEmitter } from 'node:events'
import type { PresenceUser } from '../../shared/presence.js'
import type { VersionInfo } from '../../shared/versions.js'

/**
 * What happens in the sync layer, announced after the fact. Metrics, logs and Server-Sent Events
 * listen here; they observe and can never delay or veto the relay (guards act before it, at the
 * upgrade and per frame). Every payload is a plain object that listeners must not mutate.
 */
export interface SyncEventMap {
  /** A document was loaded into memory. */
  'doc.loaded': [{ doc: string; ms: number; bytes: number }]
  /** A document was flushed and dropped from memory. */
  'doc.unloaded': [{ doc: string }]
  /** A document could not be opened (e.g. a corrupt record); its clients were disconnected. */
  'doc.failed': [{ doc: string; error: Error }]
  /**
   * An update was stored and relayed. `origin` says where it came from: a connected peer, the
   * server itself (imports), or another instance of the cluster (already stored there).
   * `user` is the sender's presence when known.
   */
  'doc.update': [{ doc: string; update: Uint8Array; bytes: number; persistMs: number; origin: UpdateOrigin; user: PresenceUser | null }]
  /** An awareness change was relayed to the document's peers (encoded as y-protocols does). */
  'doc.awareness': [{ doc: string; update: Uint8Array; origin: UpdateOrigin }]
  /** A document was deleted; its peers were closed with 4404. */
  'doc.removed': [{ doc: string }]
  /** A document's records were merged into one. */
  'doc.compacted': [{ doc: string; bytes: number }]
  /** A version of a document was recorded (see `server/history/`). */
  'doc.version': [{ doc: string; version: VersionInfo }]
  /** Users appeared in or left a document's awareness. */
  presence: [{ doc: string; joined: PresenceUser[]; left: PresenceUser[] }]
  'conn.opened': [{ doc: string; id: number }]
  'conn.closed': [{ doc: string; id: number; code: number; reason: string }]
  /** One frame received from a client. */
  'message.in': [{ bytes: number }]
  /** One frame sent to a client. */
  'message.out': [{ bytes: number }]
  /** Something was refused or failed; `kind` is a stable label for metrics and logs. (Not named
   * `error`: an EventEmitter throws an `error` event nobody listens to.) */
  problem: [{ kind: string; doc?: string; message: string }]
}

/** Where an update came from (Hocuspocus's typed origins): never echoed back, never stored twice. */
export type UpdateOrigin = 'peer' | 'local' | 'cluster'

/** The typed emitter the sync layer announces on; one per server. */
export class SyncEvents extends EventEmitter<SyncEventMap> {}
