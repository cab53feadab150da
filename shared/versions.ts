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

/** Longest label a version may have, in characters (UTF-16 units, as an input's `maxLength` counts). */
export const MAX_LABEL_LENGTH = 200

/**
 * Why `label` cannot name a version, in words fit for an HTTP 400 body or a CLI error line; `null`
 * if it can. A label is one line (no line breaks, tabs or other control characters: `quire history`
 * shows one version per line) of at most `MAX_LABEL_LENGTH` characters once trimmed. The one rule,
 * for the API, the CLI and the editor.
 */
export function labelProblem(label: string): string | null {
  const trimmed = label.trim()
  if (/[\u0000-\u001f\u007f-\u009f]/.test(trimmed)) return 'a version label is one line, without line breaks, tabs or other control characters'
  if (trimmed.length > MAX_LABEL_LENGTH) return `a version label is at most ${MAX_LABEL_LENGTH} characters; this one has ${trimmed.length}`
  return null
}
