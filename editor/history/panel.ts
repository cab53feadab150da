import './history.css'
import type { Node } from 'prosemirror-model'
import type { EditorView } from 'prosemirror-view'
import { readPresence } from '../../shared/presence.js'
import { schema } from '../../shared/schema.js'
import { MAX_LABEL_LENGTH, type VersionInfo } from '../../shared/versions.js'
import { HistoryApi } from './api.js'
import { renderPreview } from './preview.js'

/** Where the History panel lives and what it may do. */
export interface HistoryPanelOptions {
  /** The editor's root (`.quire`): the panel is laid out in it, beside the text, so it works embedded and narrow. */
  root: HTMLElement
  /** The editor's bar, which gets the History button. */
  bar: HTMLElement
  url: string
  doc: string
  /** The token at first; `update` gives it a new one. */
  token: string | undefined
  /** Without write access the panel only shows versions: no restoring, no saving. `update` changes it. */
  readOnly: boolean
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag)
  node.className = className
  if (text !== undefined) node.textContent = text
  return node
}

const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })

/**
 * The History panel: a button in the bar opens and closes a side panel listing the document's versions,
 * newest first (time, authors in their colours, label). Selecting one previews it read-only with
 * its changes since the version before highlighted; it can be restored (with write access), and
 * the current content can be saved as a named version. The list follows the server's `version`
 * events while the panel is open.
 */
export class HistoryPanel {
  private api: HistoryApi
  private readonly toggle = el('button', 'quire-tool quire-history-toggle', 'History')
  private readonly panel = el('aside', 'quire-history')
  private readonly list = el('ol', 'quire-versions')
  private readonly empty = el('p', 'quire-history-note', 'No versions yet. One is saved when editing pauses.')
  private readonly message = el('p', 'quire-history-message')
  private readonly previewHead = el('div', 'quire-preview-head')
  private readonly previewTitle = el('span', 'quire-preview-title')
  private readonly restoreButton = el('button', 'quire-history-action', 'Restore this version')
  private readonly previewHost = el('div', 'quire-preview')
  private readonly labelInput = el('input', 'quire-history-label')
  private readonly checkpointForm = el('form', 'quire-checkpoint')
  private preview: EditorView | null = null
  private versions: VersionInfo[] = []
  private selected: number | null = null
  private unwatch: (() => void) | null = null
  /** Bumped by each selection, so a slow answer for an earlier one is not shown over a later one. */
  private generation = 0

  constructor(private readonly options: HistoryPanelOptions) {
    this.api = new HistoryApi(options.url, options.doc, options.token)
    this.toggle.type = 'button'
    this.toggle.dataset.quire = 'history-toggle'
    this.toggle.setAttribute('aria-expanded', 'false')
    this.toggle.addEventListener('click', () => (this.isOpen ? this.close() : this.open()))
    options.bar.append(this.toggle)
    this.build()
    options.root.append(this.panel)
    options.root.addEventListener('keydown', this.onKey)
    this.allow(options.readOnly)
  }

  /**
   * Goes on with a new token or other rights (`setToken`, `setReadOnly`) as it is: an open panel
   * stays open, with what it shows, and follows new versions with the new token.
   */
  update(token: string | undefined, readOnly: boolean): void {
    this.api = new HistoryApi(this.options.url, this.options.doc, token)
    this.allow(readOnly)
    if (!this.isOpen) return
    this.unwatch?.()
    this.unwatch = this.api.watch(() => void this.refresh())
  }

  /** Saving and restoring are offered only to writers. */
  private allow(readOnly: boolean): void {
    this.checkpointForm.hidden = readOnly
    this.restoreButton.hidden = readOnly
  }

  // Escape closes the panel from anywhere in the editor, the text included (ProseMirror marks every
  // Escape as handled, so that is not asked; the link box keeps its own Escape to itself).
  private readonly onKey = (event: KeyboardEvent): void => {
    if (event.key === 'Escape' && this.isOpen) this.close()
  }

  get isOpen(): boolean {
    return !this.panel.hidden
  }

  open(): void {
    this.panel.hidden = false
    this.options.root.classList.add('quire-history-open')
    this.toggle.setAttribute('aria-expanded', 'true')
    this.unwatch = this.api.watch(() => void this.refresh())
    void this.refresh()
  }

  /** Hides the panel. Focus inside it goes to the History button; focus in the text stays there. */
  close(): void {
    const hadFocus = this.panel.contains(document.activeElement)
    this.panel.hidden = true
    this.options.root.classList.remove('quire-history-open')
    this.toggle.setAttribute('aria-expanded', 'false')
    this.unwatch?.()
    this.unwatch = null
    this.clearPreview()
    if (hadFocus) this.toggle.focus()
  }

  destroy(): void {
    this.unwatch?.()
    this.preview?.destroy()
    this.options.root.removeEventListener('keydown', this.onKey)
    this.options.root.classList.remove('quire-history-open')
    this.panel.remove()
    this.toggle.remove()
  }

