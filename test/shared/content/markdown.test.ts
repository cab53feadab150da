import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import MarkdownIt from 'markdown-it'
import { Fragment, type Mark, type Node } from 'prosemirror-model'
import { describe, expect, it } from 'vitest'
import { parseMarkdown, renderMarkdown } from '../../../shared/content/markdown.js'
import { schema } from '../../../shared/schema.js'
import { isSafeUrl } from '../../../shared/urls.js'
import { b, sampleDoc } from '../../fixtures/sample.js'

const fixture = readFileSync(new URL('../../fixtures/sample.md', import.meta.url), 'utf8')

/** A CommonMark renderer that lets every URL and raw HTML through, as a careless one does. */
const permissive = MarkdownIt('commonmark', { html: true })
permissive.validateLink = () => true

/** Every link and image URL in `html` (markdown-it's output) as a browser reads it: attribute references decoded, resolved against a page. */
const browserUrls = (html: string) =>
  Array.from(html.matchAll(/ (?:href|src)="([^"]*)"/g), ([, value]) => {
    const decoded = value!.replace(/&(quot|lt|gt|amp);/g, (_ref, name: string) => ({ quot: '"', lt: '<', gt: '>', amp: '&' })[name]!)
    return new URL(decoded, 'https://quire.example/d/x')
  })

/** The URLs and titles of `doc`'s links and images, in order. */
const linksOf = (doc: Node) => {
  const found: Array<{ href: string; title: string | null }> = []
  doc.descendants((node) => {
    for (const mark of node.marks) if (mark.type.name === 'link') found.push({ href: mark.attrs.href, title: mark.attrs.title })
    if (node.type.name === 'image') found.push({ href: node.attrs.src, title: node.attrs.title })
  })
  return found
}

describe('markdown format', () => {
  it('renders headings, paragraphs, tight lists, bold, italic, links, quotes and code as CommonMark', () => {
    expect(renderMarkdown(sampleDoc)).toBe(fixture)
    expect(fixture).toContain('# Quire sample\n')
    expect(fixture).toContain('**bold**, *italic* and a [link](https://example.com/docs?a=1&b=2)')
    expect(fixture).toContain('* first item\n* second item\n')
  })

  it('parses what it renders back to the same document', () => {
    expect(parseMarkdown(fixture).eq(sampleDoc)).toBe(true)
  })

  it('keeps an ordered list’s start number', () => {
    const doc = parseMarkdown('3. three\n4. four\n')
    expect(doc.firstChild!.type.name).toBe('ordered_list')
    expect(doc.firstChild!.attrs.order).toBe(3)
    expect(renderMarkdown(doc)).toBe('3. three\n4. four\n')
  })

  it('writes links and images with unsafe URLs as plain text', () => {
    const doc = b.doc(b.p(b.a('javascript:alert(1)', 'click'), ' ', schema.nodes.image!.create({ src: 'javascript:alert(2)', alt: 'pic' })))
    expect(renderMarkdown(doc)).toBe('click pic\n')
  })

  it('does not turn an unsafe link into a link mark', () => {
    const doc = parseMarkdown('[click](javascript:alert(1)) and [ok](mailto:a@b.c)')
    const links: string[] = []
    doc.descendants((node) => {
      for (const mark of node.marks) if (mark.type.name === 'link') links.push(mark.attrs.href)
    })
    expect(links).toEqual(['mailto:a@b.c'])
    expect(doc.textContent).toContain('[click](javascript:alert(1))')
  })

  it('keeps raw HTML as literal text', () => {
    const doc = parseMarkdown('<script>alert(1)</script>\n\nhi <b>there</b>')
    expect(doc.textContent).toContain('<script>alert(1)</script>')
    expect(doc.textContent).toContain('hi <b>there</b>')
  })
})

