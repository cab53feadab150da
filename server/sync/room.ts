import * as awarenessProtocol from 'y-protocols/awareness'
import * as Y from 'yjs'
import { CloseCode } from '../../shared/protocol.js'
import { type PresenceUser, readPresence } from '../../shared/presence.js'
import { type DocStore, StoreError } from '../store/store.js'
import type { SyncEvents, UpdateOrigin } from './events.js'
import { type ClientMessage, encodeAwareness, encodeSyncStep1, encodeSyncStep2, encodeUpdate } from './protocol.js'

/** What a room needs of a connection: it can be written to and closed, nothing more. */
export interface Peer {
  readonly id: number
  send(message: Uint8Array): void
  close(code: number, reason: string): void
}

/** Origin of edits made by the server itself (imports through the API or the CLI). */
export const LOCAL_ORIGIN = Symbol('local')

/** Origin of updates and awareness from another instance of the cluster, which stored them already. */
export const CLUSTER_ORIGIN = Symbol('cluster')

/** Settings a room needs from the server's config. */
export interface RoomOptions {
  compactAfterUpdates: number
}

// y-protocols encodes an empty state vector as a single zero: a client that has nothing yet.
const isEmptyStateVector = (sv: Uint8Array) => sv.length === 1 && sv[0] === 0

/**
 * One open document: its `Y.Doc`, its awareness and the peers editing it.
 *
 * The document drives the fan-out: an update is applied with its sender as origin; the doc's
 * `update` event appends it to the store and, only once that append is on disk, relays it
 * (encoded once) to every other peer. Relays are chained, so peers see updates in the order they
 * were stored even when the store resolves a whole batch at once. A server crash can therefore
 * never lose an update that some client has already received.
 */
export class Room {
  readonly doc = new Y.Doc()
  readonly awareness = new awarenessProtocol.Awareness(this.doc)
  /** Each peer with the awareness client IDs it controls, removed for it when it leaves. */
  private readonly peers = new Map<Peer, Set<number>>()
  /** Presence of every awareness client, kept so that a departure can name who left. */
  private readonly users = new Map<number, PresenceUser>()
  private relayed: Promise<void> = Promise.resolve()
  /** Updates applied but not yet stored and relayed. */
  private storing = 0
  private head: number
  private records: number
  /** Bytes appended since the last compaction, and the size of the state it wrote. */
  private appendedBytes = 0
  private compactedBytes = 0
  private snapshot: { update: Uint8Array; step2: Uint8Array; step1: Uint8Array } | null = null
  private compacting: Promise<void> | null = null
  /** Set once the room can no longer persist; it is being torn down and accepts nothing. */
  failed = false
  /** Server-side operations in progress (imports); the room stays loaded while any run. */
  holds = 0

  private constructor(
    readonly name: string,
    private readonly store: DocStore,
    private readonly events: SyncEvents,
    private readonly options: RoomOptions,
    private readonly onFailure: (room: Room) => void,
    head: number,
    records: number,
  ) {
    this.head = head
    this.records = records
    this.awareness.setLocalState(null)
    this.doc.on('update', this.onUpdate)
    this.awareness.on('update', this.onAwarenessUpdate)
    this.awareness.on('change', this.onAwarenessChange)
  }

  /**
   * Loads `name` from the store. Throws `StoreError('corrupt')` naming the record that is not a
   * valid Yjs update; nothing is written in that case, so the stored bytes stay as they were.
   */
  static async open(name: string, store: DocStore, events: SyncEvents, options: RoomOptions, onFailure: (room: Room) => void): Promise<Room> {
    const started = performance.now()
    const stored = await store.load(name)
    const room = new Room(name, store, events, options, onFailure, stored?.head ?? 0, stored?.updates.length ?? 0)
    let bytes = 0
    try {
      bytes = replay(room.doc, name, stored?.updates ?? [], room)
    } catch (error) {
      room.destroy()
      throw error
    }
    events.emit('doc.loaded', { doc: name, ms: performance.now() - started, bytes })
    return room
  }

  /** Number of connected peers. */
  get size(): number {
    return this.peers.size
  }

  /** Whether nothing keeps the room in memory any more. */
  get idle(): boolean {
    return this.peers.size === 0 && this.holds === 0
  }

  /** Starts the y-websocket handshake with a new peer: our state vector, then who is here. */
  addPeer(peer: Peer): void {
    this.peers.set(peer, new Set())
    peer.send(this.currentSnapshot().step1)
    const states = this.awareness.getStates()
    if (states.size > 0) peer.send(encodeAwareness(awarenessProtocol.encodeAwarenessUpdate(this.awareness, [...states.keys()])))
  }

