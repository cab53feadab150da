import type { Mark, Node } from 'prosemirror-model'
import { type Command, type EditorState, Plugin, PluginKey, type PluginView, TextSelection } from 'prosemirror-state'
import { Decoration, DecorationSet, type EditorView } from 'prosemirror-view'
import { schema } from '../../shared/schema.js'
import { normalizeHref, pastedHref, safeUrl } from '../../shared/urls.js'
import { asOwnUndoStep } from './undo-steps.js'

const LINK = schema.marks.link

/** A stretch of text carrying one link mark. */
interface LinkRange {
  from: number
  to: number
  href: string
}

/** The link box's state: the range being linked while the box is open. */
interface LinkState {
  editing: { from: number; to: number } | null
}

const linkKey = new PluginKey<LinkState>('quire-links')

/** The whole link around `pos` (the run of text with the same link mark touching it), if any. */
export function linkAround(doc: Node, pos: number): LinkRange | null {
  const $pos = doc.resolve(pos)
  const parent = $pos.parent
  if (!parent.inlineContent) return null
  const after = $pos.index()
  const before = $pos.textOffset > 0 ? after : after - 1
  const markAt = (i: number): Mark | undefined => (i >= 0 && i < parent.childCount ? (LINK.isInSet(parent.child(i).marks) ?? undefined) : undefined)
  const index = markAt(after) ? after : markAt(before) ? before : -1
  const mark = markAt(index)
  if (!mark) return null
  let first = index
  let last = index
  while (markAt(first - 1)?.eq(mark)) first--
  while (markAt(last + 1)?.eq(mark)) last++
  let from = $pos.start()
  for (let i = 0; i < first; i++) from += parent.child(i).nodeSize
  let to = from
  for (let i = first; i <= last; i++) to += parent.child(i).nodeSize
  return { from, to, href: String(mark.attrs.href) }
}

function linkMarkOf(state: EditorState): Mark | undefined {
  const { $from, from, to, empty } = state.selection
  if (empty) return LINK.isInSet(state.storedMarks ?? $from.marks()) ?? undefined
  let found: Mark | undefined
  state.doc.nodesBetween(from, to, (node) => {
    found ??= LINK.isInSet(node.marks) ?? undefined
  })
  return found
}

/**
 * Opens the link box for the selection, or for the link the caret is in (to edit it). Bound to
 * Ctrl/Cmd+K and the toolbar's Link button; refuses (returns false) when there is nothing to link.
 */
export const openLinkBox: Command = (state, dispatch) => {
  const { from, to, empty } = state.selection
  const range = empty ? linkAround(state.doc, from) : { from, to }
  if (range === null || range.from === range.to) return false
  let linkable = false
  state.doc.nodesBetween(range.from, range.to, (node, _pos, parent) => {
    if (node.isText && parent?.type.allowsMarkType(LINK)) linkable = true
  })
  if (!linkable) return false
  dispatch?.(state.tr.setMeta(linkKey, { editing: { from: range.from, to: range.to } }))
  return true
}

/** Whether the toolbar's Link button shows pressed: the caret or selection is in a link. */
export function inLink(state: EditorState): boolean {
  return linkMarkOf(state) !== undefined
}

function setLink(view: EditorView, range: { from: number; to: number }, href: string | null): void {
  const tr = view.state.tr.removeMark(range.from, range.to, LINK)
  if (href !== null) tr.addMark(range.from, range.to, LINK.create({ href }))
  view.dispatch(asOwnUndoStep(tr.setMeta(linkKey, { editing: null })))
}

function button(text: string, onClick: () => void): HTMLButtonElement {
  const el = document.createElement('button')
  el.type = 'button'
  el.className = 'quire-bubble-button'
  el.textContent = text
  el.addEventListener('mousedown', (event) => event.preventDefault())
  el.addEventListener('click', onClick)
  return el
}

