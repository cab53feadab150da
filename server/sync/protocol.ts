import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import * as Y from 'yjs'
import { MessageType, SyncType } from '../../shared/protocol.js'

/**
 * The y-websocket wire format as pure functions: bytes in, a typed message out, and encoders for
 * everything the server sends. No sockets and no documents here, so every branch is unit-testable
 * and the connection code reads as a `switch` over `ClientMessage`.
 */

/** Everything a client may send, decoded. Payloads are views into the received frame. */
export type ClientMessage =
  | { type: 'sync-step1'; stateVector: Uint8Array }
  | { type: 'sync-step2'; update: Uint8Array }
  | { type: 'update'; update: Uint8Array }
  | { type: 'awareness'; update: Uint8Array }
  | { type: 'query-awareness' }
  | { type: 'auth' }

/** A frame that does not follow the protocol; the connection closes with 1002. */
export class ProtocolError extends Error {
  override name = 'ProtocolError'
}

/** Decodes one binary WebSocket frame; throws `ProtocolError` for anything malformed. */
export function decodeMessage(frame: Uint8Array): ClientMessage {
  try {
    const decoder = decoding.createDecoder(frame)
    const type = decoding.readVarUint(decoder)
    switch (type) {
      case MessageType.sync:
        return decodeSync(decoder)
      case MessageType.awareness:
        return { type: 'awareness', update: decoding.readVarUint8Array(decoder) }
      case MessageType.queryAwareness:
        return { type: 'query-awareness' }
      case MessageType.auth:
        // Only the server sends auth messages; a client's is read and ignored, as y-websocket does.
        return { type: 'auth' }
      default:
        throw new ProtocolError(`unknown message type ${type}`)
    }
  } catch (error) {
    if (error instanceof ProtocolError) throw error
    // lib0 throws plain Errors ("Unexpected end of array", "Integer out of Range") on truncation.
    throw new ProtocolError(`undecodable message: ${(error as Error).message}`)
  }
}

function decodeSync(decoder: decoding.Decoder): ClientMessage {
  const syncType = decoding.readVarUint(decoder)
  const payload = decoding.readVarUint8Array(decoder)
  switch (syncType) {
    case SyncType.step1:
      // Read here, where a bad one closes its socket: the room answers a step 1 later (once what
      // it holds is stored), where a state vector that cannot be read would stall every reader.
      Y.decodeStateVector(payload)
      return { type: 'sync-step1', stateVector: payload }
    case SyncType.step2:
      return { type: 'sync-step2', update: readable(payload) }
    case SyncType.update:
      return { type: 'update', update: readable(payload) }
    default:
      throw new ProtocolError(`unknown sync message type ${syncType}`)
  }
}

/**
 * `update`, once it has been read through (structs and delete set). Yjs integrates an update's
 * structs before it reads its delete set, so one cut short there would change the document and
 * only then fail: read first, a malformed update changes nothing. It costs about a third of
 * applying it (1 µs for a keystroke).
 */
function readable(update: Uint8Array): Uint8Array {
  try {
    Y.decodeUpdate(update)
  } catch (error) {
    throw new ProtocolError(`invalid Yjs update: ${(error as Error).message}`)
  }
  return update
}

function encodeWith(type: number, write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, type)
  write(encoder)
  return encoding.toUint8Array(encoder)
}

const encodeSync = (syncType: number, payload: Uint8Array) =>
  encodeWith(MessageType.sync, (encoder) => {
    encoding.writeVarUint(encoder, syncType)
    encoding.writeVarUint8Array(encoder, payload)
  })

/** Sync step 1: the server's state vector, asking the client for what the server lacks. */
export const encodeSyncStep1 = (stateVector: Uint8Array) => encodeSync(SyncType.step1, stateVector)

/** Sync step 2: what the client lacks, in answer to its step 1. */
export const encodeSyncStep2 = (update: Uint8Array) => encodeSync(SyncType.step2, update)

/** A live document update relayed to peers. */
export const encodeUpdate = (update: Uint8Array) => encodeSync(SyncType.update, update)

/** An awareness update (encoded by y-protocols' `encodeAwarenessUpdate`). */
export const encodeAwareness = (update: Uint8Array) => encodeWith(MessageType.awareness, (encoder) => encoding.writeVarUint8Array(encoder, update))

/** y-protocols auth "permission denied", sent before closing an unauthorized socket. */
export const encodePermissionDenied = (reason: string) =>
  encodeWith(MessageType.auth, (encoder) => {
    encoding.writeVarUint(encoder, 0)
    encoding.writeVarString(encoder, reason)
  })

/** One client's entry in an awareness update: its id, its clock and its state as UTF-8 JSON. */
export interface AwarenessEntry {
  clientId: number
  clock: number
  state: Uint8Array
}

// `null` in UTF-8: the state of an entry that removes its client.
const NULL_STATE = [0x6e, 0x75, 0x6c, 0x6c]

/** Whether `entry` withdraws its client (state `null`) rather than setting a state. */
export const removesClient = (entry: AwarenessEntry): boolean => entry.state.length === 4 && NULL_STATE.every((byte, i) => entry.state[i] === byte)

/**
 * The entries of an awareness update (y-protocols' layout: a count, then per client its id,
 * clock and JSON state), without parsing the JSON: enough to judge each one before any is applied.
 * Throws `ProtocolError` for an update that does not have that layout.
 */
export function decodeAwarenessEntries(update: Uint8Array): AwarenessEntry[] {
  try {
    const decoder = decoding.createDecoder(update)
    const count = decoding.readVarUint(decoder)
    const entries: AwarenessEntry[] = []
    for (let i = 0; i < count; i++) {
      entries.push({ clientId: decoding.readVarUint(decoder), clock: decoding.readVarUint(decoder), state: decoding.readVarUint8Array(decoder) })
    }
    return entries
  } catch (error) {
    throw new ProtocolError(`undecodable awareness update: ${(error as Error).message}`)
  }
}

/** An awareness update of `entries`, laid out as y-protocols' `encodeAwarenessUpdate` does. */
export function encodeAwarenessEntries(entries: readonly AwarenessEntry[]): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, entries.length)
  for (const { clientId, clock, state } of entries) {
    encoding.writeVarUint(encoder, clientId)
    encoding.writeVarUint(encoder, clock)
    // A varString is its UTF-8 bytes behind their length, as written here.
    encoding.writeVarUint8Array(encoder, state)
  }
  return encoding.toUint8Array(encoder)
}
