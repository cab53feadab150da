import { lift, setBlockType, wrapIn } from 'prosemirror-commands'
import type { NodeType, ResolvedPos } from 'prosemirror-model'
import { liftListItem, wrapInList } from 'prosemirror-schema-list'
import type { Command, EditorState } from 'prosemirror-state'
import { schema } from '../shared/schema.js'

// Block formatting as a word processor does it, shared by the toolbar's buttons and the keyboard
// shortcuts so that both always do the same: each command toggles, and the toolbar shows a button
// pressed exactly when pressing it again would undo it.

const { nodes } = schema

/** The innermost list around `$pos` and its depth, if any. */
function listAround($pos: ResolvedPos): { type: NodeType; depth: number } | null {
  for (let depth = $pos.depth; depth > 0; depth--) {
    const { type } = $pos.node(depth)
    if (type === nodes.bullet_list || type === nodes.ordered_list) return { type, depth }
  }
  return null
}

/** Whether the textblock at the selection's start is `type` (with `attrs`). */
export function blockIs(state: EditorState, type: NodeType, attrs?: Record<string, unknown>): boolean {
  return state.selection.$from.parent.hasMarkup(type, attrs)
}

/** Whether the innermost list at the selection's start is a `type` list. */
export function listIs(state: EditorState, type: NodeType): boolean {
  return listAround(state.selection.$from)?.type === type
}

/** Whether the selection's start is in a quote. */
export function inQuote(state: EditorState): boolean {
  const { $from } = state.selection
  for (let depth = $from.depth; depth > 0; depth--) if ($from.node(depth).type === nodes.blockquote) return true
  return false
}

/** Makes the textblock `type` (a heading level, a code block), or a paragraph again if it is one. */
export function toggleBlock(type: NodeType, attrs?: Record<string, unknown>): Command {
  return (state, dispatch) => (blockIs(state, type, attrs) ? setBlockType(nodes.paragraph) : setBlockType(type, attrs))(state, dispatch)
}

/**
 * Wraps the selection in a `type` list; inside one, lifts the items out of it; inside a list of the
 * other kind, turns that list into a `type` list (the Bullet list button in a numbered list).
 */
export function toggleList(type: NodeType): Command {
  return (state, dispatch) => {
    const list = listAround(state.selection.$from)
    if (list === null) return wrapInList(type)(state, dispatch)
    if (list.type === type) return liftListItem(nodes.list_item)(state, dispatch)
    dispatch?.(state.tr.setNodeMarkup(state.selection.$from.before(list.depth), type).scrollIntoView())
    return true
  }
}

/** Wraps the selection in a quote, or lifts it out of the one it is in. */
export const toggleQuote: Command = (state, dispatch) => (inQuote(state) ? lift(state, dispatch) : wrapIn(nodes.blockquote)(state, dispatch))
