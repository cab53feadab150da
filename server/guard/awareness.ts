/** Bounds on what one connection may put in a document's awareness. */
export interface AwarenessLimits {
  /** Largest state (its JSON, in bytes) a client may publish. */
  maxStateBytes: number
  /** Most client ids one connection may introduce. */
  maxIdsPerConnection: number
}

/** One entry of an awareness update, as far as the policy looks at it. */
export interface AwarenessClaim {
  clientId: number
  /** Bytes of the entry's JSON state. */
  stateBytes: number
  /** The entry removes the client's state (its state is `null`). */
  removal: boolean
}

/** What the room knows of the client id a connection claims. */
export interface AwarenessHolding {
  /** The claiming connection introduced it. */
  ownsIt: boolean
  /** Another connection, or another instance of the cluster, holds a state for it. */
  heldByOther: boolean
  /** The claim's clock is not ahead of the one the room has: applying it would change nothing. */
  stale: boolean
  /** The claiming connection passed the id on for another client, which now holds it itself. */
  handedOver: boolean
  /** Client ids the claiming connection has introduced so far. */
  idsOwned: number
}

/** Why an awareness entry was dropped: `kind` for metrics, `reason` for the log. */
export interface AwarenessRefusal {
  kind: 'awareness-too-big' | 'awareness-not-owned' | 'awareness-too-many-ids'
  reason: string
}

/**
 * Whether a connection may apply `claim`: `'ok'`, `'ignore'` for an entry that is dropped
 * without a word, or why it is refused.
 *
 * A state over the size limit would be sent to every peer and joiner (a 10 MB name to 20 peers
 * was 210 MB out). An id another connection holds, updated with a newer clock, would let anyone, a
 * read-only viewer included, rename or remove someone else's presence. Thousands of ids from one
 * connection would make every joiner download them all.
 *
 * Honest clients send other clients' entries too: the official client sends back every awareness
 * change it hears of, with the clock it heard, and removes peers it has not heard from lately.
 * Such entries (not ahead of the room's clock, or removing a state nobody holds) would change
 * nothing or only harm, so they are ignored rather than reported. So are the renewals a tab goes on
 * passing on, from its BroadcastChannel, for another tab that now holds its id itself.
 */
export function awarenessVerdict(claim: AwarenessClaim, holding: AwarenessHolding, limits: AwarenessLimits): 'ok' | 'ignore' | AwarenessRefusal {
  if (claim.stateBytes > limits.maxStateBytes) return { kind: 'awareness-too-big', reason: `awareness state of ${claim.stateBytes} bytes is over the ${limits.maxStateBytes}-byte limit` }
  if (holding.ownsIt) return 'ok'
  if (holding.stale || (holding.handedOver && holding.heldByOther)) return 'ignore'
  if (holding.heldByOther) return { kind: 'awareness-not-owned', reason: `awareness client ${claim.clientId} belongs to another connection` }
  if (claim.removal) return 'ignore'
  if (holding.idsOwned >= limits.maxIdsPerConnection) return { kind: 'awareness-too-many-ids', reason: `a connection may introduce at most ${limits.maxIdsPerConnection} awareness clients` }
  return 'ok'
}
