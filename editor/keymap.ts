import { baseKeymap, chainCommands, exitCode, joinDown, joinUp, lift, selectParentNode, setBlockType, toggleMark, wrapIn } from 'prosemirror-commands'
import { undoInputRule } from 'prosemirror-inputrules'
import { keymap } from 'prosemirror-keymap'
import type { Command, Plugin } from 'prosemirror-state'
import { liftListItem, sinkListItem, splitListItem, wrapInList } from 'prosemirror-schema-list'
import { redoCommand, undoCommand } from 'y-prosemirror'
import { schema } from '../shared/schema.js'

const { nodes, marks } = schema

const insertHardBreak: Command = chainCommands(exitCode, (state, dispatch) => {
  dispatch?.(state.tr.replaceSelectionWith(nodes.hard_break.create()).scrollIntoView())
  return true
})

const insertRule: Command = (state, dispatch) => {
  dispatch?.(state.tr.replaceSelectionWith(nodes.horizontal_rule.create()).scrollIntoView())
  return true
}

/**
 * The bindings people expect from a word processor, in the spirit of `prosemirror-example-setup`.
 * Undo and redo go through y-prosemirror's UndoManager rather than `prosemirror-history`, so
 * Mod-z takes back only this user's own changes and never a collaborator's.
 */
export function editorKeymap(): Plugin[] {
  const bindings: Record<string, Command> = {
    // Backspace right after a Markdown shortcut fired gives back the typed characters.
    Backspace: undoInputRule,
    'Mod-z': undoCommand,
    'Shift-Mod-z': redoCommand,
    'Mod-y': redoCommand,
    'Mod-b': toggleMark(marks.strong),
    'Mod-B': toggleMark(marks.strong),
    'Mod-i': toggleMark(marks.em),
    'Mod-I': toggleMark(marks.em),
    'Mod-`': toggleMark(marks.code),
    'Alt-ArrowUp': joinUp,
    'Alt-ArrowDown': joinDown,
    'Mod-BracketLeft': lift,
    Escape: selectParentNode,
    'Shift-Ctrl-8': wrapInList(nodes.bullet_list),
    'Shift-Ctrl-9': wrapInList(nodes.ordered_list),
    'Ctrl->': wrapIn(nodes.blockquote),
    'Mod-Enter': insertHardBreak,
    'Shift-Enter': insertHardBreak,
    Enter: splitListItem(nodes.list_item),
    'Mod-[': liftListItem(nodes.list_item),
    'Mod-]': sinkListItem(nodes.list_item),
    Tab: sinkListItem(nodes.list_item),
    'Shift-Tab': liftListItem(nodes.list_item),
    'Shift-Ctrl-0': setBlockType(nodes.paragraph),
    'Shift-Ctrl-\\': setBlockType(nodes.code_block),
    'Mod-_': insertRule,
  }
  for (const level of [1, 2, 3, 4, 5, 6]) bindings[`Shift-Ctrl-${level}`] = setBlockType(nodes.heading, { level })
  // quire's bindings first: Enter must split list items before the base keymap splits the block.
  return [keymap(bindings), keymap(baseKeymap)]
}
