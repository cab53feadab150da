import * as awarenessProtocol from 'y-protocols/awareness'
import type * as Y from 'yjs'
import { type PresenceUser, readPresence } from '../../shared/presence.js'
import type { SyncEvents } from './events.js'
import { type Peer, originKind } from './peer.js'
import { encodeAwareness } from './protocol.js'

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
 */
export class Presence {
  readonly awareness: awarenessProtocol.Awareness
  /** Each peer with the awareness client IDs it controls. */
  private readonly owned = new Map<Peer, Set<number>>()
  /** Presence of every awareness client, kept so that a departure can name who left. */
  private readonly users = new Map<number, PresenceUser>()

  constructor(
    doc: Y.Doc,
    private readonly name: string,
    private readonly events: SyncEvents,
    /** Sends `message` to every peer of the room. */
    private readonly broadcast: (message: Uint8Array) => void,
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

  /** Applies an awareness update from `origin` (a peer, or the cluster). Throws when it is invalid. */
  apply(update: Uint8Array, origin: unknown): void {
    awarenessProtocol.applyAwarenessUpdate(this.awareness, update, origin)
  }

  /** Every current awareness state as one message, for a joiner or a `query-awareness`. */
  statesMessage(): Uint8Array {
    return encodeAwareness(awarenessProtocol.encodeAwarenessUpdate(this.awareness, [...this.awareness.getStates().keys()]))
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

  private readonly onUpdate = ({ added, updated, removed }: AwarenessChange, origin: unknown): void => {
    const owned = this.owned.get(origin as Peer)
    if (owned) {
      for (const id of added) owned.add(id)
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