/**
 * The link bubble, floating under the text it is about. While the link box is open it is a form
 * (the address, Apply, Cancel), and the text being linked stays highlighted although focus is in
 * the form. Otherwise, when the caret is in a link or the pointer is on one, it shows the address
 * with Open, Edit and Remove. Only addresses `normalizeHref` accepts are stored, so unsafe schemes
 * stay refused.
 */
class LinkBubble implements PluginView {
  private readonly el = document.createElement('div')
  private readonly form = document.createElement('form')
  private readonly input = document.createElement('input')
  private readonly info = document.createElement('div')
  private readonly address = document.createElement('a')
  private hovered: LinkRange | null = null
  private shown: 'form' | 'info' | null = null

  constructor(private readonly view: EditorView) {
    this.el.className = 'quire-bubble'
    this.el.hidden = true
    this.buildForm()
    this.buildInfo()
    this.el.append(this.form, this.info)
    this.host().append(this.el)
    view.dom.addEventListener('mouseover', this.onPointer)
    view.dom.addEventListener('mouseleave', this.onLeave)
    this.el.addEventListener('mouseleave', this.onLeave)
  }

  private host(): HTMLElement {
    return (this.view.dom.closest('.quire') as HTMLElement | null) ?? this.view.dom.parentElement!
  }

  private buildForm(): void {
    this.form.className = 'quire-link-form'
    this.input.type = 'text'
    this.input.inputMode = 'url'
    this.input.placeholder = 'Paste or type a link'
    this.input.setAttribute('aria-label', 'Link address')
    const apply = document.createElement('button')
    apply.type = 'submit'
    apply.className = 'quire-bubble-button quire-primary'
    apply.textContent = 'Apply'
    const cancel = button('Cancel', () => this.close())
    this.form.append(this.input, apply, cancel)
    this.form.addEventListener('submit', (event) => {
      event.preventDefault()
      const editing = linkKey.getState(this.view.state)?.editing
      const href = normalizeHref(this.input.value)
      if (!editing) return
      if (href === null) {
        this.input.setCustomValidity('Use a web address (example.com), a mailto: or a relative link')
        this.input.reportValidity()
        return
      }
      setLink(this.view, editing, href)
      this.view.focus()
    })
    this.input.addEventListener('input', () => this.input.setCustomValidity(''))
    this.input.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') {
        // Escape closes the box only, not also the History panel the editor would close on it.
        event.preventDefault()
        event.stopPropagation()
        this.close()
      }
    })
  }

  private buildInfo(): void {
    this.info.className = 'quire-link-info'
    this.address.className = 'quire-link-address'
    this.address.target = '_blank'
    this.address.rel = 'noopener noreferrer'
    const open = button('Open', () => {
      const link = this.current()
      if (link && safeUrl(link.href) !== null) window.open(link.href, '_blank', 'noopener,noreferrer')
    })
    const edit = button('Edit', () => {
      const link = this.current()
      if (link) this.view.dispatch(this.view.state.tr.setMeta(linkKey, { editing: { from: link.from, to: link.to } }))
    })
    const remove = button('Remove', () => {
      const link = this.current()
      if (link) setLink(this.view, link, null)
      this.hovered = null
      this.view.focus()
    })
    this.info.append(this.address, open, edit, remove)
  }

  /** The link the bubble is about: under the caret first, else under the pointer. */
  private current(): LinkRange | null {
    const { selection, doc } = this.view.state
    if (selection.empty) {
      const atCaret = linkAround(doc, selection.from)
      if (atCaret) return atCaret
    }
    return this.hovered && this.hovered.to <= doc.content.size ? linkAround(doc, this.hovered.from + 1) : null
  }

  private readonly onPointer = (event: MouseEvent): void => {
    const anchor = (event.target as Element | null)?.closest?.('a[href]')
    if (!anchor || !this.view.dom.contains(anchor)) return
    const pos = this.view.posAtDOM(anchor, 0)
    const link = linkAround(this.view.state.doc, pos + 1) ?? linkAround(this.view.state.doc, pos)
    if (link && (link.from !== this.hovered?.from || link.to !== this.hovered?.to)) {
      this.hovered = link
      this.update(this.view)
    }
  }

  private readonly onLeave = (event: MouseEvent): void => {
    const to = event.relatedTarget as Node | null
    if (to && (this.el.contains(to as unknown as globalThis.Node) || this.view.dom.contains(to as unknown as globalThis.Node))) return
    if (this.hovered === null) return
    this.hovered = null
    this.update(this.view)
  }

  private close(): void {
    this.view.dispatch(this.view.state.tr.setMeta(linkKey, { editing: null }))
    this.view.focus()
  }

  update(view: EditorView): void {
    const editing = linkKey.getState(view.state)?.editing ?? null
    if (editing && view.editable) {
      if (this.shown !== 'form') {
        const existing = linkAround(view.state.doc, editing.from + 1)
        this.input.value = existing && existing.from === editing.from ? existing.href : ''
        this.show('form', editing.to)
        this.input.focus()
        this.input.select()
      }
      return
    }
    const link = view.editable || this.hovered ? this.current() : null
    if (link === null) return this.hide()
    this.address.href = safeUrl(link.href) ?? '#'
    this.address.textContent = link.href
    for (const action of this.info.querySelectorAll('button')) if (action.textContent !== 'Open') action.hidden = !view.editable
    this.show('info', link.to)
  }

  private show(mode: 'form' | 'info', pos: number): void {
    this.shown = mode
    this.form.hidden = mode !== 'form'
    this.info.hidden = mode !== 'info'
    this.el.hidden = false
    const at = this.view.coordsAtPos(Math.min(pos, this.view.state.doc.content.size))
    const box = this.host().getBoundingClientRect()
    const left = Math.max(0, Math.min(at.left - box.left, box.width - this.el.offsetWidth - 4))
    this.el.style.left = `${left}px`
    this.el.style.top = `${at.bottom - box.top + 6}px`
  }

  private hide(): void {
    this.shown = null
    this.el.hidden = true
  }

  destroy(): void {
    this.view.dom.removeEventListener('mouseover', this.onPointer)
    this.view.dom.removeEventListener('mouseleave', this.onLeave)
    this.el.remove()
  }
}

