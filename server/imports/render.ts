import * as Y from 'yjs'
import { FORMATS, type FormatName } from '../../shared/content/formats.js'
import { toNode } from '../../shared/content/ydoc.js'

/**
 * The document whose state is `state`, rendered in `format`. Pure, so a big document can be
 * rendered on a worker thread (converting and writing out 100,000 blocks takes seconds).
 */
export function renderState(format: FormatName, state: Uint8Array): string {
  const doc = new Y.Doc()
  try {
    Y.applyUpdate(doc, state)
    return FORMATS[format].render(toNode(doc))
  } finally {
    doc.destroy()
  }
}
