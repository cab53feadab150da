import { lift, setBlockType, toggleMark, wrapIn } from 'prosemirror-commands'
import type { MarkType, NodeType } from 'prosemirror-model'
import { type Command, type EditorState, Plugin, type PluginView } from 'prosemirror-state'
import { liftListItem, wrapInList } from 'prosemirror-schema-list'
import type { EditorView } from 'prosemirror-view'
import { redoCommand, undoCommand } from 'y-prosemirror'
import { schema } from '../../shared/schema.js'
import { safeUrl } from '../../shared/urls.js'

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

function insideNode(state: EditorState, type: NodeType): boolean {
  const { $from } = state.selection
  for (let depth = $from.depth; depth > 0; depth--) if ($from.node(depth).type === type) return true
  return false
}

function textblockIs(state: EditorState, type: NodeType, attrs?: Record<string, unknown>): boolean {
  return state.selection.$from.parent.hasMarkup(type, attrs)
}

// Block buttons toggle: pressing "Heading 1" inside a heading 1 turns it back into a paragraph,
// pressing "Bullet list" inside one lifts the item out, as in every word processor.
function toggleBlock(type: NodeType, attrs?: Record<string, unknown>): Command {
  return (state, dispatch) =>
    textblockIs(state, type, attrs) ? setBlockType(nodes.paragraph)(state, dispatch) : setBlockType(type, attrs)(state, dispatch)
}

function toggleList(type: NodeType): Command {
  return (state, dispatch) => (insideNode(state, type) ? liftListItem(nodes.list_item)(state, dispatch) : wrapInList(type)(state, dispatch))
}

function toggleQuote(state: EditorState, dispatch?: EditorView['dispatch']): boolean {
  return insideNode(state, nodes.blockquote) ? lift(state, dispatch) : wrapIn(nodes.blockquote)(state, dispatch)
}

const ITEMS: Item[][] = [
  [
    { label: 'Bold', glyph: 'B', shortcut: 'Mod-B', run: toggleMark(marks.strong), active: (s) => markActive(s, marks.strong) },
    { label: 'Italic', glyph: 'I', shortcut: 'Mod-I', run: toggleMark(marks.em), active: (s) => markActive(s, marks.em) },
    { label: 'Inline code', glyph: '</>', shortcut: 'Mod-`', run: toggleMark(marks.code), active: (s) => markActive(s, marks.code) },
  ],
  [
    { label: 'Heading 1', glyph: 'H1', shortcut: 'Shift-Ctrl-1', run: toggleBlock(nodes.heading, { level: 1 }), active: (s) => textblockIs(s, nodes.heading, { level: 1 }) },
    { label: 'Heading 2', glyph: 'H2', shortcut: 'Shift-Ctrl-2', run: toggleBlock(nodes.heading, { level: 2 }), active: (s) => textblockIs(s, nodes.heading, { level: 2 }) },
    { label: 'Bullet list', glyph: '•', shortcut: 'Shift-Ctrl-8', run: toggleList(nodes.bullet_list), active: (s) => insideNode(s, nodes.bullet_list) },
    { label: 'Numbered list', glyph: '1.', shortcut: 'Shift-Ctrl-9', run: toggleList(nodes.ordered_list), active: (s) => insideNode(s, nodes.ordered_list) },
    { label: 'Quote', glyph: '❝', shortcut: 'Ctrl->', run: toggleQuote, active: (s) => insideNode(s, nodes.blockquote) },
    { label: 'Code block', glyph: '{ }', shortcut: 'Shift-Ctrl-\\', run: toggleBlock(nodes.code_block), active: (s) => textblockIs(s, nodes.code_block) },
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

function button(label: string, glyph: string, title: string): HTMLButtonElement {
  const el = document.createElement('button')
  el.type = 'button'
  el.className = 'quire-tool'
  el.textContent = glyph
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
 * The link button opens an inline field (no blocking dialog) and accepts only safe URLs.
 */
class ToolbarView implements PluginView {
  private readonly root = document.createElement('div')
  private readonly buttons: Array<{ item: Item; el: HTMLButtonElement }> = []
  private readonly linkButton = button('Link', 'Link', 'Link (select text first)')
  private readonly linkForm = document.createElement('form')
  private readonly linkInput = document.createElement('input')

  constructor(
    private readonly view: EditorView,
    host: HTMLElement,
  ) {
    this.root.className = 'quire-toolbar'
    this.root.setAttribute('role', 'toolbar')
    this.root.setAttribute('aria-label', 'Formatting')
    for (const group of ITEMS) {
      const groupEl = document.createElement('div')
      groupEl.className = 'quire-tool-group'
      for (const item of group) {
        const el = button(item.label, item.glyph, describe(item))
        el.addEventListener('click', () => {
          item.run(this.view.state, this.view.dispatch, this.view)
          this.view.focus()
        })
        this.buttons.push({ item, el })
        groupEl.append(el)
      }
      if (group === ITEMS[0]) groupEl.append(this.linkButton)
      this.root.append(groupEl)
    }
    this.linkButton.addEventListener('click', () => this.onLink())
    this.buildLinkForm()
    this.root.append(this.linkForm)
    host.append(this.root)
    this.update()
  }

  private buildLinkForm(): void {
    this.linkForm.className = 'quire-link-form'
    this.linkForm.hidden = true
    this.linkInput.type = 'url'
    this.linkInput.placeholder = 'https://…'
    this.linkInput.setAttribute('aria-label', 'Link address')
    const apply = document.createElement('button')
    apply.type = 'submit'
    apply.textContent = 'Add link'
    this.linkForm.append(this.linkInput, apply)
    this.linkForm.addEventListener('submit', (event) => {
      event.preventDefault()
      const href = safeUrl(this.linkInput.value.trim())
      if (href === null || href === '') {
        this.linkInput.setCustomValidity('Use an http(s), mailto or relative address')
        this.linkInput.reportValidity()
        return
      }
      toggleMark(marks.link, { href })(this.view.state, this.view.dispatch)
      this.closeLinkForm()
    })
    this.linkInput.addEventListener('input', () => this.linkInput.setCustomValidity(''))
    this.linkInput.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') this.closeLinkForm()
    })
  }

  private onLink(): void {
    const { state, dispatch } = this.view
    if (markActive(state, marks.link)) {
      toggleMark(marks.link)(state, dispatch)
      this.view.focus()
      return
    }
    this.linkForm.hidden = false
    this.linkInput.value = ''
    this.linkInput.focus()
  }

  private closeLinkForm(): void {
    this.linkForm.hidden = true
    this.view.focus()
  }

  update(): void {
    const { state, editable } = this.view
    for (const { item, el } of this.buttons) {
      el.disabled = !editable || !item.run(state)
      if (item.active) el.setAttribute('aria-pressed', String(item.active(state)))
    }
    const onLink = markActive(state, marks.link)
    this.linkButton.setAttribute('aria-pressed', String(onLink))
    this.linkButton.disabled = !editable || (!onLink && (state.selection.empty || !toggleMark(marks.link, { href: '' })(state)))
    // A read-only switch while the link field is open must not leave a way to edit.
    if (!editable) this.linkForm.hidden = true
  }

  destroy(): void {
    this.root.remove()
  }
}

/** The toolbar plugin; its view lives in `host` (the editor's bar), outside the editable. */
export function toolbarPlugin(host: HTMLElement): Plugin {
  return new Plugin({ view: (view) => new ToolbarView(view, host) })
}
