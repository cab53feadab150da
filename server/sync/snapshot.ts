import * as Y from 'yjs'
import { encodeSyncStep1, encodeSyncStep2 } from './protocol.js'

/** A document's whole state, encoded the ways the room sends it. */
export interface Snapshot {
  /** The state as one Yjs update. */
  update: Uint8Array
  /** Sync step 2 carrying `update`: the answer to a joiner that has nothing yet. */
  step2: Uint8Array
  /** Sync step 1 carrying the state vector: the server's greeting to a new peer. */
  step1: Uint8Array
}

/**
 * Encodes a document's state once per version and shares it: a hundred peers joining a big
 * document at once cost one encoding, not a hundred. Any change of the doc drops the cache.
 */
export class SnapshotCache {
  private current: Snapshot | null = null

  constructor(private readonly doc: Y.Doc) {}

  /** The snapshot of the doc as it is now. */
  get(): Snapshot {
    if (!this.current) {
      const update = Y.encodeStateAsUpdate(this.doc)
      this.current = { update, step2: encodeSyncStep2(update), step1: encodeSyncStep1(Y.encodeStateVector(this.doc)) }
    }
    return this.current
  }

  /** Forgets the cached encoding; called for every change of the doc. */
  invalidate(): void {
    this.current = null
  }
}