/**
 * Links: the link box (`openLinkBox`, Ctrl/Cmd+K), its bubble, and pasting a URL over selected text,
 * which links that text instead of replacing it.
 */
export function linksPlugin(): Plugin<LinkState> {
  return new Plugin<LinkState>({
    key: linkKey,
    state: {
      init: () => ({ editing: null }),
      apply(tr, value) {
        const meta = tr.getMeta(linkKey) as LinkState | undefined
        if (meta) return meta
        if (!value.editing || !tr.docChanged) return value
        const from = tr.mapping.map(value.editing.from, 1)
        const to = tr.mapping.map(value.editing.to, -1)
        if (from < to) return { editing: { from, to } }
        // y-prosemirror redraws the whole document on some remote changes, which collapses any
        // mapped range; it restores the selection afterwards, so the range is found from that.
        const { selection, doc } = tr
        const again = selection.empty ? linkAround(doc, selection.from) : { from: selection.from, to: selection.to }
        return { editing: again }
      },
    },
    props: {
      decorations(state) {
        const editing = linkKey.getState(state)?.editing
        return editing ? DecorationSet.create(state.doc, [Decoration.inline(editing.from, editing.to, { class: 'quire-link-target' })]) : null
      },
      handlePaste(view, event) {
        const { state } = view
        if (state.selection.empty || !(state.selection instanceof TextSelection)) return false
        const href = pastedHref(event.clipboardData?.getData('text/plain') ?? '')
        if (href === null) return false
        const { from, to } = state.selection
        view.dispatch(asOwnUndoStep(state.tr.removeMark(from, to, LINK).addMark(from, to, LINK.create({ href }))))
        return true
      },
    },
    view: (view) => new LinkBubble(view),
  })
}
