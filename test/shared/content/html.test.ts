import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parseHtml, renderHtml } from '../../../shared/content/html.js'
import { schema } from '../../../shared/schema.js'
import { b, sampleDoc } from '../../fixtures/sample.js'

const fixture = readFileSync(new URL('../../fixtures/sample.html', import.meta.url), 'utf8')

describe('html format', () => {
  it('renders every block and mark as the schema’s tags, one top-level block per line', () => {
    expect(renderHtml(sampleDoc)).toBe(fixture)
    expect(fixture.split('\n')[0]).toBe('<h1>Quire sample</h1>')
    expect(fixture).toContain('<ul><li><p>first item</p></li><li><p>second item</p></li></ul>')
  })

  it('reads a table as one paragraph per row, cells apart, since the schema has no tables', () => {
    const doc = parseHtml(`<p>Before</p>
      <table><caption>Sizes</caption>
        <thead><tr><th>Name</th><th>Size</th></tr></thead>
        <tbody>
          <tr><td>c1</td><td><b>c2</b></td></tr>
          <tr><td><p>two</p><p>lines</p></td><td><table><tr><td>in</td><td>ner</td></tr></table></td></tr>
        </tbody>
      </table>`)
    expect(doc.toJSON().content.map((block: { type: string }) => block.type)).toEqual(['paragraph', 'paragraph', 'paragraph', 'paragraph', 'paragraph'])
    expect(doc.textBetween(0, doc.content.size, '\n')).toBe('Before\nSizes\nName | Size\nc1 | c2\ntwo lines | in | ner')
    expect(
      doc
        .child(3)
        .child(1)
        .marks.map((mark) => mark.type.name),
    ).toEqual(['strong'])
  })

  it('parses what it renders back to the same document', () => {
    expect(parseHtml(fixture).eq(sampleDoc)).toBe(true)
  })

  it('escapes text, so a <script> in a document is shown, never run', () => {
    const html = renderHtml(b.doc(b.p('<script>alert("x")</script> & <img src=x onerror=y>')))
    expect(html).toBe('<p>&lt;script&gt;alert("x")&lt;/script&gt; &amp; &lt;img src=x onerror=y&gt;</p>\n')
  })

  it('escapes attribute values, so a hostile link cannot break out of its attribute', () => {
    const link = schema.marks.link!.create({ href: 'https://a.example/"><script>x()</script>', title: '" onmouseover="x()' })
    const html = renderHtml(b.doc(b.p(schema.text('t', [link]))))
    expect(html).not.toContain('<script>')
    expect(html).toContain('href="https://a.example/&quot;&gt;&lt;script&gt;x()&lt;/script&gt;"')
    expect(html).toContain('title="&quot; onmouseover=&quot;x()"')
  })

  it('emits no unsafe URL for links or images', () => {
    const html = renderHtml(b.doc(b.p(b.a('javascript:alert(1)', 'click'), schema.nodes.image!.create({ src: ' javascript:alert(2)', alt: 'pic' }))))
    expect(html).not.toMatch(/javascript/i)
    expect(html).toContain('click')
  })

  it('reads the body of a whole page and drops scripts, styles and unsafe links', () => {
    const doc = parseHtml(
      '<!doctype html><html><head><title>T</title><style>p{}</style></head><body>' +
        '<h2>H</h2><p>x <a href="javascript:alert(1)">bad</a> <a href="/ok">ok</a><script>alert(1)</script></p></body></html>',
    )
    expect(doc.eq(b.doc(b.h2('H'), b.p('x bad ', b.a('/ok', 'ok'))))).toBe(true)
  })

  it('drops a link whose URL spells javascript: once its character references are decoded, keeping the text', () => {
    const doc = parseHtml('<p><a href="javascript&amp;colon;alert(document.domain)">click me</a> <a href="javascript&amp;#58;alert(2)">two</a></p>')
    expect(doc.eq(b.doc(b.p('click me two')))).toBe(true)
  })

  it('parses a fragment with inline content at the top into a paragraph', () => {
    expect(parseHtml('plain <i>text</i> &amp; more').eq(b.doc(b.p('plain ', b.em('text'), ' & more')))).toBe(true)
  })
})
