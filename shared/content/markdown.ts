import MarkdownIt from 'markdown-it'
import { defaultMarkdownParser, defaultMarkdownSerializer, MarkdownParser, MarkdownSerializer, type MarkdownSerializerState } from 'prosemirror-markdown'
import { Fragment, type Mark, type MarkType, type Node } from 'prosemirror-model'
import { schema } from '../schema.js'
import { isSafeUrl, safeUrl } from '../urls.js'
import { checkLines } from './limits.js'

const { paragraph, hard_break: hardBreak, image, ordered_list: orderedList } = schema.nodes
const { link, em, strong, code } = schema.marks

// What CommonMark cannot hold. `renderMarkdown` writes `markdownForm(doc)`, which is what reading
// the Markdown back gives; everything else a document holds is written to be read back as it is.

/**
 * `node` as CommonMark can hold it. It has no empty paragraph (where the schema wants one, a
 * reader puts it back) and no line break at the end of a textblock; a heading of level 3 to 6 has
 * spaces for its line breaks (only setext headings, 1 and 2, span lines), and so do code spans;
 * code blocks end their lines with newlines only. Bold and italic do not start with whitespace or
 * end with whitespace or a line break: a delimiter next to one is not a delimiter, so that
 * whitespace goes outside them (it looks the same, and `**bold** text` is what Markdown looks
 * like). Unsafe links lose their mark and unsafe images are their alt text, so that the export is
 * safe to render; empty titles and alt texts are none, as Markdown cannot tell them apart.
 */
function markdownForm(node: Node): Node {
  if (node.type.spec.code) {
    // A reader takes `\r\n` and `\r` for line endings, which must each get the prefix of the
    // quote or list item around the code.
    const text = node.textContent.replace(/\r\n?/g, '\n')
    return text === node.textContent ? node : node.type.create(node.attrs, schema.text(text))
  }
  if (node.isTextblock) return node.type.create(node.attrs, inlineForm(node))
  const children: Node[] = []
  node.forEach((child) => {
    const form = markdownForm(child)
    if (form.type !== paragraph || form.childCount > 0) children.push(form)
  })
  return node.type.createAndFill(node.attrs, children)!
}

/** The inline content of `block` as CommonMark can hold it; see `markdownForm`. */
function inlineForm(block: Node): Fragment {
  let nodes: Node[] = []
  block.forEach((child) => {
    const form = safeInline(child, block)
    if (form) nodes.push(form)
  })
  while (nodes.at(-1)?.type === hardBreak) nodes.pop()
  for (const mark of [em, strong]) nodes = trimEmphasis(nodes, mark)
  return Fragment.fromArray(nodes)
}

/** `node` with only safe URLs, and as the rest of `block` can hold it; null for nothing. */
function safeInline(node: Node, block: Node): Node | null {
  const linked = link.isInSet(node.marks)
  let marks = node.marks
  if (linked && safeUrl(linked.attrs.href) === null) marks = linked.removeFromSet(marks)
  else if (linked?.attrs.title === '') marks = link.create({ ...linked.attrs, title: null }).addToSet(marks)
  if (node.type === image) {
    const alt = node.attrs.alt || null
    if (safeUrl(node.attrs.src) === null) return alt === null ? null : schema.text(alt, marks)
    return image.create({ ...node.attrs, alt, title: node.attrs.title || null }, null, marks)
  }
  if (node.type === hardBreak) {
    const breakMarks = code.removeFromSet(marks)
    return block.type === paragraph || block.attrs.level <= 2 ? hardBreak.create(null, null, breakMarks) : schema.text(' ', breakMarks)
  }
  if (code.isInSet(marks)) return schema.text(node.text!.replace(/[\n\r]/g, ' '), marks)
  return node.mark(marks)
}

/** `nodes` with each stretch of them that has `mark` (bold or italic) trimmed by `trimRun`. */
function trimEmphasis(nodes: readonly Node[], mark: MarkType): Node[] {
  const result: Node[] = []
  for (let start = 0; start < nodes.length; ) {
    let end = start
    while (end < nodes.length && mark.isInSet(nodes[end]!.marks)) end++
    if (end === start) result.push(nodes[start++]!)
    else {
      result.push(...trimRun(nodes.slice(start, end), mark))
      start = end
    }
  }
  return result
}

/**
 * `run`, every node of which has `mark`, with the mark taken off the whitespace at its start and
 * off the whitespace and line breaks at its end. Code is left alone: its backticks, not its
 * spaces, stand next to the delimiters.
 */
