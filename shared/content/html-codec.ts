import { DOMParser, DOMSerializer, type Node, type ParseOptions, type Slice } from 'prosemirror-model'
import { schema } from '../schema.js'
import { checkTree } from './limits.js'

// HTML goes through ProseMirror's own DOMParser and DOMSerializer, driven by the schema's
// parseDOM/toDOM rules (which already refuse unsafe URLs), so the editor and every export agree
// on what each tag means. Both walks need a DOM: the browser has one, the server borrows linkedom
// (`html.ts`), so the DOM is passed in and this file runs on either side. The final string is
// written here, not by the DOM, because the escaping of output is the part that must not be left
// to chance.

/**
 * Reads an HTML page or fragment into a fresh DOM document, with the content in its `<body>`.
 * Never shared between calls, so concurrent renders can't interfere.
 */
export type PageParser = (html: string) => Document

/** Render and parse for one DOM implementation. */
export interface HtmlCodec {
  /**
   * The document as an HTML fragment (no `<html>` wrapper): every text and attribute value is
   * escaped, and links and images carry only safe URLs (the schema's `toDOM` drops the rest).
   */
  render(doc: Node): string
  /**
   * A document from an HTML fragment or a whole page (only its body counts). Scripts, styles and
   * unknown tags are dropped, keeping the text they wrap; unsafe link and image URLs are refused.
   * Throws `ContentError` for a page nested or sized beyond the import limits.
   */
  parse(html: string): Node
}

const EMPTY_PAGE = '<!doctype html><html><head></head><body></body></html>'

const VOID = new Set(['br', 'hr', 'img'])

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

function escapeAttribute(value: string): string {
  return escapeText(value).replace(/"/g, '&quot;')
}

/** Markup for a DOM subtree made by `DOMSerializer`, which holds only elements, attributes and text. */
function markup(node: globalThis.Node): string {
  if (node.nodeType === 3) return escapeText(node.textContent ?? '')
  if (node.nodeType === 1) {
    const el = node as Element
    const tag = el.tagName.toLowerCase()
    // Sorted by name: DOMs keep attributes in different orders (linkedom puts `rel` first), and the
    // server's and the editor's HTML must be the same text.
    const attrs = Array.from(el.attributes, (a) => ` ${a.name}="${escapeAttribute(a.value)}"`)
      .sort()
      .join('')
    if (VOID.has(tag)) return `<${tag}${attrs}>`
    return `<${tag}${attrs}>${Array.from(el.childNodes, markup).join('')}</${tag}>`
  }
  // Nothing else (comments, processing instructions) comes out of DOMSerializer.
  return ''
}

// Elements that make lines in a table cell; their content runs together, a space apart.
const CELL_BLOCKS = new Set([
  'address',
  'article',
  'blockquote',
  'dd',
  'div',
  'dl',
  'dt',
  'figcaption',
  'figure',
  'footer',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'li',
  'ol',
  'p',
  'pre',
  'section',
  'ul',
])

/** What separates the cells of a row: collapsed whitespace would lose a tab, and `|` reads as a column. */
const CELL_SEPARATOR = ' | '

/** `container`'s children, with block elements (and those inside them) opened up into inline content. */
function inlineContent(container: Element): globalThis.Node[] {
  const nodes: globalThis.Node[] = []
  for (const child of Array.from(container.childNodes)) {
    if (child.nodeType !== 1 || !CELL_BLOCKS.has((child as Element).tagName.toLowerCase())) nodes.push(child)
    else {
      if (nodes.length > 0) nodes.push(container.ownerDocument.createTextNode(' '))
      nodes.push(...inlineContent(child as Element))
    }
  }
  return nodes
}

/**
 * Rewrites every table under `root` as paragraphs, one per row (and one for a caption), the cells'
 * content separated by `CELL_SEPARATOR`. The schema has no tables, and ProseMirror's parser reads
 * cells as inline content, which glued a whole table into one paragraph ("c1c2c3c4"). Innermost
 * tables go first, so a table in a cell becomes text in that cell.
 */
function tablesToRows(root: globalThis.Node): void {
  if (!('querySelectorAll' in root)) return
  for (const table of Array.from((root as ParentNode).querySelectorAll('table')).reverse()) {
    const line = (cells: Element[]): Element => {
      const paragraph = table.ownerDocument.createElement('p')
      for (const [i, cell] of cells.entries()) paragraph.append(...(i > 0 ? [CELL_SEPARATOR] : []), ...inlineContent(cell))
      return paragraph
    }
    const captions = Array.from(table.querySelectorAll('caption'), (caption) => line([caption]))
    const rows = Array.from(table.querySelectorAll('tr'), (row) => line(Array.from(row.children).filter((cell) => /^t[dh]$/i.test(cell.tagName))))
    table.replaceWith(...captions, ...rows)
  }
}

/** ProseMirror's parser with the schema's rules, reading tables as `tablesToRows` writes them. */
class QuireDOMParser extends DOMParser {
  override parse(dom: globalThis.Node, options?: ParseOptions): Node {
    tablesToRows(dom)
    return super.parse(dom, options)
  }

  override parseSlice(dom: globalThis.Node, options?: ParseOptions): Slice {
    tablesToRows(dom)
    return super.parseSlice(dom, options)
  }
}

/**
 * How quire reads HTML into its schema, for an import and for the editor's paste and drop alike, so
 * the same HTML comes in the same way. It changes the DOM it is given (tables become paragraphs).
 */
export const htmlParser: DOMParser = new QuireDOMParser(schema, DOMParser.fromSchema(schema).rules)

/** The HTML format over the DOM that `parsePage` builds. */
export function htmlCodec(parsePage: PageParser): HtmlCodec {
  return {
    render(doc) {
      const fragment = DOMSerializer.fromSchema(schema).serializeFragment(doc.content, { document: parsePage(EMPTY_PAGE) })
      // One top-level block per line: readable diffs of exports, and the same meaning to any parser.
      return Array.from(fragment.childNodes, (block) => `${markup(block)}\n`).join('')
    },
    parse(html) {
      const { body } = parsePage(html)
      // ProseMirror's DOMParser recurses: the DOM is checked first.
      checkTree<globalThis.Node>(body, (node) => node.childNodes)
      return htmlParser.parse(body)
    },
  }
}
