import type * as awarenessProtocol from 'y-protocols/awareness'
import * as Y from 'yjs'
import { DEFAULTS } from '../../shared/defaults.js'
import { CloseCode } from '../../shared/protocol.js'
import { docSizeVerdict, LimitError, type Refusal } from '../guard/limits.js'
import { type Compaction, type DocStore, type StoredDoc, StoreError } from '../store/store.js'
import { CompactionPolicy } from './compaction.js'
import type { SyncEvents } from './events.js'
import { CLUSTER_ORIGIN, LOCAL_ORIGIN, originKind, type Peer } from './peer.js'
import { Presence } from './presence.js'
import { type ClientMessage, encodeSyncStep2, encodeUpdate } from './protocol.js'
import { RelayChain } from './relay.js'
import { replay } from './replay.js'
import { SnapshotCache } from './snapshot.js'
import { StoredGate } from './stored-gate.js'

/** Settings a room needs from the server's config. */
export interface RoomOptions {
  compactAfterUpdates: number
  /** Largest the document may grow, in bytes of updates (`--max-doc-bytes`). */
  maxDocBytes: number
  /** Largest awareness state a client may publish (`--max-awareness-bytes`). */
  maxAwarenessBytes: number
  /**
   * Whether a big document's state is saved as it closes (`DocStore.saveState`). Only where this
   * server is the sole writer of its documents: in a cluster, a room may hold an update of
   * another instance before one of its own and could not vouch for a state at its head.
   */
  saveStates: boolean
}

/**
 * Documents from this size up get their state saved as they close: below it, building one from
 * its records and encoding it for joiners takes a few milliseconds, not worth a second copy.
 */
export const SAVE_STATE_MIN_BYTES = 64 * 1024

// y-protocols encodes an empty state vector as a single zero: a client that has nothing yet.
const isEmptyStateVector = (sv: Uint8Array) => sv.length === 1 && sv[0] === 0
// And an empty update as two (no structs, no deletions): what such a client answers our step 1 with.
const isEmptyUpdate = (update: Uint8Array) => update.length === 2 && update[0] === 0 && update[1] === 0

/**
 * One open document: its `Y.Doc`, its peers, and the pieces that keep them in step, one file
 * each: the store-then-relay chain (`relay.ts`), the gate that shows readers only stored state
 * (`stored-gate.ts`), awareness (`presence.ts`), the shared encoding of the state
 * (`snapshot.ts`) and the compaction policy (`compaction.ts`).
 *
 * An update is applied with its sender as origin; the doc's `update` event appends it to the store
 * and, once that append has landed, relays it (encoded once) to every other peer and announces it.
 * Joiners and server-side reads are answered from stored state only. So no peer, API reader or
 * other instance can see an update a crash of this server would lose.
 *
 * A room opened with a saved state (see `DocStore.saveState`) answers joiners from it and builds
 * its doc from the records only when something needs the doc: an edit, a joiner that holds part
 * of the document already, a server-side read. A crowd opening a big document after a restart is
 * served at once, and a document that is only read is never built at all.
 */
export class Room {
  private readonly ydoc = new Y.Doc()
  /** The records the doc is still to be built from (see `doc`); `null` once it is built. */
  private unbuilt: Uint8Array[] | null
  /** The head of the state saved in the store, if the room opened with one: no need to save it again. */
  private readonly savedHead: number | null
  private readonly peers = new Set<Peer>()
  private readonly presence: Presence
  private readonly snapshot: SnapshotCache
  private readonly relay: RelayChain
  private readonly gate: StoredGate
  private readonly compaction: CompactionPolicy
  /**
   * The head this room knows the document by, which fences its appends: if the document was
   * deleted meanwhile by someone this room has not heard from, the store refuses the append
   * (`StoreError('deleted')`) rather than create the document again.
   */
  private head: number
  /** The chain step of the last update applied with `LOCAL_ORIGIN`, for `applyLocal` to wait on. */
  private localStep: Promise<void> | null = null
  /** Updates of one peer from the frames being handled now, applied together (see `queueUpdate`). */
  private burst: { peer: Peer; updates: Uint8Array[] } | null = null
  /** Set once the room can no longer persist; it is being torn down and accepts nothing. */
  failed = false
  /** Server-side operations in progress (imports); the room stays loaded while any run. */
  holds = 0
  /**
   * Bytes of the document's updates: what was loaded, plus what was taken since (a peer's when
   * received, the server's and the cluster's when applied), less what compaction merged away.
   */
  private bytes = 0

