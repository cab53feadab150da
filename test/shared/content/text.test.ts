import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parseText, renderText } from '../../../shared/content/text.js'
import { schema } from '../../../shared/schema.js'
import { b, emptyDoc, sampleDoc } from '../../fixtures/sample.js'

const fixture = readFileSync(new URL('../../fixtures/sample.txt', import.meta.url), 'utf8')

describe('text format', () => {
  it('renders one line per block, with the text of every mark and link', () => {
    expect(renderText(sampleDoc)).toBe(fixture)
    expect(fixture.split('\n').slice(0, 2)).toEqual(['Quire sample', 'A paragraph with bold, italic and a link.'])
  })

  it('renders hard breaks as line breaks and images as their alt text', () => {
    const doc = b.doc(b.p('a', schema.nodes.hard_break!.create(), 'b ', schema.nodes.image!.create({ src: '/x.png', alt: 'pic' })))
    expect(renderText(doc)).toBe('a\nb pic\n')
  })

  it('renders an empty document as the empty string', () => {
    expect(renderText(emptyDoc)).toBe('')
  })

  it('parses each line as a paragraph, keeping blank lines, and renders back the same text', () => {
    const doc = parseText('one\r\n\r\ntwo <b>&amp;</b>\n')
    expect(doc.eq(b.doc(b.p('one'), b.p(), b.p('two <b>&amp;</b>')))).toBe(true)
    expect(renderText(doc)).toBe('one\n\ntwo <b>&amp;</b>\n')
    expect(renderText(parseText(fixture))).toBe(fixture)
  })

  it('parses empty input as a document with one empty paragraph', () => {
    expect(parseText('').eq(b.doc(b.p()))).toBe(true)
  })
})