function trimRun(run: Node[], mark: MarkType): Node[] {
  const unmark = (node: Node) => node.mark(mark.removeFromSet(node.marks))
  const plain = (node: Node | undefined): node is Node => node?.isText === true && !code.isInSet(node.marks)
  const after: Node[] = []
  for (let last = run.at(-1); last?.type === hardBreak || (plain(last) && /\s$/.test(last.text!)); last = run.at(-1)) {
    run.pop()
    const kept = last.isText ? last.text!.trimEnd() : ''
    after.unshift(unmark(last.cut(kept.length)))
    if (kept !== '') {
      run.push(last.cut(0, kept.length))
      break
    }
  }
  const before: Node[] = []
  for (let first = run[0]; plain(first) && /^\s/.test(first.text!); first = run[0]) {
    run.shift()
    const kept = first.text!.trimStart()
    const cut = first.text!.length - kept.length
    before.push(unmark(first.cut(0, cut)))
    if (kept !== '') {
      run.unshift(first.cut(cut))
      break
    }
  }
  return [...before, ...run, ...after]
}

/**
 * `url` as a link or image destination that CommonMark reads back as exactly `url`. A reader
 * decodes backslash escapes and character references in a destination (`/a&amp;b` would be read
 * as `/a&b`, and the `javascript&colon;…` that `isSafeUrl` refuses as `javascript:…`), so `&` that
 * could start a reference and `\` are escaped, and so are parentheses and angle brackets, which
 * would end or open the destination. One that is empty or holds spaces or control characters is
 * written in `<…>`; line breaks, which nothing can escape, are written as references.
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

// Writing inline content. A textblock is first laid out as atoms, the characters of its text and
// the syntax around them; then the characters that would mean something else where they stand are
// marked to be written as character references or escaped: at the edges of a line, and next to
// bold and italic delimiters, which CommonMark takes as delimiters only by the characters around
// them (its "flanking" rules).

/** One piece of a textblock's Markdown: a character of its text, or syntax. */
interface Atom {
  /** The character (one code point), or the syntax as written. */
  readonly value: string
  readonly syntax: boolean
  /** Bold and italic syntax: its delimiter character and whether it opens. */
  readonly delimiter?: { readonly char: '*' | '_'; readonly opens: boolean }
  /** A character written as a numeric character reference: punctuation to the flanking rules, and never trimmed as whitespace. */
  reference?: boolean
  /** A character escaped with a backslash, whatever stands around it. */
  escaped?: boolean
}

const syntax = (value: string, delimiter?: Atom['delimiter']): Atom => ({ value, syntax: true, ...(delimiter && { delimiter }) })

/** The atoms of `text`: line breaks, which a paragraph's lines would lose, are references. */
const textAtoms = (text: string): Atom[] => Array.from(text, (value) => ({ value, syntax: false, reference: value === '\n' || value === '\r' }))

/** A URL that CommonMark reads as an autolink `<url>`: a scheme, then no space, control character or angle bracket. */
const AUTOLINK = /^[a-z][a-z0-9+.-]{1,31}:[^\u0000-\u0020\u007f<>]*$/i

/** A mark open while atoms are laid out, with how it closes. */
interface OpenMark {
  readonly mark: Mark
  readonly close: Atom
  /** The link's text is its URL, written `<url>` with the text as it is. */
  readonly autolink?: boolean
}

/**
 * The atoms of `block`'s inline content (in `markdownForm`). Marks nest as the syntax must: those
 * that last longest open first; one that crosses another is closed and opened again. A delimiter
 * that opens right where another closes, or inside another, uses the other character
 * (`*a*_b_`, `**a _b_**`): the first would otherwise run together with the closer into one
 * delimiter run, read by other rules, and the second, next to punctuation, could close the outer one.
 */
