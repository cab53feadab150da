import type { PresenceUser } from './presence.js'

/**
 * A version of a document as the API, the CLI's `--json`, SSE and the editor's History panel show
 * it (CONTRACT "Version history"): an immutable, stored state of the document.
 */
export interface VersionInfo {
  /** Positive, increasing per document. */
  id: number
  /** ISO 8601 time it was recorded. */
  at: string
  label: string | null
  /** Recorded by the server by itself (a pause, the interval, the last editor leaving, a restore). */
  auto: boolean
  /** Who edited since the previous version, from their presence; possibly empty. */
  authors: PresenceUser[]
}

/** What `diff` compares a version with when no other version is named. */
export const CURRENT = 'current'