describe('markdown export of text that looks like HTML', () => {
  const image = (alt: string) => schema.nodes.image!.create({ src: 'https://example.com/a.png', alt })
  const hostile = b.doc(
    b.p('<script>alert(1)</script> and &amp; and <b>bold?</b>'),
    b.p(image('<img src=x onerror=alert(1)>'), ' ', b.a('https://example.com', '<i onmouseover=alert(1)>link</i> & more')),
  )

  it('escapes HTML written as text, in image alt text and in link text', () => {
    const markdown = renderMarkdown(hostile)
    expect(markdown).not.toMatch(/(?<!\\)</)
    expect(markdown).not.toMatch(/(?<!\\)&/)
    expect(markdown).toContain('\\<script\\>alert(1)\\</script\\>')
    expect(markdown).toContain('![\\<img src=x onerror=alert(1)\\>](https://example.com/a.png)')
    expect(markdown).toContain('[\\<i onmouseover=alert(1)\\>link\\</i\\> \\& more](https://example.com)')
  })

  it('round-trips as text: the parsed export equals the document', () => {
    expect(parseMarkdown(renderMarkdown(hostile)).eq(hostile)).toBe(true)
  })

  it('renders as text, never as tags, through a CommonMark renderer that allows raw HTML', () => {
    const html = permissive.render(renderMarkdown(hostile))
    expect(html).not.toMatch(/<(script|b|i|img src=x)\b/)
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
  })
})

describe('markdown export of link and image URLs', () => {
  it('never writes a link disguised with character references as a live javascript: link', () => {
    const disguised = ['javascript&colon;alert(document.domain)', 'javascript&#58;alert(2)', 'javascript&#x3A;alert(3)', '&#106;avascript:alert(4)', 'java&Tab;script:alert(5)']
    const doc = b.doc(...disguised.map((href) => b.p(b.a(href, 'click me'), ' ', schema.nodes.image!.create({ src: href, alt: 'pic' }))))
    const urls = browserUrls(permissive.render(renderMarkdown(doc)))
    for (const url of urls) expect(url.protocol).toBe('https:')
  })

  it('writes URLs and titles so that a CommonMark reader gets back exactly what is stored', () => {
    const hrefs = ['/docs?a=1&b=2', '/a&amp;b', '/x&#58;y', '/wiki/Foo_(bar)', '/unbalanced)(', '/dir\\file\\', '/a b', '/<x>', '', '/tab\there', '/line\nbreak', 'https://example.com/ä?q=ü#ö']
    const titles = [null, 'say "hi"', 'back\\slash', '&amp; &#58; &colon;', 'two\nlines', '(paren) <angle>']
    const doc = b.doc(
      ...hrefs.map((href, i) => {
        const title = titles[i % titles.length]!
        return b.p(schema.text('link', [schema.marks.link!.create({ href, title })]), ' ', schema.nodes.image!.create({ src: href, title, alt: 'pic' }))
      }),
    )
    expect(linksOf(parseMarkdown(renderMarkdown(doc)))).toEqual(linksOf(doc))
  })

  it('keeps a URL that holds a tag out of the HTML, even when the link’s text is the URL', () => {
    const href = 'https://a.example/<script>alert(1)</script>'
    const markdown = renderMarkdown(b.doc(b.p(b.a(href, href))))
    expect(permissive.render(markdown)).not.toContain('<script')
    expect(linksOf(parseMarkdown(markdown))).toEqual([{ href, title: null }])
  })

  it('writes a link whose text is its URL as an autolink', () => {
    expect(renderMarkdown(b.doc(b.p('see ', b.a('https://example.com/a_b', 'https://example.com/a_b'))))).toBe('see <https://example.com/a_b>\n')
  })
})

