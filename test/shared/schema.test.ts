import { parseHTML } from 'linkedom'
import { DOMSerializer, DOMParser as PMDOMParser, type Node as PMNode } from 'prosemirror-model'
import { describe, expect, it } from 'vitest'
import { checkDocument, schema } from '../../shared/schema.js'

const { nodes, marks } = schema

function linkTo(href: string): PMNode {
  return nodes.doc.create(null, nodes.paragraph.create(null, schema.text('click', [marks.link.create({ href })])))
}

function image(src: string): PMNode {
  return nodes.doc.create(null, nodes.paragraph.create(null, nodes.image.create({ src, alt: 'pic' })))
}

// A small server-side DOM, as the server's HTML renderers use: the schema must work without a browser.
const { document } = parseHTML('<!doctype html><html><body></body></html>')

/** The attributes of the first `tag` element `doc` renders to, and the rendered HTML. */
function render(doc: PMNode, tag: string): { attrs: Record<string, string>; html: string } {
  const container = document.createElement('div')
  container.appendChild(DOMSerializer.fromSchema(schema).serializeFragment(doc.content, { document: document as unknown as Document }) as unknown as Node)
  const el = container.querySelector(tag)
  if (el === null) throw new Error(`no <${tag}> rendered`)
  return { attrs: Object.fromEntries([...el.attributes].map((a: Attr) => [a.name, a.value])), html: container.innerHTML }
}

function parse(html: string): PMNode {
  const container = document.createElement('div')
  container.innerHTML = html
  return PMDOMParser.fromSchema(schema).parse(container as unknown as HTMLElement)
}

describe('schema', () => {
  it('has the basic nodes and marks plus lists', () => {
    expect(Object.keys(schema.nodes).sort()).toEqual(
      ['blockquote', 'bullet_list', 'code_block', 'doc', 'hard_break', 'heading', 'horizontal_rule', 'image', 'list_item', 'ordered_list', 'paragraph', 'text'].sort(),
    )
    expect(Object.keys(schema.marks).sort()).toEqual(['code', 'em', 'link', 'strong'])
  })

  it('renders a safe link as a live link that does not leak the referrer or pass authority', () => {
    expect(render(linkTo('https://example.com/'), 'a').attrs).toEqual({ href: 'https://example.com/', rel: 'noopener noreferrer nofollow' })
  })

  it.each(['javascript:alert(1)', 'JAVASCRIPT:alert(1)', 'java\tscript:alert(1)', 'data:text/html,x', 'vbscript:x'])('renders a link to %j as its text only, with no href', (href) => {
    const { attrs, html } = render(linkTo(href), 'a')
    expect(attrs).toEqual({ 'data-unsafe-href': '' })
    expect(html).toContain('>click</a>')
    expect(html).not.toMatch(/script:|data:/i)
  })

  it('renders an image with an unsafe src without a src', () => {
    expect(render(image('javascript:alert(1)'), 'img').attrs).toEqual({ alt: 'pic' })
    expect(render(image('/pics/a.png'), 'img').attrs).toEqual({ src: '/pics/a.png', alt: 'pic' })
  })

  it('keeps the text but drops the link when parsing HTML with an unsafe href', () => {
    const doc = parse('<p><a href="javascript:alert(1)">bad</a> <a href="mailto:ada@example.com">mail</a></p>')
    expect(doc.textContent).toBe('bad mail')
    const hrefs: unknown[] = []
    doc.descendants((node) => {
      for (const mark of node.marks) hrefs.push(mark.attrs.href)
    })
    expect(hrefs).toEqual(['mailto:ada@example.com'])
  })

  it('drops images with an unsafe src when parsing HTML', () => {
    const doc = parse('<p>a<img src="javascript:alert(1)">b<img src="https://example.com/x.png"></p>')
    const srcs: unknown[] = []
    doc.descendants((node) => {
      if (node.type === nodes.image) srcs.push(node.attrs.src)
    })
    expect(srcs).toEqual(['https://example.com/x.png'])
  })
})

describe('checkDocument', () => {
  const headed = (level: number) => nodes.doc.create(null, nodes.heading.create({ level }, schema.text('Title')))

  it('passes a document the schema allows, and the empty document of an unwritten one', () => {
    expect(() => checkDocument(nodes.doc.create(null, [headed(6).child(0), nodes.bullet_list.create(null, nodes.list_item.create(null, nodes.paragraph.create()))]))).not.toThrow()
    expect(() => checkDocument(nodes.doc.create())).not.toThrow()
  })

  it('refuses content where the schema does not allow it, at any depth', () => {
    expect(() => checkDocument(nodes.doc.create(null, nodes.list_item.create(null, nodes.paragraph.create())))).toThrow('Invalid content for node doc')
    expect(() => checkDocument(nodes.doc.create(null, nodes.blockquote.create(null, schema.text('bare text'))))).toThrow('Invalid content for node blockquote')
  })

  it.each([0, 7, 9, 2.5])('refuses a heading of level %s', (level) => {
    expect(() => checkDocument(headed(level))).toThrow(`heading level ${level} is not a whole number from 1 to 6`)
  })
})
