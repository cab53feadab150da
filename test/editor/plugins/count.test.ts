import { Node } from 'prosemirror-model'
import { EditorState } from 'prosemirror-state'
import { describe, expect, it, vi } from 'vitest'
import { countText, TextCounter } from '../../../editor/plugins/count.js'
import { schema } from '../../../shared/schema.js'

const { nodes } = schema
const p = (text: string) => nodes.paragraph.create(null, text ? [schema.text(text)] : [])
const doc = (...blocks: Node[]) => nodes.doc.create(null, blocks)

describe('countText', () => {
  it('counts nothing in an empty document', () => expect(countText(doc(p('')))).toEqual({ words: 0, characters: 0 }))

  it('keeps the last word of one block and the first of the next apart, and counts characters without block breaks', () => {
    expect(countText(doc(p('Hello brave'), p('new world')))).toEqual({ words: 4, characters: 20 })
  })

  it('does not count punctuation standing alone as a word, and counts characters by code point', () => {
    expect(countText(doc(p('Ship it — now 🚀')))).toEqual({ words: 3, characters: 15 })
  })

  it('counts a word split by marks once, and words in lists, quotes and around line breaks and rules', () => {
    const bold = schema.text('use', [schema.marks.strong.create()])
    const item = (text: string) => nodes.list_item.create(null, [p(text)])
    const counted = countText(
      doc(
        nodes.paragraph.create(null, [schema.text('re'), bold, schema.text(' it'), nodes.hard_break.create(), schema.text('now')]),
        nodes.bullet_list.create(null, [item('one two'), item('three')]),
        nodes.horizontal_rule.create(),
        nodes.blockquote.create(null, [p('said so')]),
      ),
    )
    expect(counted).toEqual({ words: 8, characters: 30 })
  })
})

describe('TextCounter', () => {
  it('reads again only the block that changed, so a keystroke in a long document costs one paragraph', () => {
    const blocks = Array.from({ length: 1000 }, (_, i) => p(`Paragraph ${i} has five words.`))
    const state = EditorState.create({ schema, doc: doc(...blocks) })
    const counter = new TextCounter()
    const before = counter.count(state.doc)
    expect(before).toEqual(countText(state.doc))

    const inParagraph500 = state.doc.resolve(0).posAtIndex(500) + 3
    const edited = state.apply(state.tr.insertText('new ', inParagraph500)).doc
    const read = vi.spyOn(Node.prototype, 'textBetween')
    try {
      expect(counter.count(edited)).toEqual({ words: before.words + 1, characters: before.characters + 4 })
      expect(read.mock.contexts).toEqual([edited.child(500)])
    } finally {
      read.mockRestore()
    }
  })
})
