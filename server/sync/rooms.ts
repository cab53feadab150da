import * as Y from 'yjs'
import { CloseCode, RENAMED_PREFIX } from '../../shared/protocol.js'
import type { DocStore, RenameOutcome } from '../store/store.js'
import type { SyncEvents } from './events.js'
import type { Peer } from './peer.js'
import { replay } from './replay.js'
import { Room, type RoomOptions } from './room.js'

/** The close reason of a renamed document's peers, which the document page reads to follow it. */
export const renamedReason = (to: string) => `${RENAMED_PREFIX}${to}`

/**
 * The registry of open documents. A document is loaded when its first peer joins (concurrent joins
 * share one load) and unloaded, after its updates are stored and its records compacted, when the
 * last peer leaves. A join that arrives while its document is unloading waits for the unload and
 * then loads it afresh, so no update can slip between an old and a new copy.
 *
 * The server-side operations the API and CLI need (view, edit, compact, remove) go through here
 * too, so a live document is never edited behind its room's back, and they see only stored state.
 */
export class Rooms {
  private readonly open = new Map<string, Room>()
  private readonly opening = new Map<string, Promise<Room>>()
  private readonly closing = new Map<string, Promise<void>>()

  constructor(
    private readonly store: DocStore,
    readonly events: SyncEvents,
    private readonly options: RoomOptions,
  ) {}

  /** The open room of `name`, if any. */
  get(name: string): Room | undefined {
    return this.open.get(name)
  }

  /** Number of open documents. */
  get count(): number {
    return this.open.size
  }

  /** Names of the open documents. */
  names(): string[] {
    return [...this.open.keys()]
  }

  /** Number of peers connected to `name`. */
  clients(name: string): number {
    return this.open.get(name)?.size ?? 0
  }

  /**
   * Adds `peer` to the room of `name`, loading it if needed. Rejects with a `StoreError` when the
   * document cannot be loaded; the caller closes the peer with that reason.
   */
  async join(name: string, peer: Peer): Promise<Room> {
    const room = await this.acquire(name)
    room.addPeer(peer)
    return room
  }

  /** Removes `peer` from its room and unloads the room if nothing else keeps it. */
  leave(room: Room, peer: Peer): void {
    room.removePeer(peer)
    if (room.idle) this.unload(room)
  }

  /**
   * Runs `read` on the stored content of `name` and resolves with its result, or `null` for a
   * document that does not exist. An open room is read when it holds exactly what is stored; a
   * closed document is read from the store into a scratch doc, without opening a room for it.
   * `read` must not keep or modify the doc.
   */
  async view<T>(name: string, read: (doc: Y.Doc) => T): Promise<T | null> {
    await this.closing.get(name)
    const room = this.open.get(name)
    if (room) {
      if (await this.holdsDocument(room)) return room.view(read)
      if (this.open.get(name) === room) return null
      return this.view(name, read)
    }
    const stored = await this.store.load(name)
    if (!stored) return null
    const doc = new Y.Doc()
    try {
      replay(doc, name, stored.updates)
      return read(doc)
    } finally {
      doc.destroy()
    }
  }

  /**
   * Changes `name` (creating it if needed) as an edit of the server's own. `change` is called with
   * the doc holding the stored content and returns the updates to apply, in order, or a promise of
   * them (for work done elsewhere from what it read synchronously; it must not keep the doc). One
   * room is held throughout, loaded once if the document was closed. Each update is stored and
   * relayed to connected peers before the next is applied, so the event loop runs between them.
   * Rejects with `LimitError`, applying nothing, when they would grow the document past its size
   * limit, and with the store's error when one could not be stored.
   */
  async edit(name: string, change: (doc: Y.Doc) => Uint8Array[] | Promise<Uint8Array[]>): Promise<void> {
    await this.hold(name, async (room) => {
      const updates = await room.view(change)
      room.admit(updates.reduce((total, update) => total + update.byteLength, 0))
      for (const update of updates) await room.applyLocal(update)
    })
  }

  /** Merges the stored records of `name` into one; `false` if there is no such document. */
  async compact(name: string): Promise<boolean> {
    if (!this.open.has(name) && !(await this.store.stat(name))) return false
    await this.hold(name, (room) => room.compact())
    return true
  }

  /**
   * Deletes `name`. Its peers are first closed with 4404 so that clients do not write their copy
   * straight back. Resolves `false` when there was no such document.
   */
  async remove(name: string): Promise<boolean> {
    // Nothing to delete, and nobody to close: the editors (or an import) wait on a name that has
    // no document yet, and go on as they were.
    const room = this.open.get(name)
    if (room && !(await this.holdsDocument(room))) return false
    await this.forget(name)
    const removed = await this.store.remove(name)
    this.events.emit('doc.removed', { doc: name, origin: 'local' })
    return removed
  }

