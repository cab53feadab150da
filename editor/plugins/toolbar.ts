import { toggleMark } from 'prosemirror-commands'
import type { MarkType } from 'prosemirror-model'
import { type Command, type EditorState, Plugin, type PluginView } from 'prosemirror-state'
import type { EditorView } from 'prosemirror-view'
import { redoCommand, undoCommand } from 'y-prosemirror'
import { schema } from '../../shared/schema.js'
import { blockIs, inQuote, listIs, toggleBlock, toggleList, toggleQuote } from '../commands.js'
import { inLink, openLinkBox } from './links.js'
import { ownUndoStep } from './undo-steps.js'

const { nodes, marks } = schema

interface Item {
  /** Accessible name, also the tooltip (with the shortcut). */
  label: string
  /** What the button shows. */
  glyph: string
  shortcut?: string
  run: Command
  active?: (state: EditorState) => boolean
}

function markActive(state: EditorState, type: MarkType): boolean {
  const { from, $from, to, empty } = state.selection
  if (empty) return type.isInSet(state.storedMarks ?? $from.marks()) !== undefined
  return state.doc.rangeHasMark(from, to, type)
}

const ITEMS: Item[][] = [
  [
    { label: 'Bold', glyph: 'B', shortcut: 'Mod-B', run: ownUndoStep(toggleMark(marks.strong)), active: (s) => markActive(s, marks.strong) },
    { label: 'Italic', glyph: 'I', shortcut: 'Mod-I', run: ownUndoStep(toggleMark(marks.em)), active: (s) => markActive(s, marks.em) },
    { label: 'Inline code', glyph: '</>', shortcut: 'Mod-`', run: ownUndoStep(toggleMark(marks.code)), active: (s) => markActive(s, marks.code) },
  ],
  [
    { label: 'Heading 1', glyph: 'H1', shortcut: 'Shift-Ctrl-1', run: ownUndoStep(toggleBlock(nodes.heading, { level: 1 })), active: (s) => blockIs(s, nodes.heading, { level: 1 }) },
    { label: 'Heading 2', glyph: 'H2', shortcut: 'Shift-Ctrl-2', run: ownUndoStep(toggleBlock(nodes.heading, { level: 2 })), active: (s) => blockIs(s, nodes.heading, { level: 2 }) },
    { label: 'Bullet list', glyph: '•', shortcut: 'Shift-Ctrl-8', run: ownUndoStep(toggleList(nodes.bullet_list)), active: (s) => listIs(s, nodes.bullet_list) },
    { label: 'Numbered list', glyph: '1.', shortcut: 'Shift-Ctrl-9', run: ownUndoStep(toggleList(nodes.ordered_list)), active: (s) => listIs(s, nodes.ordered_list) },
    { label: 'Quote', glyph: '❝', shortcut: 'Ctrl->', run: ownUndoStep(toggleQuote), active: inQuote },
    { label: 'Code block', glyph: '{ }', shortcut: 'Shift-Ctrl-\\', run: ownUndoStep(toggleBlock(nodes.code_block)), active: (s) => blockIs(s, nodes.code_block) },
  ],
  [
    { label: 'Undo', glyph: '↶', shortcut: 'Mod-Z', run: undoCommand },
    { label: 'Redo', glyph: '↷', shortcut: 'Shift-Mod-Z', run: redoCommand },
  ],
]

const isMac = typeof navigator !== 'undefined' && /Mac|iP(hone|ad)/.test(navigator.platform)

function describe(item: Pick<Item, 'label' | 'shortcut'>): string {
  return item.shortcut ? `${item.label} (${item.shortcut.replace('Mod', isMac ? '⌘' : 'Ctrl')})` : item.label
}

const LINK_ITEM: Item = { label: 'Link', glyph: 'Link', shortcut: 'Mod-K', run: openLinkBox, active: inLink }

function button(label: string, glyph: string, title: string): HTMLButtonElement {
  const el = document.createElement('button')
  el.type = 'button'
  el.className = 'quire-tool'
  el.textContent = glyph
  el.tabIndex = -1
  el.setAttribute('aria-label', label)
  el.title = title
  // Keep the editor's selection: a click must not move focus out of the document first.
  el.addEventListener('mousedown', (event) => event.preventDefault())
  return el
}

