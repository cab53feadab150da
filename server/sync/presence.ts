import * as awarenessProtocol from 'y-protocols/awareness'
import type * as Y from 'yjs'
import { type PresenceUser, readPresence } from '../../shared/presence.js'
import { type AwarenessLimits, type AwarenessRefusal, awarenessVerdict } from '../guard/awareness.js'
import type { SyncEvents } from './events.js'
import { originKind, type Peer } from './peer.js'
import { type AwarenessEntry, decodeAwarenessEntries, encodeAwareness, encodeAwarenessEntries } from './protocol.js'

// `null` in UTF-8: the state of an entry that removes its client.
const NULL_STATE = [0x6e, 0x75, 0x6c, 0x6c]
const isNull = (state: Uint8Array) => state.length === 4 && NULL_STATE.every((byte, i) => state[i] === byte)

interface AwarenessChange {
  added: number[]
  updated: number[]
  removed: number[]
}

/**
 * The awareness (cursors, names) of one document: relays every change to the other peers and
 * announces it (`doc.awareness` for the cluster bus, `presence` for dashboards).
 *
 * It remembers which awareness client IDs each peer introduced, so that a departing peer's states
 * are withdrawn for everyone, and the presence of each client, so that a departure can name who
 * left. Awareness is never stored: it lives as long as its peers' connections.
 *
 * A peer's awareness is hostile input (`guard/awareness.ts`): each entry of its updates is judged
 * before any is applied, and entries over the size limit, past the per-connection id count or for
 * ids another connection holds are dropped (and reported), the rest applied. The states every
 * joiner gets are encoded once per change, not once per joiner.
 */
export class Presence {
  readonly awareness: awarenessProtocol.Awareness
  /** Each peer with the awareness client IDs it controls. */
  private readonly owned = new Map<Peer, Set<number>>()
  /** Presence of every awareness client, kept so that a departure can name who left. */
  private readonly users = new Map<number, PresenceUser>()
  /** Every current state as one message, until the next change. */
  private states: Uint8Array | null = null

  constructor(
    doc: Y.Doc,
    private readonly name: string,
    private readonly events: SyncEvents,
    /** Sends `message` to every peer of the room. */
    private readonly broadcast: (message: Uint8Array) => void,
    private readonly limits: AwarenessLimits,
  ) {
    this.awareness = new awarenessProtocol.Awareness(doc)
    // The server has no cursor of its own.
    this.awareness.setLocalState(null)
    this.awareness.on('update', this.onUpdate)
    this.awareness.on('change', this.onChange)
  }

  /** Starts tracking the awareness states `peer` introduces. */
  track(peer: Peer): void {
    this.owned.set(peer, new Set())
  }

  /** Withdraws every awareness state `peer` introduced, which tells everyone else it left. */
  untrack(peer: Peer): void {
    const ids = this.owned.get(peer)
    if (!ids) return
    this.owned.delete(peer)
    if (ids.size > 0) awarenessProtocol.removeAwarenessStates(this.awareness, [...ids], null)
  }

  /**
   * Applies an awareness update from `origin` (a peer, or the cluster), less the entries a peer
   * may not make. Throws when it is invalid.
   */
  apply(update: Uint8Array, origin: unknown): void {
    const owned = this.owned.get(origin as Peer)
    // The cluster's updates were judged by the instance their clients are connected to.
    if (!owned) return awarenessProtocol.applyAwarenessUpdate(this.awareness, update, origin)
    const entries = decodeAwarenessEntries(update)
    const kept = this.allowed(entries, owned)
    if (kept.length === entries.length) awarenessProtocol.applyAwarenessUpdate(this.awareness, update, origin)
    else if (kept.length > 0) awarenessProtocol.applyAwarenessUpdate(this.awareness, encodeAwarenessEntries(kept), origin)
  }

  /** Every current awareness state as one message, for a joiner or a `query-awareness`. */
  statesMessage(): Uint8Array {
    this.states ??= encodeAwareness(awarenessProtocol.encodeAwarenessUpdate(this.awareness, [...this.awareness.getStates().keys()]))
    return this.states
  }

  /** The presence of `peer` (its first named awareness state), for naming the author of an edit. */
  userOf(peer: unknown): PresenceUser | null {
    for (const id of this.owned.get(peer as Peer) ?? []) {
      const user = this.users.get(id)
      if (user) return user
    }
    return null
  }

  /** Stops the awareness's timer; the tracker is unusable after. */
  destroy(): void {
    this.awareness.destroy()
  }

  /** The entries of a peer that owns `owned` it may apply; the others are reported as one problem. */
  private allowed(entries: AwarenessEntry[], owned: Set<number>): AwarenessEntry[] {
    const kept: AwarenessEntry[] = []
    let ids = owned.size
    let refusal: AwarenessRefusal | null = null
    let refused = 0
    for (const entry of entries) {
      const ownsIt = owned.has(entry.clientId)
      const holding = {
        ownsIt,
        // A state present and not this peer's is another connection's or another instance's.
        heldByOther: !ownsIt && this.awareness.getStates().has(entry.clientId),
        stale: entry.clock <= (this.awareness.meta.get(entry.clientId)?.clock ?? 0),
        idsOwned: ids,
      }
      const verdict = awarenessVerdict({ clientId: entry.clientId, stateBytes: entry.state.byteLength, removal: isNull(entry.state) }, holding, this.limits)
      if (verdict === 'ignore') continue
      if (verdict !== 'ok') {
        refusal ??= verdict
        refused += 1
        continue
      }
      if (!ownsIt) ids += 1
      kept.push(entry)
    }
    if (refusal) this.events.emit('problem', { kind: refusal.kind, doc: this.name, message: refused > 1 ? `${refusal.reason} (${refused} entries dropped)` : refusal.reason })
    return kept
  }

  private readonly onUpdate = ({ added, updated, removed }: AwarenessChange, origin: unknown): void => {
    this.states = null
    const owned = this.owned.get(origin as Peer)
    if (owned) {
      // A client that comes back (a reconnect keeps its id) sets a state the room has seen
      // before: y-protocols calls that `updated`, not `added`, and it is this peer's all the same.
      for (const id of [...added, ...updated]) owned.add(id)
      for (const id of removed) owned.delete(id)
    }
    const update = awarenessProtocol.encodeAwarenessUpdate(this.awareness, [...added, ...updated, ...removed])
    // The sender gets its own update back, as from the reference server: the official client
    // closes a socket that has heard nothing for 30 s and counts on its 15 s awareness renewal
    // coming back, so an editor alone on a document would otherwise be disconnected every 30 s.
    this.broadcast(encodeAwareness(update))
    this.events.emit('doc.awareness', { doc: this.name, update, origin: originKind(origin) })
  }

  private readonly onChange = ({ added, updated, removed }: AwarenessChange): void => {
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
}
