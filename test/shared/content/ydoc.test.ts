import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { QUIRE_MAP, REPLACED_KEY } from '../../../shared/content/replaced.js'
import { CONTENT_FRAGMENT, replacementUpdate, toNode } from '../../../shared/content/ydoc.js'
import { b, emptyDoc, sampleDoc } from '../../fixtures/sample.js'

function ydocWith(node: typeof sampleDoc): Y.Doc {
  const ydoc = new Y.Doc()
  Y.applyUpdate(ydoc, replacementUpdate(ydoc, node))
  return ydoc
}

describe('Y.Doc ⇄ ProseMirror', () => {
  it('reads a Y.Doc nobody wrote to as an empty doc', () => {
    expect(toNode(new Y.Doc()).eq(emptyDoc)).toBe(true)
  })

  it('writes a document into the prosemirror fragment and reads it back', () => {
    const ydoc = ydocWith(sampleDoc)
    expect(ydoc.getXmlFragment(CONTENT_FRAGMENT).length).toBe(sampleDoc.childCount)
    expect(toNode(ydoc).eq(sampleDoc)).toBe(true)
  })

  it('replaces existing content with an update that leaves the source Y.Doc untouched', () => {
    const ydoc = ydocWith(b.doc(b.p('old')))
    const before = Y.encodeStateVector(ydoc)
    const update = replacementUpdate(ydoc, b.doc(b.h1('new')))
    expect(Y.encodeStateVector(ydoc)).toEqual(before)
    Y.applyUpdate(ydoc, update)
    expect(toNode(ydoc).eq(b.doc(b.h1('new')))).toBe(true)
  })

  it('marks a restore as a replacement in the same update, so that editors start undo afresh', () => {
    const ydoc = ydocWith(b.doc(b.p('old')))
    expect(ydoc.getMap(QUIRE_MAP).has(REPLACED_KEY)).toBe(false)
    Y.applyUpdate(ydoc, replacementUpdate(ydoc, b.doc(b.p('restored')), 'restore'))
    expect(ydoc.getMap(QUIRE_MAP).get(REPLACED_KEY)).toMatchObject({ by: 'restore' })
    expect(toNode(ydoc).eq(b.doc(b.p('restored')))).toBe(true)
  })

  it('merges a replacement with a concurrent edit instead of losing it', () => {
    const server = ydocWith(b.doc(b.p('one'), b.p('two')))
    const editor = new Y.Doc()
    Y.applyUpdate(editor, Y.encodeStateAsUpdate(server))
    // The editor appends a paragraph while the import is being computed from the older state.
    editor.getXmlFragment(CONTENT_FRAGMENT).push([new Y.XmlElement('paragraph')])
    const imported = replacementUpdate(server, b.doc(b.p('one'), b.p('two'), b.p('three')))
    Y.applyUpdate(server, Y.encodeStateAsUpdate(editor))
    Y.applyUpdate(server, imported)
    Y.applyUpdate(editor, Y.encodeStateAsUpdate(server))
    expect(toNode(editor).eq(toNode(server))).toBe(true)
    expect(toNode(server).childCount).toBe(4)
  })

  it('reads content that does not fit the schema without changing the Y.Doc', () => {
    const ydoc = ydocWith(b.doc(b.p('kept')))
    ydoc.getXmlFragment(CONTENT_FRAGMENT).push([new Y.XmlElement('marquee')])
    const before = Y.encodeStateAsUpdate(ydoc)
    expect(toNode(ydoc).eq(b.doc(b.p('kept')))).toBe(true)
    expect(Y.encodeStateAsUpdate(ydoc)).toEqual(before)
  })
})
