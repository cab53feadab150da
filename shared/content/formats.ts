import { Node } from 'prosemirror-model'
import { schema } from '../schema.js'
import { parseHtml, renderHtml } from './html.js'
import { ContentError, checkTree } from './limits.js'
import { parseMarkdown, renderMarkdown } from './markdown.js'
import { parseText, renderText } from './text.js'

/** A way to write a document down and read it back: what `--format`, `?format=` and import speak. */
export interface Format {
  readonly name: FormatName
  /** `Content-Type` of a rendered document. */
  readonly mime: string
  /** File name endings (lower case, with the dot) that import reads as this format; the first is export's. */
  readonly extensions: readonly string[]
  render(doc: Node): string
  /** Throws `ContentError` for input that is not this format (only JSON can fail) or is over the import limits. */
  parse(text: string): Node
}

/** Every format name, in the order help texts list them. */
export const FORMAT_NAMES = ['text', 'markdown', 'html', 'json'] as const

/** The name of a registered format. */
export type FormatName = (typeof FORMAT_NAMES)[number]

/** The format used when a request or command names none: readable as it is, and lossless for quire's schema. */
export const DEFAULT_FORMAT: FormatName = 'markdown'

export { ContentError } from './limits.js'

function renderJson(doc: Node): string {
  // ProseMirror leaves `content` out of an empty node; the API promises `{"type":"doc","content":[...]}`.
  return `${JSON.stringify({ content: [], ...doc.toJSON() }, null, 2)}\n`
}

/** The children of a node in ProseMirror's JSON form, for walking it before it is built. */
function jsonChildren(node: unknown): unknown[] {
  const content = typeof node === 'object' && node !== null ? (node as { content?: unknown }).content : undefined
  return Array.isArray(content) ? content : []
}

function parseJson(text: string): Node {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new ContentError(`not a quire JSON document: ${(error as Error).message}`, { cause: error })
  }
  // Node.fromJSON recurses: its input is checked first.
  checkTree(json, jsonChildren)
  try {
    const doc = Node.fromJSON(schema, json)
    if (doc.type !== schema.topNodeType) throw new Error(`top node is ${doc.type.name}, not doc`)
    // Each block is checked, but not the doc's own content rule (at least one block), so that the
    // empty doc an unwritten document renders as can be read back.
    doc.forEach((block) => block.check())
    return doc
  } catch (error) {
    throw new ContentError(`not a quire JSON document: ${(error as Error).message}`, { cause: error })
  }
}

/**
 * The format table: the only place a format is registered. The CLI's choices, the API's
 * `?format=` values and import's file types all come from here.
 */
export const FORMATS: Readonly<Record<FormatName, Format>> = {
  text: { name: 'text', mime: 'text/plain; charset=utf-8', extensions: ['.txt'], render: renderText, parse: parseText },
  markdown: {
    name: 'markdown',
    mime: 'text/markdown; charset=utf-8',
    extensions: ['.md', '.markdown'],
    render: renderMarkdown,
    parse: parseMarkdown,
  },
  html: { name: 'html', mime: 'text/html; charset=utf-8', extensions: ['.html', '.htm'], render: renderHtml, parse: parseHtml },
  json: { name: 'json', mime: 'application/json; charset=utf-8', extensions: ['.json'], render: renderJson, parse: parseJson },
}

/** Whether `name` is a registered format, for checking `--format` and `?format=` input. */
export function isFormatName(name: string): name is FormatName {
  return (FORMAT_NAMES as readonly string[]).includes(name)
}

/** The format a file is read as, by its name's ending (case-insensitive), or `null` if none fits. */
export function formatOfFile(fileName: string): Format | null {
  const lower = fileName.toLowerCase()
  return Object.values(FORMATS).find((f) => f.extensions.some((ext) => lower.endsWith(ext))) ?? null
}
