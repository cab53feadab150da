import { describe, expect, it } from 'vitest'
import { countText } from '../../../editor/plugins/count.js'
import { schema } from '../../../shared/schema.js'

const p = (text: string) => schema.node('paragraph', null, text ? [schema.text(text)] : [])
const doc = (...blocks: ReturnType<typeof p>[]) => schema.node('doc', null, blocks)

describe('countText', () => {
  it('counts nothing in an empty document', () => expect(countText(doc(p('')))).toEqual({ words: 0, characters: 0 }))

  it('keeps the last word of one block and the first of the next apart, and counts characters without block breaks', () => {
    expect(countText(doc(p('Hello brave'), p('new world')))).toEqual({ words: 4, characters: 20 })
  })

  it('does not count punctuation standing alone as a word, and counts characters by code point', () => {
    expect(countText(doc(p('Ship it — now 🚀')))).toEqual({ words: 3, characters: 15 })
  })
})
