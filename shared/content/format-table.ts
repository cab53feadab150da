import { Node } from 'prosemirror-model'
import { schema } from '../schema.js'
import type { HtmlCodec } from './html-codec.js'
import { parseMarkdown, renderMarkdown } from './markdown.js'
import { parseText, renderText } from './text.js'

// The format table without a DOM of its own: HTML needs one, and the server (linkedom) and the
// browser (DOMParser) bring different ones, so each side builds its table from this file with its
// own HTML codec. `formats.ts` is the server's table; `editor/content.ts` the editor's.

/** A way to write a document down and read it back: what `--format`, `?format=` and import speak. */
export interface Format {
  readonly name: FormatName
  /** `Content-Type` of a rendered document. */
  readonly mime: string
  /** File name endings (lower case, with the dot) that import reads as this format; the first is export's. */
  readonly extensions: readonly string[]
  render(doc: Node): string
  /** Throws `ContentError` for input that is not this format (only JSON can fail). */
  parse(text: string): Node
}

/** Every format name, in the order help texts list them. */
export const FORMAT_NAMES = ['text', 'markdown', 'html', 'json'] as const

/** The name of a registered format. */
export type FormatName = (typeof FORMAT_NAMES)[number]

/** The format used when a request or command names none: readable as it is, and lossless for quire's schema. */
export const DEFAULT_FORMAT: FormatName = 'markdown'

/** Content that could not be read as the format it claimed to be; the message says why. */
export class ContentError extends Error {
  override name = 'ContentError'
}

function renderJson(doc: Node): string {
  // ProseMirror leaves `content` out of an empty node; the API promises `{"type":"doc","content":[...]}`.
  return `${JSON.stringify({ content: [], ...doc.toJSON() }, null, 2)}\n`
}

function parseJson(text: string): Node {
  try {
    const doc = Node.fromJSON(schema, JSON.parse(text))
    if (doc.type !== schema.topNodeType) throw new Error(`top node is ${doc.type.name}, not doc`)
    // Each block is checked, but not the doc's own content rule (at least one block), so that the
    // empty doc an unwritten document renders as can be read back.
    doc.forEach((block) => block.check())
    return doc
  } catch (error) {
    throw new ContentError(`not a quire JSON document: ${(error as Error).message}`, { cause: error })
  }
}

/** Whether `name` is a registered format, for checking `--format` and `?format=` input. */
export function isFormatName(name: string): name is FormatName {
  return (FORMAT_NAMES as readonly string[]).includes(name)
}

/**
 * The format table, with HTML read and written through `html`: the only place a format is
 * registered. The CLI's choices, the API's `?format=` values, import's file types and the editor's
 * `getContent`/`setContent` all come from here.
 */
export function formatTable(html: HtmlCodec): Readonly<Record<FormatName, Format>> {
  return {
    text: { name: 'text', mime: 'text/plain; charset=utf-8', extensions: ['.txt'], render: renderText, parse: parseText },
    markdown: {
      name: 'markdown',
      mime: 'text/markdown; charset=utf-8',
      extensions: ['.md', '.markdown'],
      render: renderMarkdown,
      parse: parseMarkdown,
    },
    html: { name: 'html', mime: 'text/html; charset=utf-8', extensions: ['.html', '.htm'], render: html.render, parse: html.parse },
    json: { name: 'json', mime: 'application/json; charset=utf-8', extensions: ['.json'], render: renderJson, parse: parseJson },
  }
}