  /**
   * Gives `from` the name `to`, history included (see `DocStore.rename`). Peers of `from` are
   * closed first, as for a deletion (4404, which the official client takes as final, so nobody
   * writes the old name back) but with the reason `renamed to <to>`, so a page can follow it. An
   * open room of `to` (editors on a name that had no document yet) is caught up from the store.
   */
  async rename(from: string, to: string): Promise<RenameOutcome> {
    // Asked of the store, not the rooms: an open room of a name nobody has written to yet is no
    // document to rename, and its editors must not be told it moved.
    if (!(await this.store.stat(from))) return 'missing'
    if (await this.store.stat(to)) return 'exists'
    await this.forget(from, renamedReason(to))
    const outcome = await this.store.rename(from, to)
    if (outcome !== 'renamed') return outcome
    this.events.emit('doc.removed', { doc: from, renamedTo: to, origin: 'local' })
    await this.catchUp(to)
    return outcome
  }

  /**
   * Another instance of the cluster deleted `name`, or renamed it to `renamedTo`: its peers here
   * are closed as for a removal made here, and it is announced (`doc.removed`, origin `cluster`)
   * so that what this instance keeps of it follows: the pending edits of its editors here are
   * recorded under the new name, and list pages watching this instance see it go.
   */
  async removedElsewhere(name: string, renamedTo?: string): Promise<void> {
    await this.forget(name, renamedTo === undefined ? undefined : renamedReason(renamedTo))
    this.events.emit('doc.removed', renamedTo === undefined ? { doc: name, origin: 'cluster' } : { doc: name, renamedTo, origin: 'cluster' })
  }

  /**
   * Closes the peers of `name` with 4404 and drops the room without storing anything: for a
   * document deleted (or renamed, then `reason` says so) here, before the store changes it, or by
   * another instance of the cluster.
   */
  private async forget(name: string, reason = 'document deleted'): Promise<void> {
    await this.closing.get(name)
    const room = this.open.get(name)
    if (!room) return
    room.closeAll(CloseCode.documentDeleted, reason)
    this.open.delete(name)
    const closed = room.settled().then(() => room.destroy())
    this.track(name, closed)
    await closed
  }

  /**
   * Applies to the open room of `name` whatever the store holds that it lacks, as cluster
   * updates (relayed, not stored again). Another instance may have stored updates between this
   * room's load and its subscription to the cluster, while the subscription was down, or when its
   * publish failed. A document the store no longer has was deleted by another instance: its room
   * is forgotten (peers closed with 4404), as the deletion's own message would have done.
   */
  async catchUp(name: string): Promise<void> {
    const room = this.open.get(name)
    if (!room) return
    const stored = await this.store.load(name)
    if (this.open.get(name) !== room) return
    if (stored) room.applyCluster(Y.mergeUpdates(stored.updates))
    else if (room.existed) await this.removedElsewhere(name)
  }

  /**
   * Whether `room` stands for a stored document. An editor waiting on a name nobody has written to,
   * or an import still converting, opens a room, not a document. The store decides when the room
   * stored nothing itself: in a cluster, another instance may have created the document.
   */
  private async holdsDocument(room: Room): Promise<boolean> {
    return room.existed || (await this.store.stat(room.name)) !== null
  }

  /** Closes every peer with 1001 and unloads every room, storing everything first. */
  async shutdown(): Promise<void> {
    await Promise.all(this.opening.values())
    for (const room of this.open.values()) {
      room.closeAll(CloseCode.goingAway, 'server shutting down')
      this.unload(room)
    }
    await Promise.all(this.closing.values())
  }

  private async hold<T>(name: string, work: (room: Room) => Promise<T>): Promise<T> {
    const room = await this.acquire(name)
    room.holds += 1
    try {
      return await work(room)
    } finally {
      room.holds -= 1
      if (room.idle) this.unload(room)
    }
  }

  private async acquire(name: string): Promise<Room> {
    for (;;) {
      const closing = this.closing.get(name)
      if (closing) {
        await closing
        continue
      }
      const room = this.open.get(name)
      if (room) return room
      let opening = this.opening.get(name)
      if (!opening) {
        opening = Room.open(name, this.store, this.events, this.options, (failed) => this.unload(failed))
          .then((loaded) => {
            this.open.set(name, loaded)
            return loaded
          })
          .catch((error: Error) => {
            this.events.emit('doc.failed', { doc: name, error })
            throw error
          })
          .finally(() => this.opening.delete(name))
        this.opening.set(name, opening)
      }
      return await opening
    }
  }

  private unload(room: Room): void {
    if (this.open.get(room.name) !== room) return
    this.open.delete(room.name)
    const done = room
      .settled()
      .then(() => (room.failed ? undefined : room.compact()))
      .catch((error: Error) => this.events.emit('problem', { kind: 'compaction', doc: room.name, message: error.message }))
      .then(() => room.saveState())
      .catch((error: Error) => this.events.emit('problem', { kind: 'save-state', doc: room.name, message: error.message }))
      .then(() => {
        const stored = room.storedSnapshot()
        room.destroy()
        this.events.emit('doc.unloaded', { doc: room.name, stored })
      })
    this.track(room.name, done)
  }

  private track(name: string, closing: Promise<void>): void {
    const tracked = closing.finally(() => {
      if (this.closing.get(name) === tracked) this.closing.delete(name)
    })
    this.closing.set(name, tracked)
  }
}