describe('markdown export of text that looks like Markdown', () => {
  const roundTrip = (doc: Node) => parseMarkdown(renderMarkdown(doc))

  it.each([
    ['a quoted reply', '> quoted reply', '\\> quoted reply'],
    ['a numbered point with a parenthesis', '2) second point', '2\\) second point'],
    ['a Python name', 'snake __init__ method', 'snake \\_\\_init\\_\\_ method'],
    ['a heading marker', '## not a heading', '\\## not a heading'],
    ['a plus', '+ not an item', '\\+ not an item'],
    ['a dash', '- not an item', '\\- not an item'],
    ['snake_case between letters', 'snake_case_name', 'snake_case_name'],
  ])('writes %s as text that reads back the same (%j)', (_what, text, markdown) => {
    const doc = b.doc(b.p(text))
    expect(renderMarkdown(doc)).toBe(`${markdown}\n`)
    expect(roundTrip(doc).eq(doc)).toBe(true)
  })

  it('writes whitespace at the start and end of a paragraph as character references, so four spaces are not code', () => {
    const doc = b.doc(b.p('    indented  '), b.p('\ttab'))
    expect(renderMarkdown(doc)).toBe('&#32;   indented &#32;\n\n&#9;tab\n')
    expect(roundTrip(doc).eq(doc)).toBe(true)
  })

  it('escapes what would start a block after a line break, and a # that would close a heading', () => {
    const br = schema.nodes.hard_break!.create()
    const doc = b.doc(b.p('a', br, '===', br, '1. b', br, '# c'), b.h2('C#'), b.h1('title', br, 'continued'))
    expect(renderMarkdown(doc)).toBe('a\\\n\\===\\\n1\\. b\\\n\\# c\n\n## C\\#\n\ntitle\\\ncontinued\n===\n')
    expect(roundTrip(doc).eq(doc)).toBe(true)
  })

  it('writes whitespace at the edge of bold outside it, and code that starts or ends with spaces or backticks so that it reads back whole', () => {
    const code = (text: string) => schema.text(text, [schema.marks.code!.create()])
    const doc = b.doc(b.p(b.strong('bold '), 'text ', code(' a`b '), ' ', code('`'), ' ', code('   ')))
    expect(renderMarkdown(doc)).toBe('**bold** text ``  a`b  `` `` ` `` `     `\n')
    expect(roundTrip(doc).eq(b.doc(b.p(b.strong('bold'), ' text ', code(' a`b '), ' ', code('`'), ' ', code('   '))))).toBe(true)
  })

  it('keeps bold and italic that meet punctuation or each other', () => {
    const doc = b.doc(b.p('a', b.em('(b)'), 'c ', b.strong('x'), b.em('y'), ' ', schema.text('z', [schema.marks.em!.create(), schema.marks.strong!.create()])))
    expect(roundTrip(doc).eq(doc)).toBe(true)
  })
})

describe('markdown export of lists and code blocks', () => {
  const roundTrip = (doc: Node) => parseMarkdown(renderMarkdown(doc))
  const rule = schema.node('horizontal_rule')

  it('sets two lists of one type in a row apart with other markers, and keeps a list that starts at 0', () => {
    const doc = b.doc(b.ul(b.li(b.p('a'))), b.ul(b.li(b.p('b'))), schema.node('ordered_list', { order: 0 }, [b.li(b.p('c'))]), b.ol(b.li(b.p('d'))))
    expect(renderMarkdown(doc)).toBe('* a\n\n\n- b\n\n0. c\n\n\n1) d\n')
    expect(roundTrip(doc).eq(doc)).toBe(true)
  })

  it('starts what follows an empty first paragraph of a list item on the line after its marker', () => {
    const doc = b.doc(b.ul(b.li(b.p(), rule)), b.ul(b.li(b.p(), rule), b.li(b.p())))
    expect(renderMarkdown(doc)).toBe('* \n  ---\n\n\n- \n  ---\n- \n')
    expect(roundTrip(doc).eq(doc)).toBe(true)
  })

  it('sets a list that cannot interrupt a paragraph apart from it by a blank line', () => {
    const doc = b.doc(b.ul(b.li(b.p('a'), schema.node('ordered_list', { order: 2 }, [b.li(b.p('b'))])), b.li(b.p('c'), b.ul(b.li(b.p())))))
    expect(renderMarkdown(doc)).toBe('* a\n\n  2. b\n* c\n\n  * \n')
    expect(roundTrip(doc).eq(doc)).toBe(true)
  })

  it('leaves out empty paragraphs, which CommonMark cannot hold', () => {
    const doc = b.doc(b.p(), b.p('a'), b.p(), b.p(), b.ul(b.li(b.p('b'), b.p())), b.p())
    expect(renderMarkdown(doc)).toBe('a\n\n* b\n')
    expect(roundTrip(doc).eq(b.doc(b.p('a'), b.ul(b.li(b.p('b')))))).toBe(true)
  })
})