  private constructor(
    readonly name: string,
    private readonly store: DocStore,
    private readonly events: SyncEvents,
    private readonly options: RoomOptions,
    private readonly onFailure: (room: Room) => void,
    stored: StoredDoc | null,
  ) {
    this.head = stored?.head ?? 0
    this.unbuilt = stored?.updates ?? []
    this.savedHead = stored?.state?.head ?? null
    this.bytes = this.unbuilt.reduce((sum, record) => sum + record.byteLength, 0)
    this.snapshot = new SnapshotCache(this.ydoc, stored?.state)
    this.presence = new Presence(this.ydoc, name, events, (message) => this.broadcast(message, null), {
      maxStateBytes: options.maxAwarenessBytes,
      maxIdsPerConnection: DEFAULTS.maxAwarenessIdsPerConnection,
    })
    this.relay = new RelayChain(
      (update) => store.append(name, update, this.head),
      this.deliver,
      (error) => this.fail(error),
    )
    this.gate = new StoredGate(
      () => this.relay.settled(),
      () => this.relay.stored,
      (error) => events.emit('problem', { kind: 'stored-gate', doc: name, message: (error as Error).message }),
    )
    this.compaction = new CompactionPolicy(
      options.compactAfterUpdates,
      this.unbuilt.length,
      () => this.relay.settled(),
      () => this.merge(),
      (error) => this.fail(error),
    )
  }

  /**
   * Loads `name` from the store. Throws `StoreError('corrupt')` naming the record that is not a
   * valid Yjs update; nothing is written in that case, so the stored bytes stay as they were.
   */
  static async open(name: string, store: DocStore, events: SyncEvents, options: RoomOptions, onFailure: (room: Room) => void): Promise<Room> {
    const started = performance.now()
    const stored = await store.load(name)
    const room = new Room(name, store, events, options, onFailure, stored)
    // Without a saved state the doc is needed at once (for the joiners' snapshot), and a damaged
    // record is best refused now, before anyone joins.
    if (!stored?.state) {
      try {
        room.build()
      } catch (error) {
        room.destroy()
        throw error
      }
    }
    events.emit('doc.loaded', { doc: name, ms: performance.now() - started, bytes: room.bytes })
    return room
  }

  /**
   * The document, built from the stored records on first use (see the class comment). Building
   * may find a record damaged: then the room fails, closing its peers, and stores or serves
   * nothing more of the doc, which holds the records before the damaged one.
   */
  private get doc(): Y.Doc {
    if (this.unbuilt) {
      try {
        this.build()
      } catch (error) {
        this.fail(error)
      }
    }
    return this.ydoc
  }

  /** Replays the stored records into the doc; throws `StoreError('corrupt')` naming a damaged one. */
  private build(): void {
    const records = this.unbuilt ?? []
    this.unbuilt = null
    try {
      replay(this.ydoc, this.name, records)
    } finally {
      // Listened to only now: with a listener, Yjs would encode the whole replayed document as
      // one more update (20 ms for a big one) just for the room to ignore it.
      this.ydoc.on('update', this.onUpdate)
    }
  }

  /** The document's awareness (every connected client's cursor and name). */
  get awareness(): awarenessProtocol.Awareness {
    return this.presence.awareness
  }

  /** Whether the store had the document as far as this room knows (it loaded or appended records). */
  get existed(): boolean {
    return this.head > 0
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
    this.peers.add(peer)
    this.presence.track(peer)
    // A state vector shows nothing of the content, so it needs no stored state.
    peer.send(this.snapshot.get().step1)
    if (this.awareness.getStates().size > 0) peer.send(this.presence.statesMessage())
  }

  /** Forgets a peer and withdraws its awareness states, which tells everyone else it left. */
  removePeer(peer: Peer): void {
    this.applyBurst()
    if (!this.peers.delete(peer)) return
    this.presence.untrack(peer)
  }

  /**
   * Handles one decoded message of `peer`. Throws when an awareness payload is invalid; the caller
   * closes that peer. Yjs updates are applied a moment later with the rest of their burst (see
   * `queueUpdate`) and checked then: a bad one closes its peer, and the document keeps every
   * update it had.
   */
  receive(peer: Peer, message: ClientMessage): void {
    if (message.type === 'update' || message.type === 'sync-step2') {
      // Changes nothing; applying it would still cost a transaction (and maybe building the doc).
      if (isEmptyUpdate(message.update)) return
      const verdict = docSizeVerdict(this.bytes, message.update.byteLength, this.options.maxDocBytes)
      if (verdict !== 'ok') return this.refuse(peer, verdict)
      // Counted as it is taken, so a burst cannot slip past the limit before it is applied.
      this.bytes += message.update.byteLength
      this.queueUpdate(peer, message.update)
      return
    }
    // Whatever comes next is answered after the updates received before it.
    this.applyBurst()
    switch (message.type) {
      case 'sync-step1': {
        const { stateVector } = message
        this.gate.read(() => peer.send(isEmptyStateVector(stateVector) ? this.snapshot.get().step2 : encodeSyncStep2(Y.encodeStateAsUpdate(this.doc, stateVector))))
        return
      }
      case 'awareness':
        this.presence.apply(message.update, peer)
        return
      case 'query-awareness':
        peer.send(this.presence.statesMessage())
        return
      case 'auth':
        return
    }
  }

