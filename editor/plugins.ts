import { dropCursor } from 'prosemirror-dropcursor'
import { gapCursor } from 'prosemirror-gapcursor'
import type { Plugin } from 'prosemirror-state'
import type { WebsocketProvider } from 'y-websocket'
import { yCursorPlugin, ySyncPlugin, yUndoPlugin } from 'y-prosemirror'
import type * as Y from 'yjs'
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
  /** Where the toolbar, status and presence list are drawn. */
  bar: HTMLElement
  readOnly: boolean
  keptOffline: boolean
}

/**
 * The editor's plugins, in order. ySync comes first because the cursor and undo plugins read its
 * state when they start. The bar's pieces are ordered by CSS, not by plugin order. A read-only editor gets no toolbar, keymap, input rules or typing indicator: it cannot edit, so
 * nothing would come of them.
 */
export function editorPlugins({ fragment, provider, bar, readOnly, keptOffline }: PluginParts): Plugin[] {
  const { awareness } = provider
  const shared = [
    ySyncPlugin(fragment),
    yCursorPlugin(awareness, { awarenessStateFilter: showCaretOf, cursorBuilder: buildCaret, selectionBuilder: buildSelection }),
    statusPlugin(provider, keptOffline, bar),
    presencePlugin(awareness, bar),
  ]
  if (readOnly) return shared
  return [
    ...shared,
    yUndoPlugin(),
    editorInputRules(),
    ...editorKeymap(),
    dropCursor(),
    gapCursor(),
    toolbarPlugin(bar),
    typingPlugin(awareness),
  ]
}