function inlineAtoms(block: Node): Atom[] {
  const nodes = block.children
  const atoms: Atom[] = []
  const open: OpenMark[] = []
  const extent = (mark: Mark, from: number) => {
    let to = from
    while (to < nodes.length && mark.isInSet(nodes[to]!.marks)) to++
    return to - from
  }
  nodes.forEach((node, index) => {
    const marks = code.removeFromSet(node.marks)
    let keep = 0
    while (keep < open.length && open[keep]!.mark.isInSet(marks)) keep++
    const added = marks.filter((mark) => !open.slice(0, keep).some((o) => o.mark.eq(mark)))
    // A link that ends with a line break is closed and opened again inside bold or italic that
    // opens in it and goes on past it: that would close at the start of a line, where it cannot.
    // At the start of a line this waits while it would close bold or italic too: they end before
    // the link does, and it is done then.
    const outlasted = open
      .slice(0, keep)
      .findIndex((o) => nodes[index + extent(o.mark, index) - 1]!.type === hardBreak && added.some((mark) => mark.type !== link && extent(mark, index) > extent(o.mark, index)))
    const lineStart = nodes[index - 1]?.type === hardBreak
    if (outlasted >= 0 && !(lineStart && open.slice(outlasted, keep).some((o) => o.mark.type !== link))) keep = outlasted
    while (open.length > keep) atoms.push(open.pop()!.close)
    const autolink = (mark: Mark) =>
      mark.type === link && extent(mark, index) === 1 && node.isText && !code.isInSet(node.marks) && node.text === mark.attrs.href && !mark.attrs.title && AUTOLINK.test(mark.attrs.href)
    const opening = marks
      .filter((mark) => !open.some((o) => o.mark.eq(mark)))
      .map((mark) => ({ mark, extent: extent(mark, index), autolink: autolink(mark) }))
      // Longest first; of as long, links outside (a link is not cut in two), but autolinks inside,
      // around nothing but the URL.
      .sort((a, b) => b.extent - a.extent || Number(a.autolink) - Number(b.autolink) || Number(b.mark.type === link) - Number(a.mark.type === link))
    for (const { mark, autolink } of opening) {
      if (mark.type === link) {
        atoms.push(syntax(autolink ? '<' : '['))
        open.push({ mark, autolink, close: syntax(autolink ? '>' : `](${destination(mark.attrs.href)}${titlePart(mark.attrs.title)})`) })
      } else {
        const taken = atoms.at(-1)?.delimiter?.char ?? open.find((o) => o.close.delimiter)?.close.delimiter?.char
        const char = taken === '*' ? '_' : '*'
        const run = char.repeat(mark.type === strong ? 2 : 1)
        atoms.push(syntax(run, { char, opens: true }))
        open.push({ mark, close: syntax(run, { char, opens: false }) })
      }
    }
    if (node.type === hardBreak) atoms.push(syntax('\\\n'))
    else if (node.type === image) atoms.push(syntax(`![${plainText(node.attrs.alt ?? '')}](${destination(node.attrs.src)}${titlePart(node.attrs.title)})`))
    else if (open.at(-1)?.autolink) atoms.push(syntax(node.text!))
    else if (code.isInSet(node.marks)) atoms.push(syntax(codeSpan(node.text!)))
    else atoms.push(...textAtoms(node.text!))
  })
  while (open.length > 0) atoms.push(open.pop()!.close)
  return atoms
}

/**
 * `text` as a code span: fenced by more backticks than it holds in a row, and padded with a space
 * each side when it starts or ends with a space or backtick, since a reader takes one space off
 * each side and a backtick there would join the fence. CommonMark leaves a span of only spaces
 * alone, but markdown-it, quire's reader, trims one of three spaces or more too: such a span is
 * padded for it (another renderer shows it two spaces wider).
 */
