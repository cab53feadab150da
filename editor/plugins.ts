import { dropCursor } from 'prosemirror-dropcursor'
import { gapCursor } from 'prosemirror-gapcursor'
import type { Plugin } from 'prosemirror-state'
import type { WebsocketProvider } from 'y-websocket'
import { yCursorPlugin, ySyncPlugin, yUndoPlugin } from 'y-prosemirror'
import type * as Y from 'yjs'
import { buildCaret, buildSelection, showCaretOf } from './cursors.js'
import { editorInputRules } from './input-rules.js'
import { editorKeymap } from './keymap.js'
import { caretLabelsPlugin } from './plugins/carets.js'
import { codeHintPlugin } from './plugins/code-hint.js'
import { countPlugin } from './plugins/count.js'
import { linksPlugin } from './plugins/links.js'
import { placeholderPlugin } from './plugins/placeholder.js'
import { presencePlugin } from './plugins/presence.js'
import { savedPlugin } from './plugins/saved.js'
import { statusPlugin } from './plugins/status.js'
import { toolbarPlugin } from './plugins/toolbar.js'
import { typingPlugin } from './plugins/typing.js'

/** What the plugin list is built from. */
export interface PluginParts {
  fragment: Y.XmlFragment
  provider: WebsocketProvider
  /** Where the toolbar, status and presence list are drawn. */
  bar: HTMLElement
  /** Where the word count and the saved state are drawn, under the text. */
  foot: HTMLElement
  readOnly: boolean
  keptOffline: boolean
  /** Shown in an empty document. */
  placeholder: string
}

/**
 * The editor's plugins, in order. ySync comes first because the cursor and undo plugins read its
 * state when they start. The bar's pieces are ordered by CSS, not by plugin order. A read-only editor gets no toolbar, keymap, input rules, typing indicator,
 * saved state or placeholder: it cannot edit, so nothing would come of them.
 */
export function editorPlugins({ fragment, provider, bar, foot, readOnly, keptOffline, placeholder }: PluginParts): Plugin[] {
  const { awareness } = provider
  const shared = [
    ySyncPlugin(fragment),
    yCursorPlugin(awareness, { awarenessStateFilter: showCaretOf, cursorBuilder: buildCaret, selectionBuilder: buildSelection }),
    caretLabelsPlugin(awareness),
    statusPlugin(provider, keptOffline, bar, readOnly),
    presencePlugin(awareness, bar),
    countPlugin(foot),
    linksPlugin(),
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
    savedPlugin(provider, foot),
    placeholderPlugin(placeholder),
    codeHintPlugin(),
  ]
}
