import { Node } from 'prosemirror-model'
import { checkDocument, schema } from '../schema.js'
import { FORMAT_FILES, type FormatFile, type FormatName } from './catalog.js'
import type { HtmlCodec } from './html-codec.js'
import { ContentError, checkTree } from './limits.js'
import { parseMarkdown, renderMarkdown } from './markdown.js'
import { parseText, renderText } from './text.js'

// The format table without a DOM of its own: HTML needs one, and the server (linkedom) and the
// browser (DOMParser) bring different ones, so each side builds its table from this file with its
// own HTML codec. `formats.ts` is the server's table; `editor/content.ts` the editor's.

/** A way to write a document down and read it back: what `--format`, `?format=` and import speak. */
export interface Format extends FormatFile {
  render(doc: Node): string
  /** Throws `ContentError` for input that is not this format (only JSON can fail) or is over the import limits. */
  parse(text: string): Node
}

function renderJson(doc: Node): string {
  // ProseMirror leaves `content` out of an empty node; the API promises `{"type":"doc","content":[...]}`.
  return `${JSON.stringify({ content: [], ...doc.toJSON() }, null, 2)}\n`
}

/** The children of a node in ProseMirror's JSON form, for walking it before it is built. */
function jsonChildren(node: unknown): unknown[] {
  const content = typeof node === 'object' && node !== null ? (node as { content?: unknown }).content : undefined
  return Array.isArray(content) ? content : []
}

/**
 * What `JSON.parse` found wrong with `text`, in one line: V8's message quotes the text around the
 * mistake, line breaks and all, so the quote is left out, and a position becomes line and column.
 */
function syntaxProblem(text: string, error: Error): string {
  const what = error.message.replace(/, (\.\.\.)?".*"(\.\.\.)? is not valid JSON$/s, '').replace(/ (in JSON )?at position \d+.*$/s, '')
  const at = / at position (\d+)/.exec(error.message)
  const before = at ? text.slice(0, Number(at[1])) : null
  const where = before === null ? '' : ` at line ${before.split('\n').length}, column ${before.length - before.lastIndexOf('\n')}`
  return `${what.charAt(0).toLowerCase()}${what.slice(1)}${where}`
}

function parseJson(text: string): Node {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new ContentError(`not a quire JSON document: ${syntaxProblem(text, error as Error)}`, { cause: error })
  }
  // Node.fromJSON recurses: its input is checked first.
  checkTree(json, jsonChildren)
  try {
    const doc = Node.fromJSON(schema, json)
    if (doc.type !== schema.topNodeType) throw new Error(`top node is ${doc.type.name}, not doc`)
    checkDocument(doc)
    return doc
  } catch (error) {
    throw new ContentError(`not a quire JSON document: ${(error as Error).message}`, { cause: error })
  }
}

/**
 * The format table: each format of the catalog (`catalog.ts`, where a format is registered) with
 * its renderer and parser, HTML read and written through `html`. The CLI, the API and the editor's
 * `getContent`/`setContent` all render and parse through a table made here.
 */
export function formatTable(html: HtmlCodec): Readonly<Record<FormatName, Format>> {
  return {
    text: { ...FORMAT_FILES.text, render: renderText, parse: parseText },
    markdown: { ...FORMAT_FILES.markdown, render: renderMarkdown, parse: parseMarkdown },
    html: { ...FORMAT_FILES.html, render: html.render, parse: html.parse },
    json: { ...FORMAT_FILES.json, render: renderJson, parse: parseJson },
  }
}
