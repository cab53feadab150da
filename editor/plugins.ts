import { dropCursor } from 'prosemirror-dropcursor'
import { gapCursor } from 'prosemirror-gapcursor'
import type { Plugin } from 'prosemirror-state'
import type { WebsocketProvider } from 'y-websocket'
import { yCursorPlugin, ySyncPlugin, yUndoPlugin } from 'y-prosemirror'
import type * as Y from 'yjs'
import type { Connection } from './connection.js'
import { buildCaret, buildSelection, showCaretOf } from './cursors.js'
import { editorInputRules } from './input-rules.js'
import { editorKeymap } from './keymap.js'
import { presencePlugin } from './plugins/presence.js'
import { statusPlugin } from './plugins/status.js'
import { toolbarPlugin } from './plugins/toolbar.js'
import { typingPlugin } from './plugins/typing.js'

/** What the plugin list is built from. */
export interface PluginParts {
  fragment: Y.XmlFragment
  provider: WebsocketProvider
  connection: Connection
  /** Where the toolbar, status and presence list are drawn. */
  bar: HTMLElement
  keptOffline: boolean
}

/**
 * The editor's plugins, in order. ySync comes first because the cursor and undo plugins read its
 * state when they start. The bar's pieces are ordered by CSS, not by plugin order. Every editor
 * gets every plugin, because read-only can be switched at run time: while the view is not
 * editable ProseMirror gives keys and text input to no plugin, and the toolbar disables itself.
 */
export function editorPlugins({ fragment, provider, connection, bar, keptOffline }: PluginParts): Plugin[] {
  const { awareness } = provider
  return [
    ySyncPlugin(fragment),
    yCursorPlugin(awareness, { awarenessStateFilter: showCaretOf, cursorBuilder: buildCaret, selectionBuilder: buildSelection }),
    statusPlugin(provider, connection, keptOffline, bar),
    presencePlugin(awareness, bar),
    yUndoPlugin(),
    editorInputRules(),
    ...editorKeymap(),
    dropCursor(),
    gapCursor(),
    toolbarPlugin(bar),
    typingPlugin(awareness),
  ]
}
