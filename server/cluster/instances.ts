import { decodeAwarenessEntries, removesClient } from '../sync/protocol.js'

/**
 * Which instance of the cluster introduced which awareness states, and which instances have gone
 * silent. An instance killed without closing its sockets cannot withdraw its users' states, and
 * y-protocols would keep them for 30 s; so every instance beats on the bus and the others drop
 * the states of one they stopped hearing.
 *
 * Silence is judged against this instance's own beats, which come back to it through the same
 * link: while that link is down, nobody is heard, but nobody is judged either, so an outage of
 * the bus does not wipe every remote user's presence.
 */
export class Instances {
  /** When each other instance was last heard, by id. */
  private readonly heard = new Map<string, number>()
  /** Per document, the instance that introduced each awareness client id. */
  private readonly owners = new Map<string, Map<number, string>>()

  constructor(
    private readonly self: string,
    /** Silence after which an instance counts as gone. */
    private readonly silentMs: number,
  ) {}

  /** Notes a message from `instance` (its own beats are not counted: see `expire`). */
  heardFrom(instance: string, now: number): void {
    if (instance !== this.self) this.heard.set(instance, now)
  }

  /**
   * This instance's link is back after a break, during which it could hear nobody: every instance
   * it knew starts a fresh silence at `now`, to beat again within, rather than being judged gone by
   * the first of its own beats to come back.
   */
  relisten(now: number): void {
    for (const instance of this.heard.keys()) this.heard.set(instance, now)
  }

  /**
   * Notes which clients an awareness update of `instance` for `doc` introduces (those it removes
   * belong to nobody any more). Only updates an instance sends of its own peers count: their
   * states are the ones that die with it.
   */
  noteAwareness(instance: string, doc: string, update: Uint8Array): void {
    let owners = this.owners.get(doc)
    if (!owners) this.owners.set(doc, (owners = new Map()))
    for (const entry of decodeAwarenessEntries(update)) {
      if (removesClient(entry)) owners.delete(entry.clientId)
      else owners.set(entry.clientId, instance)
    }
  }

  /** Forgets `doc`'s clients: its room closed here, and with it their states. */
  forget(doc: string): void {
    this.owners.delete(doc)
  }

  /**
   * Called when this instance hears its own beat at `now`: forgets the instances silent for
   * longer than `silentMs` and returns, per document, the client ids they had introduced.
   */
  expire(now: number): Map<string, number[]> {
    const gone = new Set<string>()
    for (const [instance, at] of this.heard) if (now - at > this.silentMs) gone.add(instance)
    const orphans = new Map<string, number[]>()
    if (gone.size === 0) return orphans
    for (const instance of gone) this.heard.delete(instance)
    for (const [doc, owners] of this.owners) {
      const ids = [...owners].filter(([, instance]) => gone.has(instance)).map(([id]) => id)
      for (const id of ids) owners.delete(id)
      if (ids.length > 0) orphans.set(doc, ids)
    }
    return orphans
  }
}