describe('markdown export of code blocks', () => {
  it('ends a code block’s lines at its carriage returns too, each with the prefix of its quote or list item', () => {
    const doc = b.doc(b.quote(b.code('a\r\nb\rc')), b.ul(b.li(b.p('x'), b.code('\r<script>alert(1)</script>'))))
    const markdown = renderMarkdown(doc)
    expect(markdown).toBe('> ```\n> a\n> b\n> c\n> ```\n\n* x\n\n  ```\n  \n  <script>alert(1)</script>\n  ```\n')
    expect(permissive.render(markdown)).not.toContain('<script')
    expect(parseMarkdown(markdown).eq(b.doc(b.quote(b.code('a\nb\nc')), b.ul(b.li(b.p('x'), b.code('\n<script>alert(1)</script>')))))).toBe(true)
  })
})

/**
 * The document `doc` reads back as from its Markdown: the same, but for what CommonMark cannot hold
 * or quire chooses not to write, each said here:
 * - a paragraph with nothing in it is not there (a reader puts an empty one back where the schema
 *   wants one: first in a list item, alone in a quote);
 * - a line break is not there at the end of a paragraph or heading, and is a space in a heading of
 *   level 3 to 6 (only setext headings, 1 and 2, have lines) and in code;
 * - bold and italic do not start with whitespace or end with whitespace or a line break, because
 *   CommonMark does not take a delimiter next to whitespace as one: that whitespace is outside them
 *   (references could keep it inside, `**a&#32;**&#98;`, at a cost to every reader of the export);
 * - links and images with unsafe URLs are their text; an empty title or alt text is none;
 * - a code block's line endings are newlines (CommonMark reads `\r\n` and `\r` as one).
 * Whitespace at the start or end of a paragraph, which a reader trims, is kept (it is written as a
 * character reference), so it is not here.
 */
function readsBackAs(doc: Node): Node {
  if (doc.type.spec.code) return doc.type.create(doc.attrs, doc.textContent ? schema.text(doc.textContent.replace(/\r\n?/g, '\n')) : null)
  if (doc.isTextblock) return doc.type.create(doc.attrs, Fragment.fromArray(inlineReadBack(doc)))
  const blocks = doc.children.map(readsBackAs).filter((block) => !(block.type.name === 'paragraph' && block.content.size === 0))
  return doc.type.createAndFill(doc.attrs, blocks)!
}

/** The inline content of `block` as it reads back, one character or leaf at a time. */
function inlineReadBack(block: Node): Node[] {
  const { em, strong, code, link } = schema.marks
  const cells = block.children.flatMap((node): Node[] => {
    const marks = node.marks
      .filter((mark) => mark.type !== link || isSafeUrl(mark.attrs.href))
      .map((mark) => (mark.type === link && mark.attrs.title === '' ? link.create({ ...mark.attrs, title: null }) : mark))
    if (node.type.name === 'image') {
      if (!isSafeUrl(node.attrs.src)) return Array.from(node.attrs.alt ?? '', (char: string) => schema.text(char, marks))
      return [node.type.create({ src: node.attrs.src, alt: node.attrs.alt || null, title: node.attrs.title || null }, null, marks)]
    }
    if (node.type.name === 'hard_break') return [block.type.name === 'heading' && block.attrs.level > 2 ? schema.text(' ', marks) : node.mark(code!.removeFromSet(marks))]
    return Array.from(node.text!, (char) => schema.text(code!.isInSet(marks) && /[\n\r]/.test(char) ? ' ' : char, marks))
  })
  while (cells.at(-1)?.type.name === 'hard_break') cells.pop()
  const unmark = (mark: Mark, at: number) => {
    cells[at] = cells[at]!.mark(mark.removeFromSet(cells[at]!.marks))
  }
  const blank = (cell: Node) => cell.isText && /\s/.test(cell.text!) && !code!.isInSet(cell.marks)
  for (const mark of [em!.create(), strong!.create()]) {
    const has = (at: number) => at >= 0 && at < cells.length && mark.isInSet(cells[at]!.marks)
    for (let first = 0; first < cells.length; first++) {
      if (!has(first) || has(first - 1)) continue
      let last = first
      while (has(last + 1)) last++
      while (last >= first && (blank(cells[last]!) || cells[last]!.type.name === 'hard_break')) unmark(mark, last--)
      while (first <= last && blank(cells[first]!)) unmark(mark, first++)
      first = last
    }
  }
  return cells
}

