import { describe, expect, it } from 'vitest'
import { linkAround } from '../../../editor/plugins/links.js'
import { schema } from '../../../shared/schema.js'

const link = (href: string) => schema.marks.link.create({ href })
// "Read the docs now": "the docs" links to /a, with "docs" also bold (two text nodes, one link).
const paragraph = schema.node('paragraph', null, [schema.text('Read '), schema.text('the ', [link('/a')]), schema.text('docs', [link('/a'), schema.marks.strong.create()]), schema.text(' now')])
const doc = schema.node('doc', null, [paragraph])
// Positions: the paragraph opens at 0, its text starts at 1; "the docs" spans 6..14.

describe('linkAround', () => {
  it('finds the whole link from any position in it or at its ends, across differently marked pieces', () => {
    for (const pos of [6, 8, 10, 14]) expect(linkAround(doc, pos)).toEqual({ from: 6, to: 14, href: '/a' })
  })

  it('finds nothing outside a link', () => {
    for (const pos of [1, 3, 16, 18]) expect(linkAround(doc, pos)).toBeNull()
  })

  it('tells two adjacent links apart', () => {
    const two = schema.node('doc', null, [schema.node('paragraph', null, [schema.text('one', [link('/1')]), schema.text('two', [link('/2')])])])
    expect(linkAround(two, 2)).toEqual({ from: 1, to: 4, href: '/1' })
    expect(linkAround(two, 5)).toEqual({ from: 4, to: 7, href: '/2' })
  })
})
