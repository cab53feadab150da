import { Plugin, type PluginView } from 'prosemirror-state'
import type { Awareness } from 'y-protocols/awareness'
import { buildCaret } from '../cursors.js'

/** How long a caret's name stays up after its person moved. */
const LABEL_SHOWN_MS = 2500

/**
 * Shows a remote caret's name label for a moment after that person moves or types, then fades it
 * (CSS keeps it hidden otherwise, and shows it on hover). A move is a change of the `cursor` field
 * of their awareness state. The caret elements are the ones `build` made for y-prosemirror (it
 * keeps a caret's element while only its position changes), so finding them costs nothing however
 * long the document is; the check runs in the view's `update`, after y-prosemirror redrew the
 * carets, and the label is animated with the Web Animations API so no timer is kept.
 */
export class CaretLabels {
  private readonly carets = new Map<number, HTMLElement>()
  private readonly seen = new Map<number, string>()

  constructor(private readonly awareness: Awareness) {}

  /** y-prosemirror's `cursorBuilder`: `buildCaret`, remembering the element for its label. */
  readonly build = (user: unknown, clientId: number): HTMLElement => {
    const caret = buildCaret(user, clientId)
    this.carets.set(clientId, caret)
    return caret
  }

  /** The plugin whose view flashes the labels of the carets `build` made. */
  plugin(): Plugin {
    return new Plugin({
      view: (): PluginView => {
        this.flashMoved()
        return { update: () => this.flashMoved() }
      },
    })
  }

  private flashMoved(): void {
    const states = this.awareness.getStates()
    for (const [id, caret] of this.carets) {
      const state = states.get(id)
      if (state === undefined) {
        this.carets.delete(id)
        this.seen.delete(id)
        continue
      }
      const where = JSON.stringify(state.cursor ?? null)
      if (this.seen.get(id) === where) continue
      this.seen.set(id, where)
      if (caret.isConnected) caret.querySelector('div')?.animate([{ opacity: 1 }, { opacity: 1, offset: 0.8 }, { opacity: 0 }], { duration: LABEL_SHOWN_MS, easing: 'ease-in' })
    }
  }
}
