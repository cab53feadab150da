import { Plugin, TextSelection } from 'prosemirror-state'
import { type ProsemirrorBinding, ySyncPluginKey } from 'y-prosemirror'
import * as Y from 'yjs'

/** The caret as it was before a remote transaction, in Yjs terms. */
interface KeptCaret {
  transaction: Y.Transaction
  /** Where y-prosemirror restores the caret: associated with the character on its right. */
  right: Y.RelativePosition
  /** The same place associated with the character on its left, which text inserted here stays after. */
  left: Y.RelativePosition
}

/**
 * Keeps text that someone else inserts exactly at this user's caret after the caret, so two people
 * typing at the same place each keep their own run of text ("AAAgggg", never "AgAgAg"), as text
 * editors since ShareJS do. y-prosemirror restores the caret after a remote change from a Yjs
 * relative position associated with the character on its right (or the end of the text), so a
 * remote insert at the caret lands before it and the next keystroke goes after the other person's
 * text. Before each remote Yjs transaction this plugin notes the same caret associated with the
 * character on its left; when y-prosemirror dispatches the change, it moves the caret back by the
 * text that went in between. Both places are resolved within their text node only, so this costs
 * nothing per document length: the right-associated position is the one y-prosemirror already
 * computed for the transaction (`beforeTransactionSelection`).
 */
export function remoteAtCaretPlugin(): Plugin {
  let kept: KeptCaret | null = null

  return new Plugin({
    view(view) {
      const binding = ySyncPluginKey.getState(view.state)?.binding as ProsemirrorBinding | undefined
      if (!binding) return {}
      const { doc } = binding
      const before = (transaction: Y.Transaction): void => {
        if (transaction.local || kept !== null || !view.state.selection.empty) return
        const right = binding.beforeTransactionSelection?.head as Y.RelativePosition | null | undefined
        const at = right ? Y.createAbsolutePositionFromRelativePosition(right, doc) : null
        if (!right || at === null || !(at.type instanceof Y.XmlText)) return
        kept = { transaction, right, left: Y.createRelativePositionFromTypeIndex(at.type, at.index, -1) }
      }
      const after = (transaction: Y.Transaction): void => {
        if (kept?.transaction === transaction) kept = null
      }
      doc.on('beforeTransaction', before)
      doc.on('afterTransaction', after)
      return {
        destroy() {
          doc.off('beforeTransaction', before)
          doc.off('afterTransaction', after)
          kept = null
        },
      }
    },

    appendTransaction(transactions, _old, state) {
      if (kept === null || !state.selection.empty || !transactions.some((tr) => tr.getMeta(ySyncPluginKey)?.isChangeOrigin)) return null
      const doc = ySyncPluginKey.getState(state)?.binding?.doc as Y.Doc | undefined
      if (!doc) return null
      const right = Y.createAbsolutePositionFromRelativePosition(kept.right, doc)
      const left = Y.createAbsolutePositionFromRelativePosition(kept.left, doc)
      // Text positions within one Y.XmlText are ProseMirror positions within one run of text.
      if (right === null || left === null || right.type !== left.type) return null
      const inserted = right.index - left.index
      const { $head } = state.selection
      if (inserted <= 0 || $head.parentOffset < inserted) return null
      return state.tr.setSelection(TextSelection.create(state.doc, $head.pos - inserted))
    },
  })
}
