import type { Schema } from 'prosemirror-model'
import { EditorState, type Transaction } from 'prosemirror-state'
import { EditorView } from 'prosemirror-view'
import { ySyncPluginKey, yUndoPluginKey } from 'y-prosemirror'
import type { Awareness } from 'y-protocols/awareness'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { type FormatName, isFormatName } from '../shared/content/catalog.js'
import { htmlParser } from '../shared/content/html-codec.js'
import { QUIRE_MAP, REPLACED_KEY } from '../shared/content/replaced.js'
import { docNameToSegment } from '../shared/doc-name.js'
import { CloseCode } from '../shared/protocol.js'
import { type MarkName, type NodeName, schema as quireSchema } from '../shared/schema.js'
import { Connection } from './connection.js'
import { EDITOR_FORMATS } from './content.js'
import { type ConnectionState, type EditorEvents, type EditorListener, Emitter, type Person } from './events.js'
import { HistoryPanel } from './history/panel.js'
import { followWidth } from './narrow.js'
import { followBrowserNetwork } from './network.js'
import { keepOffline } from './offline.js'
import { checkOptions, checkToken, checkUser, type EditorOptions, type EditorUser } from './options.js'
import { people } from './people.js'
import { editorPlugins } from './plugins.js'

export { FORMAT_NAMES, type FormatName } from '../shared/content/catalog.js'
export { ContentError } from '../shared/content/limits.js'
export type { MarkName, NodeName } from '../shared/schema.js'
export { type ConnectionState, EditorError, type EditorEvents, type EditorListener, type Person } from './events.js'
export type { EditorOptions, EditorTheme, EditorUser } from './options.js'

/**
 * quire's document schema (ProseMirror's basic schema plus lists, links and images limited to safe
 * URLs), for building nodes to insert through `editor.view` or reading `editor.view.state.doc`.
 */
export const schema: Schema<NodeName, MarkName> = quireSchema

/** A running editor. Everything it holds is exposed so embedders can build on it. */
export interface Editor {
  /** The ProseMirror view: its `state.doc` is what the user sees. */
  readonly view: EditorView
  /** The Yjs document; its content lives in `ydoc.getXmlFragment('prosemirror')`. */
  readonly ydoc: Y.Doc
  /** The official y-websocket provider that syncs `ydoc` with the server. */
  readonly provider: WebsocketProvider
  /** Presence: this user's `user` field and everyone else's. */
  readonly awareness: Awareness
  /** The connection state now (`status` events report each change). */
  readonly status: ConnectionState
  /**
   * Everyone present now, this user first (`presence` events report each change). Read it to draw a
   * first list: alone in a document, no `presence` event comes.
   */
  readonly people: Person[]
  /** Whether editing is off (the `readOnly` option, `setReadOnly`, or the document was deleted). */
  readonly readOnly: boolean
  /** Calls `listener` on every `event` until `off` (or the returned function) removes it. */
  on<K extends keyof EditorEvents>(event: K, listener: EditorListener<K>): () => void
  off<K extends keyof EditorEvents>(event: K, listener: EditorListener<K>): void
  /**
   * Turns editing off or on. While read-only the document cannot be changed from the page, the
   * toolbar is disabled and no document update leaves this client (presence still does). It does
   * not grant rights: a server that gave this client a read-only token still drops its edits.
   */
  setReadOnly(readOnly: boolean): void
  /** Changes the name and colour others see, live. Throws `TypeError` for an invalid user. */
  setUser(user: EditorUser): void
  /**
   * Reconnects with a new access token (or none), keeping the document and any edits not yet
   * sent: they are sent on the new connection. Also resumes after a final 4401 close.
   */
  setToken(token: string | undefined): void
  /** The document as `markdown` (default), `html`, `text` or `json` (ProseMirror JSON). */
  getContent(format?: FormatName): string
  /**
   * Replaces the document with `content` read as `format` (default `markdown`), as one edit: peers
   * see it live, concurrent edits merge, and undo takes it back. Throws `ContentError` for JSON
   * that is not a quire document, and an `Error` while read-only. Before the first `synced` event
   * the server's content is not here yet, so it is not replaced: it merges in beside `content`.
   */
  setContent(content: string, format?: FormatName): void
  /** Closes the socket, clears this user's presence and removes the editor from the page. */
  destroy(): void
}

function checkFormat(format: unknown): FormatName {
  if (typeof format !== 'string' || !isFormatName(format)) throw new TypeError(`quire editor: unknown format ${JSON.stringify(format)}`)
  return format
}

