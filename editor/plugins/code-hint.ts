import { Plugin } from 'prosemirror-state'
import { Decoration, DecorationSet } from 'prosemirror-view'

const isMac = typeof navigator !== 'undefined' && /Mac|iP(hone|ad)/.test(navigator.platform)

/** What the code block under the caret says about leaving it (the keymap implements all three). */
export const CODE_EXIT_HINT = `${isMac ? '⌘' : 'Ctrl'}+Enter, Enter on an empty last line or ↓ at the end leaves the code block`

/**
 * Marks the code block holding the caret with `data-hint`, which the stylesheet shows under it:
 * people who typed three backticks otherwise do not know how to get back to normal text.
 */
export function codeHintPlugin(): Plugin {
  return new Plugin({
    props: {
      decorations(state) {
        const { $head } = state.selection
        if (!$head.parent.type.spec.code || $head.depth === 0) return null
        const start = $head.before()
        return DecorationSet.create(state.doc, [Decoration.node(start, start + $head.parent.nodeSize, { class: 'quire-code-active', 'data-hint': CODE_EXIT_HINT })])
      },
    },
  })
}
