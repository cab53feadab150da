import MarkdownIt from 'markdown-it'
import type { Node } from 'prosemirror-model'
import { defaultMarkdownParser, defaultMarkdownSerializer, MarkdownParser, MarkdownSerializer } from 'prosemirror-markdown'
import { schema } from '../schema.js'
import { isSafeUrl, safeUrl } from '../urls.js'

type MarkPart = MarkdownSerializer['marks'][string]['open']

/** A link mark's open or close string, or nothing when its URL is unsafe, so only its text is written. */
function unlessUnsafe(part: MarkPart): MarkPart {
  return (state, mark, parent, index) => {
    if (safeUrl(mark.attrs.href) === null) return ''
    return typeof part === 'string' ? part : part(state, mark, parent, index)
  }
}

const baseLink = defaultMarkdownSerializer.marks.link!
const baseImage = defaultMarkdownSerializer.nodes.image!

// prosemirror-markdown's serializer works by node and mark names, which quire's schema shares with
// its own; what changes is that a document written by any peer can hold unsafe URLs, and Markdown
// is rendered into live links downstream, so those are written as plain text. Text is escaped
// beyond prosemirror-markdown's own Markdown punctuation: `<` and `>` so that text that looks like
// HTML (`<script>`) is never raw HTML to a renderer, and `&` so that text like `&amp;` is not read
// back as an entity. The same escaping covers link text and image alt text.
const serializer = new MarkdownSerializer(
  {
    ...defaultMarkdownSerializer.nodes,
    image(state, node, parent, index) {
      if (safeUrl(node.attrs.src) === null) state.text(typeof node.attrs.alt === 'string' ? node.attrs.alt : '')
      else baseImage(state, node, parent, index)
    },
  },
  {
    ...defaultMarkdownSerializer.marks,
    link: { ...baseLink, open: unlessUnsafe(baseLink.open), close: unlessUnsafe(baseLink.close) },
  },
  { escapeExtraCharacters: /[<>&]/g },
)

const tokenizer = MarkdownIt('commonmark', { html: false })
// A `[text](javascript:...)` link stays literal text instead of becoming a link mark.
tokenizer.validateLink = isSafeUrl

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
 * The document as CommonMark; links and images with unsafe URLs are written as their text, and
 * text never becomes HTML or an entity, so the export is safe to render and reads back as it was.
 */
export function renderMarkdown(doc: Node): string {
  // quire's list nodes have no `tight` attribute; tight lists are what the editor shows.
  const text = serializer.serialize(doc, { tightLists: true })
  return text === '' ? '' : `${text}\n`
}

/** A document from CommonMark. Raw HTML stays literal text and unsafe link URLs are not linked. */
export function parseMarkdown(text: string): Node {
  return parser.parse(text)
}
