import { Plugin } from 'prosemirror-state'
import { ySyncPluginKey } from 'y-prosemirror'

/**
 * While `readOnly()` holds, refuses every transaction that would change the document here, such as
 * one an embedding app dispatches through `editor.view`, so a read-only editor has nothing of its
 * own to send. Transactions that mirror the shared document (ySync marks them) always pass: others'
 * edits keep arriving.
 */
export function readOnlyGuard(readOnly: () => boolean): Plugin {
  return new Plugin({
    filterTransaction: (tr) => !tr.docChanged || !readOnly() || tr.getMeta(ySyncPluginKey)?.isChangeOrigin === true,
  })
}
