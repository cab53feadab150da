import { Plugin, type PluginView } from 'prosemirror-state'
import type { EditorView } from 'prosemirror-view'
import type { Awareness } from 'y-protocols/awareness'

/** How long a caret's name stays up after its person moved. */
const LABEL_SHOWN_MS = 2500

/**
 * Shows a remote caret's name label for a moment after that person moves or types, then fades it
 * (CSS keeps it hidden otherwise, and shows it on hover). A move is a change of the `cursor` field
 * of their awareness state; the label is found after y-prosemirror redrew the carets, which is why
 * this runs in the view's `update`, and animated with the Web Animations API so no timer is kept.
 */
class CaretLabels implements PluginView {
  private readonly seen = new Map<string, string>()

  constructor(
    view: EditorView,
    private readonly awareness: Awareness,
  ) {
    this.update(view)
  }

  update(view: EditorView): void {
    const states = this.awareness.getStates()
    for (const caret of view.dom.querySelectorAll<HTMLElement>('.ProseMirror-yjs-cursor[data-client-id]')) {
      const id = caret.dataset.clientId!
      const where = JSON.stringify(states.get(Number(id))?.cursor ?? null)
      if (this.seen.get(id) === where) continue
      this.seen.set(id, where)
      const label = caret.querySelector('div')
      label?.animate([{ opacity: 1 }, { opacity: 1, offset: 0.8 }, { opacity: 0 }], { duration: LABEL_SHOWN_MS, easing: 'ease-in' })
    }
  }
}

/** The plugin that flashes remote carets' name labels when their people move. */
export function caretLabelsPlugin(awareness: Awareness): Plugin {
  return new Plugin({ view: (view) => new CaretLabels(view, awareness) })
}