/** Text rich in what Markdown reads as syntax: its punctuation, whitespace, entities, HTML, and what starts a block. */
const text = fc
  .array(
    fc.oneof(
      fc.constantFrom(...'\\*_#>-+=|~[]()!<&;:.)`"\'0129 \t ab'.split(''), 'é', '\u00a0', '€', '😀', '\n', '\r'),
      fc.constantFrom(
        '1.',
        '1)',
        '12.',
        '-',
        '+',
        '#',
        '###',
        '>',
        '    ',
        '***',
        '---',
        '===',
        '```',
        '~~~',
        '&amp;',
        '&#58;',
        '&colon;',
        '<b>',
        '</b>',
        '__init__',
        'a_b',
        'x*y',
        '![a]',
        '[x](y)',
        'http://x.y',
        '  ',
      ),
    ),
    { minLength: 1, maxLength: 6 },
  )
  .map((parts) => parts.join(''))

/** Link and image URLs, safe and not, with what a destination must escape. */
const url = fc.constantFrom(
  'https://example.com/a?b=1&c=2',
  'http://x.y',
  'mailto:a@b.c',
  '/a b',
  '/t\tab\nline',
  '/x(1)',
  '/q"x',
  '/&amp;',
  '',
  '/a\\b',
  '/<x>',
  'javascript:alert(1)',
  'javascript&colon;alert(1)',
  'https://e.com/<script>',
  'http://x.y/&amp;\\*_',
)
const title = fc.constantFrom(null, null, '', 't "q"', "it's", 'a\\b', '&amp;', 'two\nlines', '(p) <a>')

/** Inline content: text with any marks (a paragraph shares two links, so that links run across pieces), images and line breaks. */
const inline = fc
  .tuple(
    fc.array(fc.record({ href: url, title }), { minLength: 2, maxLength: 2 }),
    fc.array(
      fc.record({
        kind: fc.constantFrom('text', 'text', 'text', 'url', 'image', 'break'),
        text,
        link: fc.constantFrom(-1, -1, 0, 1),
        em: fc.boolean(),
        strong: fc.boolean(),
        code: fc.constantFrom(false, false, false, true),
        image: fc.record({ src: url, title, alt: fc.option(text) }),
      }),
      { maxLength: 5 },
    ),
  )
  .map(([links, pieces]) =>
    pieces.map((piece) => {
      const link = links[piece.link]
      const { em, strong, code } = schema.marks
      const marks = [link && schema.marks.link!.create(link), piece.em && em!.create(), piece.strong && strong!.create(), piece.code && piece.kind === 'text' && code!.create()].filter(
        (mark) => mark instanceof Object,
      )
      if (piece.kind === 'image') return schema.nodes.image!.create(piece.image, null, marks)
      if (piece.kind === 'break') return schema.nodes.hard_break!.create(null, null, marks)
      if (piece.kind === 'url' && link?.href) return schema.text(link.href, marks)
      // Not generated: code holding `]:` in a link that starts a paragraph, which CommonMark reads as
      // a link reference definition (`[`]:x`](url)`: block parsing does not see code spans).
      return schema.text(piece.code ? piece.text.replace(/]:/g, ']') : piece.text, marks)
    }),
  )