/**
 * Mounts a collaborative editor for `options.doc` inside `element`. The ProseMirror view is bound
 * to `ydoc.getXmlFragment('prosemirror')` and synced through the official `y-websocket` provider,
 * so quire's editor and any other y-websocket client edit the same document. Every argument is
 * checked first (a `TypeError` names the wrong one) and nothing is opened before; if construction
 * fails later, what was built is taken down again.
 */
export function createEditor(element: HTMLElement, options: EditorOptions): Editor {
  const checked = checkOptions(element, options)
  const events = new Emitter()
  // Construction in order, each step leaving how to undo it: `destroy()` and a failed construction
  // both run these backwards.
  const undo: Array<() => void> = []
  const teardown = (): void => {
    for (let step = undo.pop(); step !== undefined; step = undo.pop()) {
      try {
        step()
      } catch (error) {
        reportError(error)
      }
    }
    events.clear()
  }

  try {
    let readOnly = checked.readOnly
    let deleted = false
    let destroyed = false
    const ydoc = new Y.Doc()
    undo.push(() => ydoc.destroy())
    // A read-only viewer has nothing of its own to keep, and an offline copy of a document it cannot
    // edit would only go stale; the copy starts when editing does.
    let persistence: ReturnType<typeof keepOffline> | null = null
    const keepOfflineIfEditing = (): void => {
      if (checked.offline && !readOnly && persistence === null) persistence = keepOffline(checked.url, checked.doc, ydoc)
    }
    keepOfflineIfEditing()
    undo.push(() => void persistence?.destroy())
    // The provider appends the room name to the URL unencoded; encoding it makes names with `%`, `?`
    // or `#` reach the server intact, which decodes the path back into the name.
    // Tabs do not share the document and presence over a BroadcastChannel (y-websocket's default):
    // a tab passes on another tab's presence to its server, and behind a load balancer the two
    // tabs' sockets may reach different instances of a cluster, where the first one's instance
    // keeps that presence after the other tab closes (a ghost person and caret for everyone else,
    // until the 30 s timeout). Every tab syncs through the server, as it would from another device.
    const provider = new WebsocketProvider(checked.url, docNameToSegment(checked.doc), ydoc, {
      params: checked.token === undefined ? {} : { token: checked.token },
      disableBc: true,
    })
    const { awareness } = provider
    undo.push(() => {
      provider.destroy()
      awareness.destroy()
    })
    awareness.setLocalStateField('user', checked.user)
    // Tell peers at once, over the still-open socket, instead of letting them time this user out.
    undo.push(() => awareness.setLocalState(null))
    const connection = new Connection(provider, events)
    undo.push(() => connection.destroy())

    // While read-only, ySync may still write what it normalised while rendering (for example nodes
    // this schema does not know), and the embedding app may write into the Y.Doc itself; none of it
    // is sent. It is held instead, and sent when editing is turned back on, because later edits
    // build on it and peers could not apply them without it.
    const held: Uint8Array[] = []
    const hold = (update: Uint8Array, origin: unknown): void => {
      if (origin !== provider) held.push(update)
    }
    const stopSending = (): void => {
      ydoc.off('update', provider._updateHandler)
      ydoc.on('update', hold)
    }
    if (readOnly) stopSending()

    const root = document.createElement('div')
    root.className = 'quire'
    root.dataset.theme = checked.theme
    root.toggleAttribute('data-readonly', readOnly)
    const bar = document.createElement('div')
    bar.className = 'quire-bar'
    const surface = document.createElement('div')
    surface.className = 'quire-surface'
    const foot = document.createElement('div')
    foot.className = 'quire-foot'
    root.append(bar, surface, foot)
    element.append(root)
    undo.push(() => root.remove())
    undo.push(followWidth(root))

    const view = new EditorView(surface, {
      state: EditorState.create({
        schema: quireSchema,
        plugins: editorPlugins({
          fragment: ydoc.getXmlFragment('prosemirror'),
          provider,
          connection,
          bar,
          foot,
          keptOffline: checked.offline,
          placeholder: checked.placeholder,
          readOnly: () => readOnly || deleted,
        }),
      }),
      editable: () => !readOnly && !deleted,
      // Pasted and dropped HTML is read as an import reads it (tables as rows of text, for one).
      clipboardParser: htmlParser,
      attributes: { class: 'quire-doc', 'aria-label': `Document ${checked.doc}`, 'aria-multiline': 'true', role: 'textbox' },
      dispatchTransaction(this: EditorView, tr: Transaction) {
        // y-prosemirror hands presence changes to the view on a timer, without asking whether the
        // view was destroyed meanwhile; a destroyed view has nothing left to update.
        if (this.isDestroyed) return
        const before = this.state.doc
        this.updateState(this.state.apply(tr))
        // Compared, not read off `tr.docChanged`: the read-only guard may have refused the change.
        // ySync marks the transactions that mirror Yjs changes (remote edits, the first render).
        if (this.state.doc !== before) events.emit('change', { local: tr.getMeta(ySyncPluginKey)?.isChangeOrigin !== true })
      },
    })
    undo.push(() => view.destroy())

    const onClosed = ({ code }: { code: number }): void => {
      if (code !== CloseCode.documentDeleted) return
      deleted = true
      root.toggleAttribute('data-readonly', true)
      view.setProps({})
      // The server deleted the document: dropping the offline copy keeps it from being written back
      // into a new document of the same name on the next visit, and disconnecting keeps the
      // provider from reconnecting, which would start a new, empty one.
      void persistence?.clearData()
      provider.disconnect()
    }
    provider.on('closed', onClosed)
    undo.push(() => provider.off('closed', onClosed))
    undo.push(followBrowserNetwork(provider))
    // Undo starts afresh when a restore or an import replaces the content (see `markReplaced`), for
    // whoever asked for it and everyone else.
    const replaced = ydoc.getMap(QUIRE_MAP)
    const forgetUndo = (): void => {
      yUndoPluginKey.getState(view.state)?.undoManager.clear()
      view.dispatch(view.state.tr) // the toolbar's Undo and Redo follow
    }
    const onReplaced = (event: Y.YMapEvent<unknown>): void => {
      if (!event.keysChanged.has(REPLACED_KEY)) return
      // Not from within the observer: ySync brings the replaced content into ProseMirror only after
      // it, and a dispatch before that would have ySync write the old content back into Yjs.
      queueMicrotask(() => {
        if (!destroyed) forgetUndo()
      })
    }
    replaced.observe(onReplaced)
    undo.push(() => replaced.unobserve(onReplaced))
    // The panel reads versions over HTTP with the token and offers restoring only to writers, so it
    // follows a new token and a read-only switch.
    const history = new HistoryPanel({ root, bar, url: checked.url, doc: checked.doc, token: provider.params.token, readOnly })
    const updateHistory = (): void => history.update(provider.params.token, readOnly || deleted)
    undo.push(() => history.destroy())
    const onPresence = (): void => events.emit('presence', { people: people(awareness) })
    awareness.on('change', onPresence)
    undo.push(() => awareness.off('change', onPresence))

    const alive = (what: string): void => {
      if (destroyed) throw new Error(`quire editor: ${what} after destroy()`)
    }

    return {
      view,
      ydoc,
      provider,
      awareness,
      get status() {
        return connection.state
      },
      get people() {
        return people(awareness)
      },
      get readOnly() {
        return readOnly || deleted
      },
      on: (event, listener) => events.on(event, listener),
      off: (event, listener) => events.off(event, listener),
      setReadOnly(next) {
        alive('setReadOnly')
        if (typeof next !== 'boolean') throw new TypeError('quire editor: setReadOnly takes a boolean')
        if (next === readOnly) return
        readOnly = next
        if (readOnly) stopSending()
        else {
          ydoc.off('update', hold)
          ydoc.on('update', provider._updateHandler)
          if (held.length > 0) provider._updateHandler(Y.mergeUpdates(held.splice(0)), null)
          keepOfflineIfEditing()
        }
        root.toggleAttribute('data-readonly', readOnly || deleted)
        view.setProps({})
        updateHistory()
      },
      setUser(user) {
        alive('setUser')
        awareness.setLocalStateField('user', checkUser(user))
      },
      setToken(token) {
        alive('setToken')
        const next = checkToken(token)
        const { token: _old, ...params } = provider.params
        provider.params = next === undefined ? params : { ...params, token: next }
        // A deleted document stays closed: reconnecting would start a new, empty one.
        if (!deleted) connection.restart()
        updateHistory()
      },
      getContent(format = 'markdown') {
        alive('getContent')
        return EDITOR_FORMATS[checkFormat(format)].render(view.state.doc)
      },
      setContent(content, format = 'markdown') {
        alive('setContent')
        if (typeof content !== 'string') throw new TypeError('quire editor: setContent takes a string')
        if (readOnly || deleted) throw new Error('quire editor: setContent while read-only')
        const doc = EDITOR_FORMATS[checkFormat(format)].parse(content)
        const { tr } = view.state
        view.dispatch(tr.replaceWith(0, tr.doc.content.size, doc.content))
      },
      destroy() {
        if (destroyed) return
        destroyed = true
        teardown()
      },
    }
  } catch (error) {
    teardown()
    throw error
  }
}
