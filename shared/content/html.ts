import { createRequire } from 'node:module'
import { DOMParser, DOMSerializer, type Node } from 'prosemirror-model'
import { schema } from '../schema.js'
import { checkTree } from './limits.js'

// HTML goes through ProseMirror's own DOMParser and DOMSerializer, driven by the schema's
// parseDOM/toDOM rules (which already refuse unsafe URLs), so the editor and every export agree
// on what each tag means. The server has no DOM, so linkedom supplies one: it is small, pure
// JavaScript (fine in `shared/`) and enough for these two walks. The final string is written
// here, not by the DOM, because the escaping of output is the part that must not be left to chance.

/**
 * linkedom's `parseHTML`, required on the first HTML render or import rather than at startup: it
 * is the largest package the server has (about 13 MiB of RSS) and most servers never use it.
 * Its CommonJS build is safe to mix in, as it shares no classes with the ESM modules here.
 */
let parseHTMLOnce: typeof import('linkedom').parseHTML | undefined
function parseHTML(html: string): ReturnType<typeof import('linkedom').parseHTML> {
  parseHTMLOnce ??= (createRequire(import.meta.url)('linkedom') as typeof import('linkedom')).parseHTML
  return parseHTMLOnce(html)
}

/** A fresh, empty DOM document to build into; never shared, so concurrent renders can't interfere. */
function emptyDocument(): Document {
  // reason: linkedom's Document implements the DOM subset used here but is typed on its own.
  return parseHTML('<!doctype html><html><head></head><body></body></html>').document as unknown as Document
}

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
    const attrs = Array.from(el.attributes, (a) => ` ${a.name}="${escapeAttribute(a.value)}"`).join('')
    if (VOID.has(tag)) return `<${tag}${attrs}>`
    return `<${tag}${attrs}>${Array.from(el.childNodes, markup).join('')}</${tag}>`
  }
  // Nothing else (comments, processing instructions) comes out of DOMSerializer.
  return ''
}

/**
 * The document as an HTML fragment (no `<html>` wrapper): every text and attribute value is
 * escaped, and links and images carry only safe URLs (the schema's `toDOM` drops the rest).
 */
export function renderHtml(doc: Node): string {
  const fragment = DOMSerializer.fromSchema(schema).serializeFragment(doc.content, { document: emptyDocument() })
  // One top-level block per line: readable diffs of exports, and the same meaning to any parser.
  return Array.from(fragment.childNodes, (block) => `${markup(block)}\n`).join('')
}

/**
 * A document from an HTML fragment or a whole page (only its body counts). Scripts, styles and
 * unknown tags are dropped, keeping the text they wrap; unsafe link and image URLs are refused.
 * Throws `ContentError` for a page nested or sized beyond the import limits.
 */
export function parseHtml(html: string): Node {
  // linkedom's parser is lenient rather than spec-complete: it finds `<body>` only in a page that
  // has an `<html>` element, so anything else is placed in one.
  const page = /<html[\s>]/i.test(html) ? html : `<!doctype html><html><head></head><body>${html}</body></html>`
  // reason: linkedom's Document implements the DOM subset used here but is typed on its own.
  const { document } = parseHTML(page) as unknown as { document: Document }
  // ProseMirror's DOMParser recurses: the DOM is checked first.
  checkTree<globalThis.Node>(document.body, (node) => node.childNodes)
  return DOMParser.fromSchema(schema).parse(document.body)
}