  /**
   * Runs `read` on the doc when it holds exactly what is stored, and resolves with its result.
   * Rejects with `StoreError('unavailable')` when the room failed to store an update meanwhile.
   */
  view<T>(read: (doc: Y.Doc) => T): Promise<T> {
    this.applyBurst()
    return new Promise((resolve, reject) =>
      this.gate.read(() => {
        if (this.failed) reject(this.unsaved())
        else settle(() => read(this.doc), resolve, reject)
      }),
    )
  }

  /**
   * Applies an edit made by the server itself. Resolves once it is stored and relayed, and rejects
   * with the store's error when it could not be stored (the caller reports it: 5xx, exit 1).
   */
  applyLocal(update: Uint8Array): Promise<void> {
    this.applyBurst()
    return new Promise((resolve, reject) =>
      this.gate.admit(() => {
        if (this.failed) return reject(this.unsaved())
        this.localStep = null
        try {
          Y.applyUpdate(this.doc, update, LOCAL_ORIGIN)
        } catch (error) {
          return reject(error)
        }
        // No step: the update changed nothing, so there is nothing to store.
        ;(this.localStep ?? Promise.resolve()).then(resolve, reject)
        this.localStep = null
      }),
    )
  }

  /**
   * Throws `LimitError` unless the document can take `bytes` more without passing its size limit:
   * an import is refused as a whole rather than cut off part way.
   */
  admit(bytes: number): void {
    const verdict = docSizeVerdict(this.bytes, bytes, this.options.maxDocBytes)
    if (verdict !== 'ok') throw new LimitError(verdict)
  }

  /** Applies an update another instance stored and published: relayed here, not stored again. */
  applyCluster(update: Uint8Array): void {
    this.applyBurst()
    this.gate.admit(() => {
      try {
        Y.applyUpdate(this.doc, update, CLUSTER_ORIGIN)
      } catch (error) {
        this.events.emit('problem', { kind: 'cluster-update', doc: this.name, message: (error as Error).message })
      }
    })
  }

  /** Applies awareness published by another instance, for this instance's peers to see. */
  applyClusterAwareness(update: Uint8Array): void {
    this.presence.apply(update, CLUSTER_ORIGIN)
  }

  /** The awareness states of this room's own peers, for another instance that asks (see `Presence.peerStates`). */
  peerAwareness(): Uint8Array | null {
    return this.presence.peerStates()
  }

  /** Withdraws awareness states another instance introduced and, killed, can no longer withdraw. */
  withdrawClusterAwareness(ids: number[]): void {
    this.presence.withdraw(ids, CLUSTER_ORIGIN)
  }

  /** Resolves when every update received so far is stored and relayed (or the room failed). */
  settled(): Promise<void> {
    this.applyBurst()
    return this.relay.settled()
  }

  /** Merges the stored records into one, unless that would gain nothing. */
  compact(): Promise<void> {
    return this.compaction.request()
  }

  /** Closes every peer with `code` and `reason`; used for deletion, shutdown and failures. */
  closeAll(code: number, reason: string): void {
    for (const peer of [...this.peers]) {
      this.removePeer(peer)
      peer.close(code, reason)
    }
  }

  /**
   * The Yjs snapshot of the stored document, for the version recorder as the room unloads; `null`
   * when the room failed or never built its doc (then nothing was edited through it).
   */
  storedSnapshot(): Y.Snapshot | null {
    return this.failed || this.unbuilt ? null : Y.snapshot(this.ydoc)
  }

  /**
   * Saves the document's state for its next opening (see `DocStore.saveState`), once every update
   * is stored: if saving states is on, the document is big enough to gain from it, and it changed
   * since the state it was opened with. A failed save loses nothing: the records are the document.
   */
  async saveState(): Promise<void> {
    await this.settled()
    if (!this.options.saveStates || this.failed || this.unbuilt || this.head === this.savedHead || this.bytes < SAVE_STATE_MIN_BYTES) return
    const { update, stateVector } = this.snapshot.get()
    await this.store.saveState(this.name, { head: this.head, update, stateVector })
  }

  /** Releases the document and awareness (and awareness's timer); the room is unusable after. */
  destroy(): void {
    this.presence.destroy()
    this.ydoc.destroy()
  }

  private readonly onUpdate = (update: Uint8Array, origin: unknown): void => {
    // A peer's updates were counted when received.
    if (origin === LOCAL_ORIGIN || origin === CLUSTER_ORIGIN) this.bytes += update.byteLength
    this.snapshot.invalidate()
    if (this.failed) return
    // Updates from the cluster are stored already (their instance stored them before publishing).
    const step = this.relay.push(update, origin, origin !== CLUSTER_ORIGIN)
    if (origin === LOCAL_ORIGIN) this.localStep = step
  }

