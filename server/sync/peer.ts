import type { UpdateOrigin } from './events.js'

/** What a room needs of a connection: it can be written to and closed, nothing more. */
export interface Peer {
  readonly id: number
  send(message: Uint8Array): void
  close(code: number, reason: string): void
}

/** Origin of edits made by the server itself (imports through the API or the CLI). */
export const LOCAL_ORIGIN = Symbol('local')

/** Origin of updates and awareness from another instance of the cluster, which stored them already. */
export const CLUSTER_ORIGIN = Symbol('cluster')

/**
 * The kind of a Yjs transaction origin as events report it: the cluster's and the server's own
 * symbols, else a connected peer (the only other origin a room applies updates with).
 */
export function originKind(origin: unknown): UpdateOrigin {
  return origin === CLUSTER_ORIGIN ? 'cluster' : origin === LOCAL_ORIGIN ? 'local' : 'peer'
}
