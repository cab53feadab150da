/**
 * The format catalog: every format's name, MIME type and file endings, without its parser and
 * renderer. Argument checks, `Content-Type` headers and file-type guesses need only this, so the
 * CLI and the server start without loading markdown-it, prosemirror-markdown and the rest of the
 * content stack (`formats.ts`), which they load with the first render or import.
 */

/** Every format name, in the order help texts list them. */
export const FORMAT_NAMES = ['text', 'markdown', 'html', 'json'] as const

/** The name of a registered format. */
export type FormatName = (typeof FORMAT_NAMES)[number]

/** The format used when a request or command names none: readable as it is, and lossless for quire's schema. */
export const DEFAULT_FORMAT: FormatName = 'markdown'

/** What is known of a format before its code is loaded. */
export interface FormatFile {
  readonly name: FormatName
  /** `Content-Type` of a rendered document. */
  readonly mime: string
  /** File name endings (lower case, with the dot) that import reads as this format; the first is export's. */
  readonly extensions: readonly string[]
}

/** The one table of formats' names, types and endings; `FORMATS` adds their code to each. */
export const FORMAT_FILES: Readonly<Record<FormatName, FormatFile>> = {
  text: { name: 'text', mime: 'text/plain; charset=utf-8', extensions: ['.txt'] },
  markdown: { name: 'markdown', mime: 'text/markdown; charset=utf-8', extensions: ['.md', '.markdown'] },
  html: { name: 'html', mime: 'text/html; charset=utf-8', extensions: ['.html', '.htm'] },
  json: { name: 'json', mime: 'application/json; charset=utf-8', extensions: ['.json'] },
}

/** Whether `name` is a registered format, for checking `--format` and `?format=` input. */
export function isFormatName(name: string): name is FormatName {
  return (FORMAT_NAMES as readonly string[]).includes(name)
}

/** The format a file is read as, by its name's ending (case-insensitive), or `null` if none fits. */
export function formatOfFile(fileName: string): FormatFile | null {
  const lower = fileName.toLowerCase()
  return Object.values(FORMAT_FILES).find((f) => f.extensions.some((ext) => lower.endsWith(ext))) ?? null
}