  /** Relays a stored update to every peer but its sender and announces it. */
  private readonly deliver = (update: Uint8Array, origin: unknown, head: number | null, started: number): void => {
    // Taken before relaying, which writes to every peer's socket: that is not the store's time.
    const persistMs = performance.now() - started
    if (head !== null) this.head = Math.max(this.head, head)
    this.broadcast(encodeUpdate(update), origin)
    this.events.emit('doc.update', { doc: this.name, update, bytes: update.byteLength, persistMs, origin: originKind(origin), user: this.presence.userOf(origin) })
    if (head !== null) this.compaction.appended(update.byteLength)
  }

  private broadcast(message: Uint8Array, origin: unknown): void {
    for (const peer of this.peers) if (peer !== origin) peer.send(message)
  }

  /**
   * A socket hands over every frame of one read at once, and a typist's or a replaying client's
   * updates come several to a read. They are applied once the frames of that read have been
   * handled (a microtask later, before any other socket is read), in one transaction: Yjs cleans
   * up once rather than once per update (4 updates of a busy room cost 8 times less each), and
   * the doc's one `update` event makes one store record and one relayed frame per peer for all
   * of them. Another peer's update, any other message, a reader or a server-side edit applies the
   * burst first, so everything is still handled in the order it was received.
   */
  private queueUpdate(peer: Peer, update: Uint8Array): void {
    if (this.burst && this.burst.peer !== peer) this.applyBurst()
    if (!this.burst) {
      this.burst = { peer, updates: [] }
      queueMicrotask(this.applyBurst)
    }
    this.burst.updates.push(update)
  }

  /** Hands the burst to the gate, which applies it now or after the readers waiting for stored state. */
  private readonly applyBurst = (): void => {
    const burst = this.burst
    if (!burst) return
    this.burst = null
    this.gate.admit(() => this.applyUpdates(burst.peer, burst.updates))
  }

  /** Applies updates of `peer` in one transaction; an invalid one closes that peer (1002), keeping those before it. */
  private applyUpdates(peer: Peer, updates: readonly Uint8Array[]): void {
    try {
      Y.transact(
        this.doc,
        () => {
          for (const update of updates) Y.applyUpdate(this.doc, update, peer)
        },
        peer,
      )
    } catch (error) {
      this.events.emit('problem', { kind: 'invalid-update', doc: this.name, message: (error as Error).message })
      peer.close(CloseCode.protocolError, 'invalid Yjs update')
    }
  }

  /** Closes `peer` for what a limit refused; the document is left as it was. */
  private refuse(peer: Peer, refusal: Refusal): void {
    this.events.emit('problem', { kind: refusal.kind, doc: this.name, message: refusal.reason })
    peer.close(refusal.close, refusal.reason)
  }

  /** Has the store merge its records; what it merged is its own read, not this room's state. */
  private async merge(): Promise<Compaction | null> {
    if (this.failed) return null
    const before = this.bytes
    const compacted = await this.store.compact(this.name)
    if (!compacted || compacted.records <= 1) return null
    // The merged records shrank to `compacted.bytes`; updates applied meanwhile still count.
    this.bytes = compacted.bytes + Math.max(0, this.bytes - before)
    this.events.emit('doc.compacted', { doc: this.name, bytes: compacted.bytes })
    return compacted
  }

  /** The store refused a write (or a record turned out damaged as the doc was built): nobody may
   * see updates that are not stored, so everyone is disconnected and the room unloaded. Clients
   * keep their edits and resend them on reconnect, unless the document was deleted: then they are
   * told so (4404) and must not write it back. */
  private fail(error: unknown): void {
    if (this.failed) return
    this.failed = true
    const corrupt = error instanceof StoreError && error.kind === 'corrupt'
    this.events.emit('problem', { kind: corrupt ? 'store-read' : 'store-write', doc: this.name, message: (error as Error).message })
    if (error instanceof StoreError && error.kind === 'deleted') this.closeAll(CloseCode.documentDeleted, 'document deleted')
    else if (corrupt) this.closeAll(CloseCode.internalError, 'document could not be opened')
    else this.closeAll(CloseCode.internalError, 'the server could not save this document')
    this.onFailure(this)
  }

  private unsaved(): StoreError {
    return new StoreError('unavailable', `document "${this.name}" could not be saved; try again`)
  }
}

/** Resolves with what `run` returns, or rejects with what it throws. */
function settle<T>(run: () => T, resolve: (value: T) => void, reject: (error: unknown) => void): void {
  try {
    resolve(run())
  } catch (error) {
    reject(error)
  }
}
