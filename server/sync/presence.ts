import * as awarenessProtocol from 'y-protocols/awareness'
import type * as Y from 'yjs'
import { type PresenceUser, readPresence } from '../../shared/presence.js'
import { type AwarenessLimits, type AwarenessRefusal, awarenessVerdict } from '../guard/awareness.js'
import type { SyncEvents } from './events.js'
import { originKind, type Peer } from './peer.js'
import { type AwarenessEntry, decodeAwarenessEntries, encodeAwareness, encodeAwarenessEntries, removesClient } from './protocol.js'

/** What one peer holds of a document's awareness. */
interface Holdings {
  /** The client ids whose states it controls: those it introduced, less those handed over. */
  ids: Set<number>
  /**
   * The id it sent first, which is its own: the official client sends its own state, alone, as
   * soon as its socket opens. Any other id it sends, it passes on for another client.
   */
  own: number | null
  /** Ids it passed on that went to the peer whose own they are (made by the first one). */
  handedOver: Set<number> | null
}

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
 * A peer may introduce ids that are not its own: the official client passes on, over its socket,
 * the state of another tab of the same browser it hears on its BroadcastChannel, often before that
 * tab's own socket is open. Such an id is handed over to the peer whose own it is when that peer
 * sends it, so that closing the tab withdraws it at once instead of leaving a ghost for 30 s; the
 * renewals the first tab goes on passing on are then dropped without a word.
 *
 * A peer's awareness is hostile input (`guard/awareness.ts`): each entry of its updates is judged
 * before any is applied, and entries over the size limit, past the per-connection id count or for
 * ids another connection holds are dropped (and reported), the rest applied. The states every
 * joiner gets are encoded once per change, not once per joiner.
 */
export class Presence {
  readonly awareness: awarenessProtocol.Awareness
  /** Each peer with what it holds. */
  private readonly holdings = new Map<Peer, Holdings>()
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
    this.holdings.set(peer, { ids: new Set(), own: null, handedOver: null })
  }

  /** Withdraws every awareness state `peer` introduced, which tells everyone else it left. */
  untrack(peer: Peer): void {
    const ids = this.holdings.get(peer)?.ids
    if (!ids) return
    this.holdings.delete(peer)
    if (ids.size > 0) awarenessProtocol.removeAwarenessStates(this.awareness, [...ids], null)
  }

  /**
   * Applies an awareness update from `origin` (a peer, or the cluster), less the entries a peer
   * may not make. Throws when it is invalid.
   */
  apply(update: Uint8Array, origin: unknown): void {
    const holdings = this.holdings.get(origin as Peer)
    // The cluster's updates were judged by the instance their clients are connected to.
    if (!holdings) return awarenessProtocol.applyAwarenessUpdate(this.awareness, update, origin)
    const entries = decodeAwarenessEntries(update)
    const first = entries[0]
    if (first && holdings.own === null) this.claimOwn(holdings, first.clientId)
    const kept = this.allowed(entries, holdings)
    if (kept.length === entries.length) awarenessProtocol.applyAwarenessUpdate(this.awareness, update, origin)
    else if (kept.length > 0) awarenessProtocol.applyAwarenessUpdate(this.awareness, encodeAwarenessEntries(kept), origin)
  }

  /** Every current awareness state as one message, for a joiner or a `query-awareness`. */
  statesMessage(): Uint8Array {
    this.states ??= encodeAwareness(awarenessProtocol.encodeAwarenessUpdate(this.awareness, [...this.awareness.getStates().keys()]))
    return this.states
  }

  /**
   * The current states of this room's own peers (not those other instances relayed), for an
   * instance that just opened the document and has not heard them yet; `null` when there are none.
   */
  peerStates(): Uint8Array | null {
    const states = this.awareness.getStates()
    const ids = [...this.holdings.values()].flatMap(({ ids }) => [...ids]).filter((id) => states.has(id))
    return ids.length > 0 ? awarenessProtocol.encodeAwarenessUpdate(this.awareness, ids) : null
  }

  /** Withdraws the states of `ids` for everyone here: their instance is gone and cannot. */
  withdraw(ids: number[], origin: unknown): void {
    const states = this.awareness.getStates()
    const present = ids.filter((id) => states.has(id))
    if (present.length > 0) awarenessProtocol.removeAwarenessStates(this.awareness, present, origin)
  }

  /** The presence of `peer` (its first named awareness state), for naming the author of an edit. */
  userOf(peer: unknown): PresenceUser | null {
    for (const id of this.holdings.get(peer as Peer)?.ids ?? []) {
      const user = this.users.get(id)
      if (user) return user
    }
    return null
  }

  /** Stops the awareness's timer; the tracker is unusable after. */
  destroy(): void {
    this.awareness.destroy()
  }

  /**
   * Records `id` as the own id of the peer that holds `mine`, handed over by a peer that only
   * passed it on. An id another peer sent as its own stays that peer's: no connection can take
   * someone else's presence.
   */
  private claimOwn(mine: Holdings, id: number): void {
    mine.own = id
    for (const other of this.holdings.values()) {
      if (other === mine || other.own === id || !other.ids.delete(id)) continue
      ;(other.handedOver ??= new Set()).add(id)
      mine.ids.add(id)
    }
  }

  /** The entries of the peer that holds `holdings` it may apply; the others are reported as one problem. */
  private allowed(entries: AwarenessEntry[], { ids: owned, handedOver }: Holdings): AwarenessEntry[] {
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
        handedOver: handedOver?.has(entry.clientId) ?? false,
        idsOwned: ids,
      }
      const verdict = awarenessVerdict({ clientId: entry.clientId, stateBytes: entry.state.byteLength, removal: removesClient(entry) }, holding, this.limits)
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
    const owned = this.holdings.get(origin as Peer)?.ids
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
