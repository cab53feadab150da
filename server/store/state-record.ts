import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import type { DocState } from './store.js'

/**
 * The bytes of a stored `DocState`, the same in every store: the head it was taken at, then the
 * state vector and the update, so a store can check the head without copying the rest.
 */
export function encodeState({ head, stateVector, update }: DocState): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, head)
  encoding.writeVarUint8Array(encoder, stateVector)
  encoding.writeVarUint8Array(encoder, update)
  return encoding.toUint8Array(encoder)
}

/**
 * Reads what `encodeState` wrote if it was taken at `head`, else `null`: a state from before the
 * latest append is stale, and one that does not decode is only a cache, so it is ignored too (the
 * records are what the document is).
 */
export function decodeStateAt(bytes: Uint8Array, head: number): DocState | null {
  try {
    const decoder = decoding.createDecoder(bytes)
    if (decoding.readVarUint(decoder) !== head) return null
    const stateVector = decoding.readVarUint8Array(decoder)
    const update = decoding.readVarUint8Array(decoder)
    return { head, stateVector, update }
  } catch {
    return null
  }
}