  /** Forgets a peer and withdraws its awareness states, which tells everyone else it left. */
  removePeer(peer: Peer): void {
    const ids = this.peers.get(peer)
    if (!ids) return
    this.peers.delete(peer)
    if (ids.size > 0) awarenessProtocol.removeAwarenessStates(this.awareness, [...ids], null)
  }

  /**
   * Handles one decoded message of `peer`. Throws when a Yjs or awareness payload is invalid;
   * the caller closes that peer, and the document keeps every update it had.
   */
  receive(peer: Peer, message: ClientMessage): void {
    switch (message.type) {
      case 'sync-step1': {
        const reply = () => peer.send(isEmptyStateVector(message.stateVector) ? this.currentSnapshot().step2 : encodeSyncStep2(Y.encodeStateAsUpdate(this.doc, message.stateVector)))
        // The answer tells the client that the server has what it sent before asking (the editor's
        // "All changes saved"), so while updates are on their way to disk it waits for them.
        if (this.storing === 0) reply()
        else void this.settled().then(reply)
        return
      }
      case 'sync-step2':
      case 'update':
        Y.applyUpdate(this.doc, message.update, peer)
        return
      case 'awareness':
        awarenessProtocol.applyAwarenessUpdate(this.awareness, message.update, peer)
        return
      case 'query-awareness':
        peer.send(encodeAwareness(awarenessProtocol.encodeAwarenessUpdate(this.awareness, [...this.awareness.getStates().keys()])))
        return
      case 'auth':
        return
    }
  }

  /** Applies an edit made by the server itself; resolves once it is stored and relayed. */
  async applyLocal(update: Uint8Array): Promise<void> {
    Y.applyUpdate(this.doc, update, LOCAL_ORIGIN)
    await this.settled()
  }

  /** Applies an update another instance stored and published: relayed here, not stored again. */
  applyCluster(update: Uint8Array): void {
    Y.applyUpdate(this.doc, update, CLUSTER_ORIGIN)
  }

  /** Applies awareness published by another instance, for this instance's peers to see. */
  applyClusterAwareness(update: Uint8Array): void {
    awarenessProtocol.applyAwarenessUpdate(this.awareness, update, CLUSTER_ORIGIN)
  }

  /** Resolves when every update applied so far is stored and relayed (or the room failed). */
  settled(): Promise<void> {
    return this.relayed.catch(() => undefined)
  }

  /** Merges the stored records into one, unless that would gain nothing. */
  compact(): Promise<void> {
    this.compacting ??= this.compactNow().finally(() => {
      this.compacting = null
      // Updates relayed while this compaction ran may have passed the threshold again, and no
      // further update may come to notice it.
      if (!this.failed && this.dueForCompaction()) void this.compact().catch((error) => this.fail(error))
    })
    return this.compacting
  }

  /** Closes every peer with `code` and `reason`; used for deletion, shutdown and failures. */
  closeAll(code: number, reason: string): void {
    for (const peer of [...this.peers.keys()]) {
      this.removePeer(peer)
      peer.close(code, reason)
    }
  }

  /** Releases the document and awareness (and awareness's timer); the room is unusable after. */
  destroy(): void {
    this.awareness.destroy()
    this.doc.destroy()
  }

  /**
   * Past the record threshold, compaction also waits until the appended bytes reach half the size
   * of the last merged state: rewriting a big document every few hundred keystrokes would cost
   * quadratic work and disk writes, while a load still reads at most 1.5 times the state.
   */
  private dueForCompaction(): boolean {
    return this.records >= this.options.compactAfterUpdates && this.appendedBytes * 2 >= this.compactedBytes
  }

  private async compactNow(): Promise<void> {
    await this.settled()
    if (this.failed || this.records <= 1) return
    const appended = this.appendedBytes
    const compacted = await this.store.compact(this.name)
    if (!compacted || compacted.records <= 1) return
    // The store may have merged records other instances appended, which this room never counted.
    this.records = Math.max(1, this.records - compacted.records + 1)
    this.appendedBytes -= appended
    this.compactedBytes = compacted.bytes
    this.events.emit('doc.compacted', { doc: this.name, bytes: compacted.bytes })
  }

