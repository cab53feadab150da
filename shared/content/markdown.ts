import MarkdownIt from 'markdown-it'
import { defaultMarkdownParser, defaultMarkdownSerializer, MarkdownParser, MarkdownSerializer } from 'prosemirror-markdown'
import { Fragment, type Node } from 'prosemirror-model'
import { schema } from '../schema.js'
import { isSafeUrl, safeUrl } from '../urls.js'
import { checkLines } from './limits.js'

type MarkPart = MarkdownSerializer['marks'][string]['open']

/** A link mark's open or close string, or nothing when its URL is unsafe, so only its text is written. */
function unlessUnsafe(part: MarkPart): MarkPart {
  return (state, mark, parent, index) => {
    if (safeUrl(mark.attrs.href) === null) return ''
    return typeof part === 'string' ? part : part(state, mark, parent, index)
  }
}

/**
 * `url` as a link or image destination that CommonMark reads back as exactly `url`. A reader
 * decodes backslash escapes and character references in a destination, so a stored
 * `javascript&colon;…` (a harmless relative URL) written as it is would be read as
 * `javascript:…`: `&` that could start a reference and `\\` are escaped, and so are parentheses and
 * angle brackets, which would end or open the destination. One with spaces or control characters
 * is written in `<…>`, where line breaks, which nothing can escape, are written as references.
 */
function destination(url: string): string {
  const escaped = escapeUrlText(url, /[\\()<>]|&(?=#|[a-z0-9]+;)/gi)
  return url === '' || /[\u0000-\u0020\u007f]/.test(url) ? `<${escaped}>` : escaped
}

/** `title` as a link or image title (with the space before it) that CommonMark reads back as exactly `title`; nothing when there is none. */
function titlePart(title: unknown): string {
  return typeof title === 'string' && title !== '' ? ` "${escapeUrlText(title, /["\\]|&(?=#|[a-z0-9]+;)/gi)}"` : ''
}

/** `text` with what `special` matches backslash-escaped and line breaks as character references. */
function escapeUrlText(text: string, special: RegExp): string {
  return text.replace(special, '\\$&').replace(/[\n\r]/g, (br) => `&#${br.charCodeAt(0)};`)
}

// prosemirror-markdown's serializer works by node and mark names, which quire's schema shares with
// its own; what changes is that a document written by any peer can hold unsafe URLs, and Markdown
// is rendered into live links downstream, so those are written as plain text, and that safe URLs
// and titles are written to be read back as they are (`destination`). Links are always written as
// `[text](url)`: prosemirror-markdown writes a link whose text is its URL as `<url>`, with the text
// unescaped, which is raw HTML to a renderer when the URL holds a tag. Text is escaped beyond
// prosemirror-markdown's own Markdown punctuation: `<` and `>` so that text that looks like HTML
// (`<script>`) is never raw HTML to a renderer, and `&` so that text like `&amp;` is not read back
// as an entity. The same escaping covers link text and image alt text.
const serializer = new MarkdownSerializer(
  {
    ...defaultMarkdownSerializer.nodes,
    image(state, node) {
      const alt = typeof node.attrs.alt === 'string' ? node.attrs.alt : ''
      if (safeUrl(node.attrs.src) === null) state.text(alt)
      else state.write(`![${state.esc(alt)}](${destination(node.attrs.src)}${titlePart(node.attrs.title)})`)
    },
  },
  {
    ...defaultMarkdownSerializer.marks,
    link: {
      open: unlessUnsafe('['),
      close: unlessUnsafe((_state, mark) => `](${destination(mark.attrs.href)}${titlePart(mark.attrs.title)})`),
      mixable: true,
    },
  },
  { escapeExtraCharacters: /[<>&]/g },
)

const tokenizer = MarkdownIt('commonmark', { html: false })
// A `[text](javascript:...)` link stays literal text instead of becoming a link mark.
tokenizer.validateLink = isSafeUrl
// markdown-it percent-encodes URLs (`a b` becomes `a%20b`) and punycodes host names; quire keeps a
// URL as the Markdown spells it, so that links read back as they were written.
tokenizer.normalizeLink = (url) => url
tokenizer.normalizeLinkText = (url) => url

const base = defaultMarkdownParser.tokens
// prosemirror-markdown's own token table, minus the attributes its schema has and quire's lacks
// (`tight` on lists, `params` on code blocks), and with an image's alt text read from all of its
// inline tokens: prosemirror-markdown keeps only the first, which cuts an escaped `\<` short.
const parser = new MarkdownParser(schema, tokenizer, {
  ...base,
  image: {
    node: 'image',
    getAttrs: (tok) => ({ src: tok.attrGet('src'), title: tok.attrGet('title') || null, alt: tok.children?.map((child) => child.content).join('') || null }),
  },
  bullet_list: { block: 'bullet_list' },
  ordered_list: { block: 'ordered_list', getAttrs: (tok) => ({ order: Number(tok.attrGet('start')) || 1 }) },
  fence: { block: 'code_block', noCloseToken: true },
})

/**
 * Top-level blocks serialized at once. prosemirror-markdown appends to one string and reads its
 * last character after each piece, which makes V8 flatten the whole string every time: rendering
 * is quadratic in the document (10,000 paragraphs took 18 s). Groups of blocks keep each string short.
 */
const BLOCKS_PER_GROUP = 200

const isList = (node: Node) => node.type === schema.nodes.bullet_list || node.type === schema.nodes.ordered_list

/**
 * The document as CommonMark; links and images with unsafe URLs are written as their text, and
 * text never becomes HTML or an entity, so the export is safe to render and reads back as it was.
 */
export function renderMarkdown(doc: Node): string {
  const groups: string[] = []
  let blocks: Node[] = []
  doc.forEach((block, _offset, index) => {
    blocks.push(block)
    const next = index + 1 < doc.childCount ? doc.child(index + 1) : null
    // Two lists of one type in a row are set apart by an extra blank line, which only a
    // serializer that sees both writes: they stay in one group.
    if (next === null || (blocks.length >= BLOCKS_PER_GROUP && !(isList(block) && next.type === block.type))) {
      // quire's list nodes have no `tight` attribute; tight lists are what the editor shows.
      groups.push(serializer.serialize(doc.copy(Fragment.fromArray(blocks)), { tightLists: true }))
      blocks = []
    }
  })
  // Between top-level blocks the serializer writes one blank line.
  const text = groups.join('\n\n')
  return text === '' ? '' : `${text}\n`
}

/** A document from CommonMark. Raw HTML stays literal text and unsafe link URLs are not linked. */
export function parseMarkdown(text: string): Node {
  // markdown-it caps nesting itself (commonmark's maxNesting); the number of blocks is capped here.
  checkLines(text)
  return parser.parse(text)
}
