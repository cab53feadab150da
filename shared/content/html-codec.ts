import { DOMParser, DOMSerializer, type Node } from 'prosemirror-model'
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
      return DOMParser.fromSchema(schema).parse(body)
    },
  }
}
