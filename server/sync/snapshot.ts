import * as Y from 'yjs'
import type { DocState } from '../store/store.js'
import { encodeSyncStep1, encodeSyncStep2 } from './protocol.js'

/** A document's whole state, encoded the ways the room sends it. */
export interface Snapshot {
  /** The state as one Yjs update. */
  update: Uint8Array
  /** The state vector of `update`. */
  stateVector: Uint8Array
  /** Sync step 2 carrying `update`: the answer to a joiner that has nothing yet. */
  step2: Uint8Array
  /** Sync step 1 carrying the state vector: the server's greeting to a new peer. */
  step1: Uint8Array
}

const snapshotOf = (update: Uint8Array, stateVector: Uint8Array): Snapshot => ({ update, stateVector, step2: encodeSyncStep2(update), step1: encodeSyncStep1(stateVector) })

/**
 * Encodes a document's state once per version and shares it: a hundred peers joining a big
 * document at once cost one encoding, not a hundred. Any change of the doc drops the cache. It
 * can start from a saved state (`DocStore.saveState`), so the doc need not even be built to
 * answer joiners; it is read only once the cache was dropped, i.e. after the doc changed.
 */
export class SnapshotCache {
  private current: Snapshot | null

  constructor(
    private readonly doc: Y.Doc,
    saved?: DocState,
  ) {
    this.current = saved ? snapshotOf(saved.update, saved.stateVector) : null
  }

  /** The snapshot of the doc as it is now. */
  get(): Snapshot {
    this.current ??= snapshotOf(Y.encodeStateAsUpdate(this.doc), Y.encodeStateVector(this.doc))
    return this.current
  }

  /** Forgets the cached encoding; called for every change of the doc. */
  invalidate(): void {
    this.current = null
  }
}
