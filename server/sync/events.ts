import type * as Y from 'yjs'
import type { PresenceUser } from '../../shared/presence.js'
import type { VersionInfo } from '../../shared/versions.js'

/**
 * What happens in the sync layer, announced after the fact. Metrics, logs, Server-Sent Events and
 * the cluster bus listen here. Listeners run synchronously inside the relay, so they must be
 * quick, but they cannot veto it: an exception a listener throws is reported as a `problem` of
 * kind `observer` and the relay goes on (guards act before it, at the upgrade and per frame).
 * Every payload is a plain object that listeners must not mutate.
 */
export interface SyncEventMap {
  /** A document was loaded into memory. */
  'doc.loaded': [{ doc: string; ms: number; bytes: number }]
  /**
   * A document was flushed and dropped from memory. `stored` is the Yjs snapshot of what it held,
   * all of it stored (`null` if it failed), so version history can record the last editors' version
   * without reading the document back from the store.
   */
  'doc.unloaded': [{ doc: string; stored: Y.Snapshot | null }]
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
  /**
   * A document was deleted, or renamed (`renamedTo`: its new name, under which it goes on); its
   * peers were closed with 4404. `origin` is `cluster` when another instance did it: this one
   * only closed its own peers, and must not announce it to the cluster again.
   */
  'doc.removed': [{ doc: string; renamedTo?: string; origin: Exclude<UpdateOrigin, 'peer'> }]
  /**
   * Another instance of the cluster announced that a document changed or was removed, for list
   * pages: this instance may not have it open, and then hears of it no other way.
   */
  'doc.listed': [{ doc: string; change: 'changed' | 'removed' }]
  /** A document's records were merged into one. */
  'doc.compacted': [{ doc: string; bytes: number }]
  /**
   * A version of a document was recorded (see `server/history/`): here (`local`), or by another
   * instance of the cluster (`cluster`), whose history panels must hear of it all the same.
   */
  'doc.version': [{ doc: string; version: VersionInfo; origin: Exclude<UpdateOrigin, 'peer'> }]
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

type Listener<K extends keyof SyncEventMap> = (...args: SyncEventMap[K]) => void

/**
 * The typed emitter the sync layer announces on; one per server. Unlike Node's `EventEmitter`, a
 * listener that throws neither stops the listeners after it nor reaches the code that emitted:
 * the relay must not fail (and disconnect everyone) because a dashboard or a metric broke. The
 * exception becomes a `problem` event (`kind: 'observer'`), which is logged and counted like any
 * other.
 */
export class SyncEvents {
  private readonly listeners = new Map<keyof SyncEventMap, Array<Listener<never>>>()
  /** Set while a broken listener is being reported, so a broken `problem` listener cannot loop. */
  private reporting = false

  /** Calls `listener` for every `event` from now on. */
  on<K extends keyof SyncEventMap>(event: K, listener: Listener<K>): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener as Listener<never>])
    return this
  }

  /** Stops calling `listener` for `event`. */
  off<K extends keyof SyncEventMap>(event: K, listener: Listener<K>): this {
    this.listeners.set(
      event,
      (this.listeners.get(event) ?? []).filter((l) => l !== listener),
    )
    return this
  }

  /** Calls every listener of `event` in the order they were added; returns whether there was any. */
  emit<K extends keyof SyncEventMap>(event: K, ...args: SyncEventMap[K]): boolean {
    const listeners = this.listeners.get(event) as Array<Listener<K>> | undefined
    if (!listeners || listeners.length === 0) return false
    for (const listener of listeners) {
      try {
        listener(...args)
      } catch (error) {
        this.report(event, args[0] as { doc?: string }, error)
      }
    }
    return true
  }

  private report(event: keyof SyncEventMap, payload: { doc?: string }, error: unknown): void {
    if (this.reporting) return
    this.reporting = true
    try {
      const message = `a ${event} listener threw: ${error instanceof Error ? error.message : String(error)}`
      this.emit('problem', payload.doc === undefined ? { kind: 'observer', message } : { kind: 'observer', doc: payload.doc, message })
    } finally {
      this.reporting = false
    }
  }
}