/**
 * The formatting toolbar. Each button is enabled exactly when its command could run now, found by
 * dry-running the command (calling it without `dispatch`), and shows `aria-pressed` for the marks
 * and blocks under the cursor, so the toolbar can never offer something the keyboard could not do.
 * An editor that cannot be edited (view only, or its document was deleted) disables every button.
 *
 * Keyboard: the WAI-ARIA toolbar pattern. The toolbar is one Tab stop (roving tabindex: only the
 * current button has `tabindex=0`); Left/Right move between enabled buttons, Home/End jump to the
 * ends. It is one row: on a narrow screen it scrolls sideways instead of wrapping.
 */
class ToolbarView implements PluginView {
  private readonly root = document.createElement('div')
  private readonly buttons: Array<{ item: Item; el: HTMLButtonElement }> = []
  private current = 0

  constructor(
    private readonly view: EditorView,
    host: HTMLElement,
  ) {
    this.root.className = 'quire-toolbar'
    this.root.setAttribute('role', 'toolbar')
    this.root.setAttribute('aria-label', 'Formatting')
    const groups = ITEMS.map((group, index) => (index === 0 ? [...group, LINK_ITEM] : group))
    for (const group of groups) {
      const groupEl = document.createElement('div')
      groupEl.className = 'quire-tool-group'
      groupEl.setAttribute('role', 'group')
      for (const item of group) {
        const el = button(item.label, item.glyph, describe(item))
        el.addEventListener('click', () => {
          this.current = this.buttons.findIndex((b) => b.el === el)
          // The link box takes focus itself; every other command returns the user to the text.
          const ran = item.run(this.view.state, this.view.dispatch, this.view)
          if (!(ran && item === LINK_ITEM)) this.view.focus()
        })
        this.buttons.push({ item, el })
        groupEl.append(el)
      }
      this.root.append(groupEl)
    }
    this.root.addEventListener('keydown', this.onKey)
    host.append(this.root)
    this.update()
  }

  private readonly onKey = (event: KeyboardEvent): void => {
    const enabled = this.buttons.map((b, i) => (b.el.disabled ? -1 : i)).filter((i) => i >= 0)
    if (enabled.length === 0) return
    const at = Math.max(0, enabled.indexOf(this.current))
    let next: number | undefined
    if (event.key === 'ArrowRight') next = enabled[(at + 1) % enabled.length]
    else if (event.key === 'ArrowLeft') next = enabled[(at - 1 + enabled.length) % enabled.length]
    else if (event.key === 'Home') next = enabled[0]
    else if (event.key === 'End') next = enabled.at(-1)
    else if (event.key === 'Escape') {
      this.view.focus()
      return
    }
    if (next === undefined) return
    event.preventDefault()
    this.current = next
    this.rove()
    this.buttons[next]!.el.focus()
  }

  /** Gives the one Tab stop to the current button, or the first enabled one if it is disabled. */
  private rove(): void {
    if (this.buttons[this.current]?.el.disabled) {
      const first = this.buttons.findIndex((b) => !b.el.disabled)
      if (first >= 0) this.current = first
    }
    for (const [i, { el }] of this.buttons.entries()) {
      const tabIndex = i === this.current ? 0 : -1
      if (el.tabIndex !== tabIndex) el.tabIndex = tabIndex
    }
  }

  /** Moves focus into the toolbar (Alt+F10, as in word processors). */
  focus(): void {
    this.rove()
    this.buttons[this.current]?.el.focus()
  }

  // Runs on every keystroke: only attributes that change are written, since every DOM write makes
  // the browser recompute style and layout before the next frame.
  update(): void {
    const { state } = this.view
    const editable = this.view.editable
    for (const { item, el } of this.buttons) {
      const disabled = !editable || !item.run(state)
      if (el.disabled !== disabled) el.disabled = disabled
      const pressed = item.active && String(item.active(state))
      if (pressed && el.getAttribute('aria-pressed') !== pressed) el.setAttribute('aria-pressed', pressed)
    }
    this.rove()
  }

  destroy(): void {
    this.root.remove()
  }
}

/** The toolbar plugin; its view lives in `host` (the editor's bar), outside the editable. */
export function toolbarPlugin(host: HTMLElement): Plugin {
  return new Plugin({
    view: (view) => {
      const toolbar = new ToolbarView(view, host)
      toolbars.set(view, toolbar)
      return toolbar
    },
  })
}

const toolbars = new WeakMap<EditorView, ToolbarView>()

/** Focuses the toolbar of the editor (Alt+F10), at the button last used. */
export const focusToolbar: Command = (_state, dispatch, view) => {
  const toolbar = view && toolbars.get(view)
  if (!toolbar) return false
  if (dispatch) toolbar.focus()
  return true
}