const { doc: documents } = fc.letrec((tie) => ({
  doc: fc.array(tie('block'), { minLength: 1, maxLength: 4 }).map((blocks) => schema.node('doc', null, blocks as Node[])),
  block: fc.oneof(
    { maxDepth: 3, depthIdentifier: 'block' },
    inline.map((content) => schema.node('paragraph', null, content)),
    fc.tuple(fc.integer({ min: 1, max: 6 }), inline).map(([level, content]) => schema.node('heading', { level }, content)),
    fc.array(fc.oneof(text, fc.constantFrom('```', '````', '\n', '  \t')), { maxLength: 4 }).map((parts) => schema.node('code_block', null, parts.join('') ? [schema.text(parts.join(''))] : [])),
    fc.constant(schema.node('horizontal_rule')),
    fc.array(tie('block'), { minLength: 1, maxLength: 3 }).map((blocks) => schema.node('blockquote', null, blocks as Node[])),
    fc.array(tie('item'), { minLength: 1, maxLength: 3 }).map((items) => schema.node('bullet_list', null, items as Node[])),
    fc.tuple(fc.constantFrom(0, 1, 2, 9, 10), fc.array(tie('item'), { minLength: 1, maxLength: 3 })).map(([order, items]) => schema.node('ordered_list', { order }, items as Node[])),
  ),
  item: fc.tuple(inline, fc.array(tie('block'), { maxLength: 2 })).map(([content, blocks]) => schema.node('list_item', null, [schema.node('paragraph', null, content), ...(blocks as Node[])])),
}))

// Not generated: control characters but tab, newline and carriage return (markdown-it reads NUL as
// U+FFFD, and a vertical tab that ends a line is trimmed but has no character reference), and
// ordered lists numbered past nine digits, which are no list markers.
describe('markdown round trip of generated documents', () => {
  it('reads every generated document back as it was, as far as CommonMark can hold it, and never renders an unsafe URL live or text as HTML', () => {
    fc.assert(
      fc.property(documents, (doc) => {
        const markdown = renderMarkdown(doc)
        const back = parseMarkdown(markdown)
        const expected = readsBackAs(doc)
        // Documents compared as JSON only when they differ, for a readable failure: it is slow.
        if (!back.eq(expected)) expect(back.toJSON(), markdown).toEqual(expected.toJSON())
        const html = permissive.render(markdown)
        const live = browserUrls(html).filter((found) => !['https:', 'http:', 'mailto:'].includes(found.protocol))
        const tags = html.match(/<\/?[a-z][^\s>]*/g)?.filter((tag) => !/^<\/?(p|em|strong|a|img|code|pre|ul|ol|li|blockquote|h[1-6]|hr|br)$/.test(tag)) ?? []
        if (live.length > 0 || tags.length > 0) expect({ live, tags }, markdown).toEqual({ live: [], tags: [] })
      }),
      { seed: process.env.QUIRE_MARKDOWN_SEED ? Number(process.env.QUIRE_MARKDOWN_SEED) : 20261202, numRuns: Number(process.env.QUIRE_MARKDOWN_RUNS ?? 300) },
    )
  })
})

describe('markdown export of long documents', () => {
  it('renders a long document, lists side by side across groups of blocks included, that reads back as it was', () => {
    const blocks = []
    for (let i = 0; i < 450; i++) {
      if (i % 199 === 0) blocks.push(b.ul(b.li(b.p(`item ${i}`))), b.ul(b.li(b.p(`next list ${i}`))))
      else blocks.push(b.p(`paragraph ${i} with *stars* and <angles>`))
    }
    const long = b.doc(...blocks)
    expect(parseMarkdown(renderMarkdown(long)).eq(long)).toBe(true)
  })
})
