import type { Node } from 'prosemirror-model'
import { schema } from '../schema.js'
import { checkLines } from './limits.js'

/** What an inline or block leaf stands for in plain text: a line break, an image's alt text. */
function leafText(node: Node): string {
  if (node.type === schema.nodes.hard_break) return '\n'
  if (node.type === schema.nodes.image) return typeof node.attrs.alt === 'string' ? node.attrs.alt : ''
  return ''
}

/** The document as plain text, one line per textblock (headings, paragraphs, list items, code). */
export function renderText(doc: Node): string {
  const text = doc.textBetween(0, doc.content.size, '\n', leafText)
  return text === '' ? '' : `${text}\n`
}

/**
 * A document with one paragraph per line of `text`, so `renderText(parseText(t))` gives `t` back
 * (line endings normalised to `\n`, with one final newline). Throws `ContentError` for more
 * lines than a document may have nodes.
 */
export function parseText(text: string): Node {
  checkLines(text)
  const lines = text.replace(/\r\n?/g, '\n').split('\n')
  // The newline that ends the last line does not start another one.
  if (lines.length > 1 && lines.at(-1) === '') lines.pop()
  return schema.node(
    'doc',
    null,
    lines.map((line) => schema.node('paragraph', null, line === '' ? [] : [schema.text(line)])),
  )
}