  private build(): void {
    this.panel.dataset.quire = 'history'
    this.panel.hidden = true
    this.panel.setAttribute('aria-label', 'Version history')
    const head = el('header', 'quire-history-head')
    const title = el('h2', 'quire-history-title', 'Version history')
    const closeButton = el('button', 'quire-tool', '×')
    closeButton.type = 'button'
    closeButton.setAttribute('aria-label', 'Close version history')
    closeButton.addEventListener('click', () => this.close())
    head.append(title, closeButton)

    const form = this.checkpointForm
    this.labelInput.type = 'text'
    this.labelInput.maxLength = MAX_LABEL_LENGTH
    this.labelInput.placeholder = 'Name this version'
    this.labelInput.setAttribute('aria-label', 'Version name')
    const save = el('button', 'quire-history-action', 'Save version')
    save.type = 'submit'
    save.dataset.quire = 'checkpoint'
    form.append(this.labelInput, save)
    form.addEventListener('submit', (event) => {
      event.preventDefault()
      void this.checkpoint()
    })

    this.restoreButton.type = 'button'
    this.restoreButton.dataset.quire = 'restore'
    this.restoreButton.addEventListener('click', () => void this.restore())
    this.previewHead.append(this.previewTitle, this.restoreButton)
    this.previewHead.hidden = true
    this.message.setAttribute('role', 'status')
    this.panel.append(head, form, this.message, this.empty, this.list, this.previewHead, this.previewHost)
  }

  private async refresh(): Promise<void> {
    try {
      this.versions = await this.api.list()
    } catch (error) {
      this.say(`Could not load versions: ${(error as Error).message}`)
      return
    }
    this.empty.hidden = this.versions.length > 0
    this.list.replaceChildren(...this.versions.map((v) => this.item(v)))
  }

  private item(version: VersionInfo): HTMLLIElement {
    const li = el('li', 'quire-version-row')
    const button = el('button', 'quire-version')
    button.type = 'button'
    button.dataset.quire = 'version'
    button.dataset.id = String(version.id)
    button.setAttribute('aria-pressed', String(version.id === this.selected))
    const time = el('time', 'quire-version-time', timeFormat.format(new Date(version.at)))
    time.dateTime = version.at
    const authors = el('span', 'quire-version-authors')
    for (const author of version.authors) {
      const user = readPresence({ user: author })
      if (!user) continue
      const who = el('span', 'quire-version-author', user.name)
      who.style.setProperty('--quire-author', user.color)
      authors.append(who)
    }
    if (version.authors.length === 0) authors.textContent = version.auto ? 'Saved automatically' : ''
    button.append(time, authors)
    if (version.label !== null) button.append(el('span', 'quire-version-label', version.label))
    button.addEventListener('click', () => void this.select(version))
    li.append(button)
    return li
  }

  private async select(version: VersionInfo): Promise<void> {
    const generation = ++this.generation
    this.selected = version.id
    for (const button of this.list.querySelectorAll<HTMLButtonElement>('[data-quire="version"]')) button.setAttribute('aria-pressed', String(button.dataset.id === String(version.id)))
    const older = this.versions[this.versions.findIndex((v) => v.id === version.id) + 1]
    try {
      const [after, before] = await Promise.all([this.api.content(version.id), older ? this.api.content(older.id) : null])
      if (generation !== this.generation) return
      this.showPreview(version, older, before ? schema.nodeFromJSON(before) : emptyDoc(), schema.nodeFromJSON(after))
    } catch (error) {
      this.say(`Could not load version ${version.id}: ${(error as Error).message}`)
    }
  }

  private showPreview(version: VersionInfo, older: VersionInfo | undefined, before: Node, after: Node): void {
    this.clearPreview()
    this.previewTitle.textContent = older ? `Version ${version.id}: changes since version ${older.id}` : `Version ${version.id}: the first version`
    this.previewHead.hidden = false
    this.preview = renderPreview(this.previewHost, before, after, version.authors)
  }

  private clearPreview(): void {
    this.preview?.destroy()
    this.preview = null
    this.previewHost.replaceChildren()
    this.previewHead.hidden = true
  }

  private async restore(): Promise<void> {
    const id = this.selected
    if (id === null) return
    this.restoreButton.disabled = true
    try {
      const before = await this.api.restore(id)
      this.say(`Restored version ${id}. The content before is saved as version ${before.id}.`)
      await this.refresh()
    } catch (error) {
      this.say(`Could not restore: ${(error as Error).message}`)
    } finally {
      this.restoreButton.disabled = false
    }
  }

  private async checkpoint(): Promise<void> {
    const label = this.labelInput.value.trim()
    try {
      const version = await this.api.checkpoint(label === '' ? null : label)
      this.labelInput.value = ''
      this.say(`Saved as version ${version.id}.`)
      await this.refresh()
    } catch (error) {
      this.say(`Could not save: ${(error as Error).message}`)
    }
  }

  private say(text: string): void {
    this.message.textContent = text
  }
}

function emptyDoc(): Node {
  return schema.topNodeType.createAndFill()!
}
