import { MAX_DOC_NAME_BYTES } from './defaults.js'

// U+202A-U+202E and U+2066-U+2069 (embeddings, overrides, isolates), U+200E/U+200F (LRM, RLM),
// U+200B (zero-width space) and U+FEFF (zero-width no-break space, the BOM).
const INVISIBLE = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u200b\ufeff]/

/**
 * Why a document name was refused, in words fit for an HTTP 400 body or a CLI error line.
 * `null` means the name is valid.
 */
export function docNameProblem(name: string): string | null {
  if (name.length === 0) return 'document name is empty'
  const bytes = new TextEncoder().encode(name).length
  if (bytes > MAX_DOC_NAME_BYTES) return `document name is ${bytes} bytes; the limit is ${MAX_DOC_NAME_BYTES}`
  // C0 controls, DEL and C1 controls: invisible in logs and listings, and a way to forge them.
  if (/[\u0000-\u001f\u007f-\u009f]/.test(name)) return 'document name contains control characters'
  // Bidirectional controls reorder what a listing shows ("invoice\u202Efdp.exe" reads as
  // "invoiceexe.pdf") and zero-width characters make two names look the same: both forge names.
  if (INVISIBLE.test(name)) return 'document name contains bidirectional controls or zero-width characters'
  // A lone surrogate cannot be written to disk as UTF-8 and read back as the same name.
  if (!name.isWellFormed()) return 'document name is not well-formed Unicode'
  return null
}

/** Thrown for a document name that fails `docNameProblem`. */
export class DocNameError extends Error {
  override name = 'DocNameError'
}

/**
 * The document name a WebSocket request path stands for. The official `WebsocketProvider` opens
 * `serverUrl + '/' + roomName`, without encoding the room name, so the name is everything after
 * the first `/` up to the query string, percent-decoded (browsers encode spaces and Unicode).
 * Throws `DocNameError` for undecodable escapes and invalid names.
 */
export function docNameFromPath(pathWithQuery: string): string {
  const q = pathWithQuery.indexOf('?')
  const path = q === -1 ? pathWithQuery : pathWithQuery.slice(0, q)
  let name: string
  try {
    name = decodeURIComponent(path.startsWith('/') ? path.slice(1) : path)
  } catch {
    throw new DocNameError('document name has an undecodable % escape')
  }
  const problem = docNameProblem(name)
  if (problem) throw new DocNameError(problem)
  return name
}

/** The one path segment that stands for `name` in `/api/docs/<name>` and `/d/<name>` URLs. */
export function docNameToSegment(name: string): string {
  return encodeURIComponent(name)
}
