import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { importUpdates } from '../../../server/imports/replacement.js'
import { QUIRE_MAP, REPLACED_KEY } from '../../../shared/content/replaced.js'
import { replacementUpdate, toNode } from '../../../shared/content/ydoc.js'
import { b } from '../../fixtures/sample.js'

function ydocWith(...paragraphs: string[]): Y.Doc {
  const ydoc = new Y.Doc()
  Y.applyUpdate(ydoc, replacementUpdate(ydoc, b.doc(...paragraphs.map((text) => b.p(text)))))
  return ydoc
}

describe('importUpdates', () => {
  it('replaces the content in pieces, keeping the blocks it shares with the document at both ends', () => {
    const ydoc = ydocWith('head', 'old', 'tail')
    const head = ydoc.getXmlFragment('prosemirror').get(0)
    const updates = importUpdates('text', 'head\none\ntwo\nthree\ntail', Y.encodeStateAsUpdate(ydoc), 1)
    expect(updates.length).toBeGreaterThan(1)
    for (const update of updates) Y.applyUpdate(ydoc, update)
    expect(toNode(ydoc).eq(b.doc(b.p('head'), b.p('one'), b.p('two'), b.p('three'), b.p('tail')))).toBe(true)
    expect(ydoc.getXmlFragment('prosemirror').get(0)).toBe(head)
  })

  it('marks the document replaced with its first piece, which takes the old content away', () => {
    const ydoc = ydocWith('old')
    const [first] = importUpdates('text', 'one\ntwo\nthree', Y.encodeStateAsUpdate(ydoc), 1)
    expect(ydoc.getMap(QUIRE_MAP).has(REPLACED_KEY)).toBe(false)
    Y.applyUpdate(ydoc, first!)
    expect(ydoc.getMap(QUIRE_MAP).get(REPLACED_KEY)).toMatchObject({ by: 'import' })
  })
})
