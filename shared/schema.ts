import { type MarkSpec, type Node, type NodeSpec, Schema } from 'prosemirror-model'
import { schema as basic } from 'prosemirror-schema-basic'
import { addListNodes } from 'prosemirror-schema-list'
import { safeUrl } from './urls.js'

// Links and images are rendered through `safeUrl` because their attributes can come from any peer
// of the document (a hostile Yjs client writes whatever href it likes) and from pasted HTML; an
// unsafe URL keeps its text but is never emitted as a live href/src.

const link: MarkSpec = {
  ...basic.spec.marks.get('link'),
  parseDOM: [
    {
      tag: 'a[href]',
      getAttrs(dom: HTMLElement) {
        const href = safeUrl(dom.getAttribute('href'))
        return href === null ? false : { href, title: dom.getAttribute('title') }
      },
    },
  ],
  toDOM(mark) {
    const href = safeUrl(mark.attrs.href)
    const { title } = mark.attrs
    return href === null ? ['a', { title, 'data-unsafe-href': '' }, 0] : ['a', { href, title, rel: 'noopener noreferrer nofollow' }, 0]
  },
}

const image: NodeSpec = {
  ...basic.spec.nodes.get('image'),
  parseDOM: [
    {
      tag: 'img[src]',
      getAttrs(dom: HTMLElement) {
        const src = safeUrl(dom.getAttribute('src'))
        return src === null ? false : { src, title: dom.getAttribute('title'), alt: dom.getAttribute('alt') }
      },
    },
  ],
  toDOM(node) {
    const { alt, title } = node.attrs
    const src = safeUrl(node.attrs.src)
    return src === null ? ['img', { alt, title }] : ['img', { src, alt, title }]
  },
}

/** Every node type of the schema, named so `schema.nodes.heading` is known to exist. */
export type NodeName = 'doc' | 'paragraph' | 'blockquote' | 'horizontal_rule' | 'heading' | 'code_block' | 'text' | 'image' | 'hard_break' | 'ordered_list' | 'bullet_list' | 'list_item'

/** Every mark type of the schema. */
export type MarkName = 'link' | 'em' | 'strong' | 'code'

/**
 * quire's document schema: `prosemirror-schema-basic` plus bullet and ordered lists, with links
 * and images restricted to safe URLs. Shared by the editor and every server-side renderer so a
 * document means the same thing everywhere.
 */
export const schema: Schema<NodeName, MarkName> = new Schema<NodeName, MarkName>({
  nodes: addListNodes(basic.spec.nodes, 'paragraph block*', 'block').update('image', image),
  marks: basic.spec.marks.update('link', link),
})

/** The deepest heading level: what `<h1>`–`<h6>` and Markdown's `#`–`######` can write and read back. */
export const MAX_HEADING_LEVEL = 6

/**
 * Throws `RangeError` unless `doc` holds only what the schema allows: `Node.check` (content
 * expressions, marks, attributes), and heading levels from 1 to `MAX_HEADING_LEVEL`. The schema
 * itself does not enforce the levels: y-prosemirror deletes what the schema refuses from the
 * documents it reads, and documents may hold other levels already. A doc without blocks passes:
 * it is what a document nobody has written to reads as.
 */
export function checkDocument(doc: Node): void {
  if (doc.childCount === 0) return
  doc.check()
  doc.descendants((node) => {
    const { level } = node.attrs
    if (node.type === schema.nodes.heading && !(Number.isInteger(level) && level >= 1 && level <= MAX_HEADING_LEVEL)) {
      throw new RangeError(`heading level ${JSON.stringify(level)} is not a whole number from 1 to ${MAX_HEADING_LEVEL}`)
    }
  })
}
