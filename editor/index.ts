import './style.css'
import { EditorState } from 'prosemirror-state'
import { EditorView } from 'prosemirror-view'
import type { Awareness } from 'y-protocols/awareness'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { docNameToSegment } from '../shared/doc-name.js'
import { readPresence } from '../shared/presence.js'
import { CloseCode } from '../shared/protocol.js'
import { schema } from '../shared/schema.js'
import { HistoryPanel } from './history/panel.js'
import { followBrowserNetwork } from './network.js'
import { keepOffline } from './offline.js'
import { editorPlugins } from './plugins.js'

/** How to open a document: where, which one, as whom, and with what rights. */
export interface EditorOptions {
  /** The quire server's WebSocket URL, e.g. `ws://localhost:1234` (`wss://` behind TLS). */
  url: string
  /** The document name; any valid name, including ones with `/` or spaces. */
  doc: string
  /** Shown to others next to this user's caret and in their presence list. */
  user: { name: string; color: string }
  /** Access token, sent as `?token=` when the server requires one. */
  token?: string
  /** View only: the document cannot be edited and only presence is sent. */
  readOnly?: boolean
  /** Also keep the document in IndexedDB so offline edits survive a reload. */
  offline?: boolean
  /** Colors: `auto` (the default) follows the reader's `prefers-color-scheme`. */
  theme?: 'light' | 'dark' | 'auto'
  /** Shown in an empty document; `''` shows nothing. */
  placeholder?: string
}

/** A running editor. Everything it holds is exposed so embedders can build on it. */
export interface Editor {
  view: EditorView
  ydoc: Y.Doc
  provider: WebsocketProvider
  awareness: Awareness
  /** Closes the socket, clears this user's presence and removes the editor from the page. */
  destroy(): void
}

/**
 * Mounts a collaborative editor for `options.doc` inside `element`. The ProseMirror view is bound
 * to `ydoc.getXmlFragment('prosemirror')` and synced through the official `y-websocket` provider,
 * so quire's editor and any other y-websocket client edit the same document.
 */
export function createEditor(element: HTMLElement, options: EditorOptions): Editor {
  const user = readPresence({ user: options.user })
  if (user === null) throw new TypeError('createEditor: user.name must be a non-empty string')
  const readOnly = options.readOnly === true
  const ydoc = new Y.Doc()
  // A read-only viewer has nothing of its own to keep, and an offline copy of a document it cannot
  // edit would only go stale.
  const persistence = options.offline && !readOnly ? keepOffline(options.url, options.doc, ydoc) : null
  // The provider appends the room name to the URL unencoded; encoding it makes names with `%`, `?`
  // or `#` reach the server intact, which decodes the path back into the name.
  const provider = new WebsocketProvider(options.url, docNameToSegment(options.doc), ydoc, {
    params: options.token ? { token: options.token } : {},
  })
  const { awareness } = provider
  awareness.setLocalStateField('user', user)
  if (readOnly) {
    // ySync writes back whatever it normalised while rendering (for example nodes this schema does
    // not know); a viewer must never send that, so only awareness leaves this client.
    ydoc.off('update', provider._updateHandler)
  }

  const root = document.createElement('div')
  root.className = 'quire'
  root.dataset.theme = options.theme ?? 'auto'
  const bar = document.createElement('div')
  bar.className = 'quire-bar'
  const surface = document.createElement('div')
  surface.className = 'quire-surface'
  const foot = document.createElement('div')
  foot.className = 'quire-foot'
  root.append(bar, surface, foot)
  element.append(root)

  let deleted = false
  const view = new EditorView(surface, {
    state: EditorState.create({
      schema,
      plugins: editorPlugins({
        fragment: ydoc.getXmlFragment('prosemirror'),
        provider,
        bar,
        foot,
        readOnly,
        keptOffline: persistence !== null,
        placeholder: options.placeholder ?? 'Start typing, or use # for a heading',
      }),
    }),
    editable: () => !readOnly && !deleted,
    attributes: { class: 'quire-doc', 'aria-label': `Document ${options.doc}`, 'aria-multiline': 'true', role: 'textbox' },
  })

  const onClosed = ({ code }: { code: number }): void => {
    if (code !== CloseCode.documentDeleted) return
    deleted = true
    view.setProps({})
    // The server deleted the document: dropping the offline copy keeps it from being written back
    // into a new document of the same name on the next visit, and disconnecting also stops the
    // cross-tab channel from passing it to other tabs.
    void persistence?.clearData()
    provider.disconnect()
  }
  provider.on('closed', onClosed)
  const history = new HistoryPanel({ root, bar, url: options.url, doc: options.doc, token: options.token, readOnly })
  const stopFollowingNetwork = followBrowserNetwork(provider)

  let destroyed = false
  return {
    view,
    ydoc,
    provider,
    awareness,
    destroy() {
      if (destroyed) return
      destroyed = true
      provider.off('closed', onClosed)
      stopFollowingNetwork()
      history.destroy()
      view.destroy()
      // Tell peers now, over the still-open socket, instead of letting them time this user out.
      awareness.setLocalState(null)
      provider.destroy()
      awareness.destroy()
      void persistence?.destroy()
      ydoc.destroy()
      root.remove()
    },
  }
}
