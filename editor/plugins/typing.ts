import { Plugin, PluginKey, type PluginView } from 'prosemirror-state'
import type { EditorView } from 'prosemirror-view'
import { ySyncPluginKey } from 'y-prosemirror'
import type { Awareness } from 'y-protocols/awareness'

/** How long after the last keystroke a user still counts as typing. */
const TYPING_FOR_MS = 2000

const typingKey = new PluginKey<number>('quire-typing')

/**
 * Publishes `typing: true` in this user's awareness while they edit, and `false` once they pause.
 * Plugin state counts local document changes only: transactions that y-prosemirror made to mirror a
 * remote edit carry `isChangeOrigin` and must not mark this user as typing.
 */
export function typingPlugin(awareness: Awareness): Plugin<number> {
  return new Plugin<number>({
    key: typingKey,
    state: {
      init: () => 0,
      apply: (tr, edits) => (tr.docChanged && !tr.getMeta(ySyncPluginKey)?.isChangeOrigin ? edits + 1 : edits),
    },
    view: (view) => new TypingView(view, awareness),
  })
}

class TypingView implements PluginView {
  private edits: number
  private timer: ReturnType<typeof setTimeout> | undefined

  constructor(
    view: EditorView,
    private readonly awareness: Awareness,
  ) {
    this.edits = typingKey.getState(view.state) ?? 0
  }

  update(view: EditorView): void {
    const edits = typingKey.getState(view.state) ?? 0
    if (edits === this.edits) return
    this.edits = edits
    if (this.awareness.getLocalState()?.typing !== true) this.awareness.setLocalStateField('typing', true)
    clearTimeout(this.timer)
    this.timer = setTimeout(() => this.awareness.setLocalStateField('typing', false), TYPING_FOR_MS)
  }

  destroy(): void {
    clearTimeout(this.timer)
  }
}