function codeSpan(text: string): string {
  const fence = '`'.repeat(Math.max(0, ...Array.from(text.matchAll(/`+/g), ([ticks]) => ticks.length)) + 1)
  const pad = /^[ `]|[ `]$/.test(text) && !/^ {1,2}$/.test(text) ? ' ' : ''
  return fence + pad + text + pad + fence
}

/** Plain `text` (an image's alt text) written to be read back as it is, away from the start of a line. */
function plainText(text: string): string {
  const atoms = textAtoms(text)
  return atoms.map((_atom, index) => written(atoms, index)).join('')
}

/**
 * Marks the characters at the edges of each line of `atoms` that would otherwise mean something
 * else. Whitespace that starts a line or ends the last one is a reference, as a reader trims it
 * (and four spaces would start code). In a paragraph (not `atx`), text that starts a line as a block
 * would (`# `, `+ `, `1. `, `1) `, `-`, `===`) has its marker escaped; `>`, `*`, `_`, `` ` ``, `~`
 * and `<` are escaped anywhere already. In an ATX heading a `#` that ends the line is escaped, or
 * it would be read as a closing sequence.
 */
function markLineEdges(atoms: Atom[], atx: boolean): void {
  for (let start = 0; start < atoms.length; ) {
    let end = start
    while (end < atoms.length && atoms[end]!.value !== '\\\n') end++
    const first = atoms[start]!
    if (!first.syntax && /\s/.test(first.value)) first.reference = true
    else if (!atx) {
      let text = ''
      let i = start
      for (; i < end && !atoms[i]!.syntax; i++) text += atoms[i]!.value
      // The end of the line counts as whitespace after a marker: `#` alone is an empty heading.
      if (i === end) text += '\n'
      const digits = /^\d{1,9}(?=[.)][ \t\n])/.exec(text)
      if (digits) atoms[start + digits[0].length]!.escaped = true
      else if (/^(?:#{1,6}[ \t\n]|\+[ \t\n]|-|=+[ \t]*\n)/.test(text)) first.escaped = true
    }
    start = end + 1
  }
  const last = atoms.at(-1)
  if (last && !last.syntax && /\s/.test(last.value)) last.reference = true
  else if (atx && last?.value === '#' && !last.syntax) last.escaped = true
}

/** What CommonMark's flanking rules take a character for: whitespace, punctuation or anything else. */
type Flank = 'space' | 'punctuation' | 'other'

/**
 * What `atom`'s character, on the side that faces a delimiter, may be taken for: by markdown-it,
 * which reads an astral character as two halves of nothing, or by a renderer of an older CommonMark,
 * where symbols (`€`, `✅`) are not punctuation and a vertical tab is not whitespace.
 */
function flanks(atom: Atom | undefined, side: 'first' | 'last'): readonly Flank[] {
  if (atom === undefined) return ['space']
  if (atom.reference) return ['punctuation']
  const char = atom.syntax ? Array.from(atom.value).at(side === 'first' ? 0 : -1)! : atom.value
  if (char === '\v') return ['space', 'other']
  if (/[\t\n\f\r\p{Zs}]/u.test(char)) return ['space']
  if (/[!-/:-@[-`{-~]/.test(char) || (/\p{P}/u.test(char) && char.length === 1)) return ['punctuation']
  if (/[\p{P}\p{S}]/u.test(char)) return ['punctuation', 'other']
  return ['other']
}

/** Whether a delimiter run between characters taken for `before` and `after` does what `delimiter` says. */
function delimits({ char, opens }: NonNullable<Atom['delimiter']>, before: Flank, after: Flank): boolean {
  const left = after !== 'space' && (after !== 'punctuation' || before !== 'other')
  const right = before !== 'space' && (before !== 'punctuation' || after !== 'other')
  if (char === '*') return opens ? left : right
  return opens ? left && (!right || before === 'punctuation') : right && (!left || after === 'punctuation')
}

/**
 * Makes every delimiter run in `atoms` open or close as laid out, by writing a character next to it
 * as a reference, which is punctuation to the flanking rules: the whitespace inside an opener or
 * closer (`*&#32;`), else the character outside one that meets punctuation (`&#97;*(`). One
 * reference can call for another; each is one more character taken as punctuation, so this ends.
 */
function fixDelimiters(atoms: Atom[]): void {
  for (let changed = true; changed; ) {
    changed = false
    for (let start = 0; start < atoms.length; start++) {
      const delimiter = atoms[start]!.delimiter
      if (!delimiter) continue
      let end = start
      while (atoms[end + 1]?.delimiter?.char === delimiter.char) end++
      const before = flanks(atoms[start - 1], 'last')
      const after = flanks(atoms[end + 1], 'first')
      if (before.some((b) => after.some((a) => !delimits(delimiter, b, a)))) {
        const inside = delimiter.opens ? end + 1 : start - 1
        const outside = delimiter.opens ? start - 1 : end + 1
        const target = atoms[(delimiter.opens ? after : before).includes('space') ? inside : outside]
        if (target && !target.syntax && !target.reference) changed = target.reference = true
      }
      start = end
    }
  }
}

/**
 * Atom `index` of `atoms` as written. Text is escaped where CommonMark would read it as syntax:
 * `\`, `` ` ``, `*`, `[`, `]`, `~`, and `<`, `>` and `&` (so that no text is ever HTML or a
 * character reference), `_` unless between letters or digits (where it cannot be a delimiter), and
 * `!` before a link, which would make it an image.
 */
function written(atoms: readonly Atom[], index: number): string {
  const atom = atoms[index]!
  if (atom.syntax) return atom.value
  if (atom.reference) return `&#${atom.value.codePointAt(0)};`
  const escaped =
    atom.escaped ||
    /[\\`*[\]~<>&]/.test(atom.value) ||
    (atom.value === '_' && !(isWord(atoms[index - 1]) && isWord(atoms[index + 1]))) ||
    (atom.value === '!' && atoms[index + 1]?.syntax === true && atoms[index + 1]!.value === '[')
  return escaped ? `\\${atom.value}` : atom.value
}

/** Whether `atom` is a letter or digit written as itself. */
const isWord = (atom: Atom | undefined) => atom !== undefined && !atom.syntax && !atom.reference && /[\p{L}\p{N}]/u.test(atom.value)

/** The inline content of `block` (in `markdownForm`) as Markdown, its lines apart at its line breaks. */
function inlineMarkdown(block: Node, atx: boolean): string {
  const atoms = inlineAtoms(block)
  markLineEdges(atoms, atx)
  fixDelimiters(atoms)
  return atoms.map((_atom, index) => written(atoms, index)).join('')
}

/** How many blocks of `node`'s type come right before it, so that lists in a row can take turns with their markers. */
function sameTypeBefore(node: Node, parent: Node, index: number): number {
  let count = 0
  while (index - count > 0 && parent.child(index - count - 1).type === node.type) count++
  return count
}

/**
 * Writes `list` as prosemirror-markdown does, but apart from a paragraph before it by a blank line
 * when it could not interrupt one: an ordered list that starts at another number than 1, or a list
 * whose first item starts with an empty paragraph, would be read as more of the paragraph's text.
 */
function writeList(state: MarkdownSerializerState, list: Node, parent: Node, index: number, delim: string, marker: (index: number) => string): void {
  const interrupts = (list.type !== orderedList || list.attrs.order === 1) && list.firstChild!.firstChild!.childCount > 0
  // Writing nothing ends the paragraph with a blank line, which a tight list leaves out.
  if (index > 0 && parent.child(index - 1).type === paragraph && !interrupts) state.write()
  state.renderList(list, delim, marker)
}

// prosemirror-markdown's serializer writes the blocks: quotes, code, rules and list items as it
// does; lists as it does, but with markers that take turns (`*` and `-`, `.` and `)`) in a row of
// lists of one type, which CommonMark would read as one list; paragraphs and headings with quire's
// own inline writing (above) instead of its escaping, which let text be read as syntax.
const serializer = new MarkdownSerializer(
  {
    blockquote: defaultMarkdownSerializer.nodes.blockquote!,
    code_block: defaultMarkdownSerializer.nodes.code_block!,
    horizontal_rule: defaultMarkdownSerializer.nodes.horizontal_rule!,
    list_item: defaultMarkdownSerializer.nodes.list_item!,
    paragraph(state, node) {
      // An empty paragraph (one the schema requires: see `markdownForm`) ends the line of its
      // list item's marker, so the blocks after it start on the next: `- ---` would be one rule.
      if (node.childCount === 0) state.ensureNewLine()
      else {
        state.text(inlineMarkdown(node, false), false)
        state.closeBlock(node)
      }
    },
    heading(state, node) {
      const { level } = node.attrs
      // Only a setext heading (levels 1 and 2) can span lines.
      if (node.children.some((child) => child.type === hardBreak)) state.text(`${inlineMarkdown(node, false)}\n${level === 1 ? '===' : '---'}`, false)
      else {
        state.write(`${'#'.repeat(level)} `)
        state.text(inlineMarkdown(node, true), false)
      }
      state.closeBlock(node)
    },
    bullet_list(state, node, parent, index) {
      const marker = sameTypeBefore(node, parent, index) % 2 === 0 ? '* ' : '- '
      writeList(state, node, parent, index, '  ', () => marker)
    },
    ordered_list(state, node, parent, index) {
      const delimiter = sameTypeBefore(node, parent, index) % 2 === 0 ? '.' : ')'
      const start: number = node.attrs.order
      const width = String(start + node.childCount - 1).length
      writeList(state, node, parent, index, ' '.repeat(width + 2), (i) => `${String(start + i).padStart(width)}${delimiter} `)
    },
  },
  {},
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
  // markdown-it gives a start only when it is not 1; a list may start at 0.
  ordered_list: { block: 'ordered_list', getAttrs: (tok) => ({ order: Number(tok.attrGet('start') ?? 1) }) },
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
 * The document as CommonMark, which reads back as the same document as far as CommonMark can hold
 * it (`markdownForm`): text is never syntax, HTML or an entity, links and images with unsafe URLs
 * are written as their text and URLs are read back as stored, so the export is safe to render.
 */
export function renderMarkdown(doc: Node): string {
  const form = markdownForm(doc)
  const groups: string[] = []
  let blocks: Node[] = []
  form.forEach((block, _offset, index) => {
    blocks.push(block)
    const next = index + 1 < form.childCount ? form.child(index + 1) : null
    // Two lists of one type in a row take turns with their markers, which only a serializer that
    // sees both does: they stay in one group.
    if (next === null || (blocks.length >= BLOCKS_PER_GROUP && !(isList(block) && next.type === block.type))) {
      // quire's list nodes have no `tight` attribute; tight lists are what the editor shows.
      // An empty list item last ends with the line break that ends its marker's line.
      groups.push(serializer.serialize(form.copy(Fragment.fromArray(blocks)), { tightLists: true }).replace(/\n+$/, ''))
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
