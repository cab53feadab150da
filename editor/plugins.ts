import { dropCursor } from 'prosemirror-dropcursor'
import { gapCursor } from 'prosemirror-gapcursor'
import type { Plugin } from 'prosemirror-state'
import { yCursorPlugin, ySyncPlugin, yUndoPlugin } from 'y-prosemirror'
import type { WebsocketProvider } from 'y-websocket'
import type * as Y from 'yjs'
import type { Connection } from './connection.js'
import { buildSelection, showCaretOf } from './cursors.js'
import { editorInputRules } from './input-rules.js'
import { editorKeymap } from './keymap.js'
import { CaretLabels } from './plugins/carets.js'
import { codeHintPlugin } from './plugins/code-hint.js'
import { countPlugin } from './plugins/count.js'
import { linksPlugin } from './plugins/links.js'
import { placeholderPlugin } from './plugins/placeholder.js'
import { presencePlugin } from './plugins/presence.js'
import { readOnlyGuard } from './plugins/read-only.js'
import { remoteAtCaretPlugin } from './plugins/remote-at-caret.js'
import { savedPlugin } from './plugins/saved.js'
import { statusPlugin } from './plugins/status.js'
import { toolbarPlugin } from './plugins/toolbar.js'
import { typingPlugin } from './plugins/typing.js'
import { undoStepsPlugin } from './plugins/undo-steps.js'

/** What the plugin list is built from. */
export interface PluginParts {
  fragment: Y.XmlFragment
  provider: WebsocketProvider
  connection: Connection
  /** Where the toolbar, status and presence list are drawn. */
  bar: HTMLElement
  /** Where the word count and the saved state are drawn, under the text. */
  foot: HTMLElement
  keptOffline: boolean
  /** Shown in an empty document. */
  placeholder: string
  /** Whether editing is off now (it can be switched at run time). */
  readOnly: () => boolean
}

/**
 * The editor's plugins, in order. ySync comes before the cursor and undo plugins because they read
 * its state when they start, and after `undoStepsPlugin`, whose view must run before ySync's hands a
 * change to Yjs. The bar's pieces are ordered by CSS, not by plugin order. Every editor
 * gets every plugin, because read-only can be switched at run time: while the view is not
 * editable ProseMirror gives keys and text input to no plugin, the toolbar disables itself, the
 * stylesheet hides the placeholder, code hint and saved state, and `readOnlyGuard` refuses local
 * changes.
 */
export function editorPlugins({ fragment, provider, connection, bar, foot, keptOffline, placeholder, readOnly }: PluginParts): Plugin[] {
  const { awareness } = provider
  const labels = new CaretLabels(awareness)
  return [
    readOnlyGuard(readOnly),
    undoStepsPlugin(),
    ySyncPlugin(fragment),
    remoteAtCaretPlugin(),
    yCursorPlugin(awareness, { awarenessStateFilter: showCaretOf, cursorBuilder: labels.build, selectionBuilder: buildSelection }),
    labels.plugin(),
    statusPlugin(provider, connection, keptOffline, bar),
    presencePlugin(awareness, bar),
    countPlugin(foot),
    linksPlugin(),
    yUndoPlugin(),
    editorInputRules(),
    ...editorKeymap(),
    dropCursor(),
    gapCursor(),
    toolbarPlugin(bar),
    typingPlugin(awareness),
    savedPlugin(provider, foot),
    placeholderPlugin(placeholder),
    codeHintPlugin(),
  ]
}