  private readonly onUpdate = (update: Uint8Array, origin: unknown): void => {
    if (origin === this) return // replaying stored records while loading
    this.snapshot = null
    if (this.failed) return
    const started = performance.now()
    const kind = originKind(origin)
    // Updates from the cluster are on disk already (their instance stored them before publishing).
    // The head this room knows fences the append: if the document was deleted meanwhile by someone
    // this room has not heard from, the store refuses it rather than create the document again.
    const stored = kind === 'cluster' ? null : this.store.append(this.name, update, this.head)
    this.storing += 1
    this.relayed = Promise.all([stored, this.relayed]).then(
      ([head]) => {
        this.storing -= 1
        if (head !== null) {
          this.head = head
          this.records += 1
          this.appendedBytes += update.byteLength
        }
        const message = encodeUpdate(update)
        for (const peer of this.peers.keys()) if (peer !== origin) peer.send(message)
        this.events.emit('doc.update', { doc: this.name, update, bytes: update.byteLength, persistMs: performance.now() - started, origin: kind, user: this.userOf(origin) })
        if (this.dueForCompaction()) void this.compact().catch((error) => this.fail(error))
      },
      (error) => this.fail(error),
    )
  }

  /** The store refused a write: nobody may see updates that are not on disk, so everyone is
   * disconnected and the room unloaded. Clients keep their edits and resend them on reconnect. */
  private fail(error: unknown): void {
    if (this.failed) return
    this.failed = true
    this.events.emit('problem', { kind: 'store-write', doc: this.name, message: (error as Error).message })
    if (error instanceof StoreError && error.kind === 'deleted') this.closeAll(CloseCode.documentDeleted, 'document deleted')
    else this.closeAll(CloseCode.internalError, 'the server could not save this document')
    this.onFailure(this)
  }

  private readonly onAwarenessUpdate = ({ added, updated, removed }: AwarenessChange, origin: unknown): void => {
    const owned = this.peers.get(origin as Peer)
    if (owned) {
      for (const id of added) owned.add(id)
      for (const id of removed) owned.delete(id)
    }
    const update = awarenessProtocol.encodeAwarenessUpdate(this.awareness, [...added, ...updated, ...removed])
    const message = encodeAwareness(update)
    // The sender gets its own update back, as from the reference server: the official client
    // closes a socket that has heard nothing for 30 s and counts on its 15 s awareness renewal
    // coming back, so an editor alone on a document would otherwise be disconnected every 30 s.
    for (const peer of this.peers.keys()) peer.send(message)
    this.events.emit('doc.awareness', { doc: this.name, update, origin: originKind(origin) })
  }

  private readonly onAwarenessChange = ({ added, updated, removed }: AwarenessChange): void => {
    const joined: PresenceUser[] = []
    const left: PresenceUser[] = []
    for (const id of [...added, ...updated]) {
      const user = readPresence(this.awareness.getStates().get(id))
      if (user && !this.users.has(id)) joined.push(user)
      if (user) this.users.set(id, user)
    }
    for (const id of removed) {
      const user = this.users.get(id)
      if (user) left.push(user)
      this.users.delete(id)
    }
    if (joined.length > 0 || left.length > 0) this.events.emit('presence', { doc: this.name, joined, left })
  }

  private userOf(origin: unknown): PresenceUser | null {
    for (const id of this.peers.get(origin as Peer) ?? []) {
      const user = this.users.get(id)
      if (user) return user
    }
    return null
  }

  /** The whole state, encoded once per version and shared by every joiner. */
  private currentSnapshot() {
    if (!this.snapshot) {
      const update = Y.encodeStateAsUpdate(this.doc)
      this.snapshot = { update, step2: encodeSyncStep2(update), step1: encodeSyncStep1(Y.encodeStateVector(this.doc)) }
    }
    return this.snapshot
  }
}

function originKind(origin: unknown): UpdateOrigin {
  return origin === CLUSTER_ORIGIN ? 'cluster' : origin === LOCAL_ORIGIN ? 'local' : 'peer'
}

/**
 * Applies stored records to `doc` in one transaction and returns their total size. Throws
 * `StoreError('corrupt')` naming the first record that is not a valid Yjs update.
 */
export function replay(doc: Y.Doc, name: string, updates: Uint8Array[], origin: unknown = null): number {
  let bytes = 0
  Y.transact(
    doc,
    () => {
      for (const [index, update] of updates.entries()) {
        try {
          Y.applyUpdate(doc, update, origin)
        } catch (error) {
          throw new StoreError('corrupt', `document "${name}": record ${index + 1} of ${updates.length} is not a valid Yjs update (${(error as Error).message})`, { cause: error })
        }
        bytes += update.byteLength
      }
    },
    origin,
  )
  return bytes
}

interface AwarenessChange {
  added: number[]
  updated: number[]
  removed: number[]
}
