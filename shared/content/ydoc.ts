import type { Node } from 'prosemirror-model'
import { prosemirrorToYXmlFragment, yXmlFragmentToProseMirrorRootNode } from 'y-prosemirror'
import * as Y from 'yjs'
import { schema } from '../schema.js'
import { markReplaced, type Replaced } from './replaced.js'

/** The Y.XmlFragment that holds a document's content: y-prosemirror's convention, which the editor uses. */
export const CONTENT_FRAGMENT = 'prosemirror'

/**
 * A copy of `ydoc` that can be read or edited without touching the original. y-prosemirror's reader
 * deletes elements that don't fit the schema from the Y.Doc it reads, so reading a live document
 * directly would turn a render into an edit that is stored and broadcast.
 */
function copyOf(ydoc: Y.Doc): Y.Doc {
  const copy = new Y.Doc()
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(ydoc))
  return copy
}

/**
 * The ProseMirror document that `ydoc` holds, read through quire's schema. `ydoc` is left as it
 * was. A Y.Doc nobody has written to yet reads as an empty `doc` node.
 */
export function toNode(ydoc: Y.Doc): Node {
  const copy = copyOf(ydoc)
  try {
    return yXmlFragmentToProseMirrorRootNode(copy.getXmlFragment(CONTENT_FRAGMENT), schema)
  } finally {
    copy.destroy()
  }
}

/**
 * The Yjs update that turns the content of `ydoc` into `node`, marked replaced `by` a restore or an
 * import when given (see `markReplaced`; without it, it is an edit like a person's), computed against `ydoc`'s current state so that applying it is an ordinary edit:
 * it merges with concurrent edits, and unchanged blocks keep their identity (y-prosemirror diffs
 * old against new). `ydoc` is left as it was.
 */
export function replacementUpdate(ydoc: Y.Doc, node: Node, by?: Replaced['by']): Uint8Array {
  const copy = copyOf(ydoc)
  try {
    const before = Y.encodeStateVector(copy)
    copy.transact(() => {
      prosemirrorToYXmlFragment(node, copy.getXmlFragment(CONTENT_FRAGMENT))
      if (by) markReplaced(copy, by)
    })
    return Y.encodeStateAsUpdate(copy, before)
  } finally {
    copy.destroy()
  }
}
