import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parseMarkdown, renderMarkdown } from '../../../shared/content/markdown.js'
import { schema } from '../../../shared/schema.js'
import { b, sampleDoc } from '../../fixtures/sample.js'

const fixture = readFileSync(new URL('../../fixtures/sample.md', import.meta.url), 'utf8')

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

  it('renders as text, never as tags, through a CommonMark renderer that allows raw HTML', async () => {
    const { default: MarkdownIt } = await import('markdown-it')
    const html = MarkdownIt({ html: true }).render(renderMarkdown(hostile))
    expect(html).not.toMatch(/<(script|b|i|img src=x)\b/)
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
  })
})

describe('markdown export of long documents', () => {
  it('renders a long document, lists side by side included, as one serializer pass over it would', async () => {
    const { defaultMarkdownSerializer, MarkdownSerializer } = await import('prosemirror-markdown')
    const blocks = []
    for (let i = 0; i < 450; i++) {
      if (i % 199 === 0) blocks.push(b.ul(b.li(b.p(`item ${i}`))), b.ul(b.li(b.p(`next list ${i}`))))
      else blocks.push(b.p(`paragraph ${i} with *stars* and <angles>`))
    }
    const long = b.doc(...blocks)
    // No links or images here, so prosemirror-markdown's own serializer writes what quire's does.
    const whole = new MarkdownSerializer(defaultMarkdownSerializer.nodes, defaultMarkdownSerializer.marks, { escapeExtraCharacters: /[<>&]/g }).serialize(long, { tightLists: true })
    expect(renderMarkdown(long)).toBe(`${whole}\n`)
  })
})
