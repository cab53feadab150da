import { Plugin } from 'prosemirror-state'
import { Decoration, DecorationSet } from 'prosemirror-view'

/**
 * Shows `text` in an empty document (one empty paragraph), as a decoration: it is never part of the
 * document, so it is not synced, counted or exported. An editor that cannot be edited shows nothing.
 */
export function placeholderPlugin(text: string): Plugin {
  return new Plugin({
    props: {
      decorations(state) {
        const { doc } = state
        const only = doc.firstChild
        if (text === '' || doc.childCount !== 1 || only === null || !only.isTextblock || only.content.size > 0) return null
        return DecorationSet.create(doc, [Decoration.node(0, only.nodeSize, { class: 'quire-placeholder', 'data-placeholder': text })])
      },
    },
  })
}
