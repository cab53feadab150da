import { baseKeymap, chainCommands, exitCode, joinDown, joinUp, lift, setBlockType, toggleMark } from 'prosemirror-commands'
import { undoInputRule } from 'prosemirror-inputrules'
import { keymap } from 'prosemirror-keymap'
import { liftListItem, sinkListItem, splitListItem } from 'prosemirror-schema-list'
import { type Command, Plugin, TextSelection } from 'prosemirror-state'
import type { EditorView } from 'prosemirror-view'
import { redoCommand, undoCommand } from 'y-prosemirror'
import { schema } from '../shared/schema.js'
import { toggleBlock, toggleList, toggleQuote } from './commands.js'
import { openLinkBox } from './plugins/links.js'
import { focusToolbar } from './plugins/toolbar.js'
import { newUndoStep, ownUndoStep } from './plugins/undo-steps.js'

const { nodes, marks } = schema

const insertHardBreak: Command = chainCommands(exitCode, (state, dispatch) => {
  dispatch?.(state.tr.replaceSelectionWith(nodes.hard_break.create()).scrollIntoView())
  return true
})

const insertRule: Command = (state, dispatch) => {
  dispatch?.(state.tr.replaceSelectionWith(nodes.horizontal_rule.create()).scrollIntoView())
  return true
}

/** Editors where Escape was the last key: the next Tab leaves the editor, so Tab is never a trap. */
const escaped = new WeakSet<EditorView>()

/**
 * Tab outside a list does what Google Docs does: it types a tab character (in code, too), and focus
 * stays in the document. Right after Escape it lets the browser move focus on, which is how a
 * keyboard user leaves the editor.
 */
const insertTab: Command = (state, dispatch, view) => {
  if (view && escaped.has(view)) return false
  dispatch?.(state.tr.insertText('\t').scrollIntoView())
  return true
}

/** Shift-Tab outside a list: nothing to outdent, but focus must not jump out of the text either. */
const keepFocus: Command = (_state, _dispatch, view) => !(view && escaped.has(view))

const rememberEscape: Command = (_state, _dispatch, view) => {
  if (view) escaped.add(view)
  return false
}

/** The paragraph after the code block the caret is in, with the caret moved into it. */
function leaveCodeBlock(state: Parameters<Command>[0], removeTrailingNewline: boolean): ReturnType<typeof state.tr.insert> {
  const { $head } = state.selection
  const tr = state.tr
  if (removeTrailingNewline) tr.delete($head.pos - 1, $head.pos)
  const after = tr.mapping.map($head.after())
  tr.insert(after, nodes.paragraph.create())
  return tr.setSelection(TextSelection.create(tr.doc, after + 1)).scrollIntoView()
}

function atEndOfCode(state: Parameters<Command>[0]): boolean {
  const { $head, empty } = state.selection
  return empty && $head.parent.type.spec.code === true && $head.parentOffset === $head.parent.content.size
}

/** Enter on an empty last line of a code block leaves it (the line is dropped), as in Notion. */
const exitCodeOnEmptyLine: Command = (state, dispatch) => {
  if (!atEndOfCode(state) || !state.selection.$head.parent.textContent.endsWith('\n')) return false
  dispatch?.(leaveCodeBlock(state, true))
  return true
}

/** Arrow down at the end of a code block that ends the document opens a paragraph below it. */
const exitCodeDownwards: Command = (state, dispatch) => {
  const { $head } = state.selection
  if (!atEndOfCode(state) || $head.after() !== state.doc.content.size) return false
  dispatch?.(leaveCodeBlock(state, false))
  return true
}

/**
 * The bindings people expect from a word processor, in the spirit of `prosemirror-example-setup`.
 * Undo and redo go through y-prosemirror's UndoManager rather than `prosemirror-history`, so
 * Mod-z takes back only this user's own changes and never a collaborator's; formatting is an undo
 * step of its own and Enter starts one (`undo-steps.ts`). Block shortcuts toggle as the toolbar's
 * buttons do (`commands.ts`).
 */
export function editorKeymap(): Plugin[] {
  const bindings: Record<string, Command> = {
    // Backspace right after a Markdown shortcut fired gives back the typed characters.
    Backspace: undoInputRule,
    'Mod-z': undoCommand,
    'Shift-Mod-z': redoCommand,
    'Mod-y': redoCommand,
    'Mod-b': ownUndoStep(toggleMark(marks.strong)),
    'Mod-B': ownUndoStep(toggleMark(marks.strong)),
    'Mod-i': ownUndoStep(toggleMark(marks.em)),
    'Mod-I': ownUndoStep(toggleMark(marks.em)),
    'Mod-`': ownUndoStep(toggleMark(marks.code)),
    'Mod-k': openLinkBox,
    'Alt-F10': focusToolbar,
    'Alt-ArrowUp': ownUndoStep(joinUp),
    'Alt-ArrowDown': ownUndoStep(joinDown),
    'Mod-BracketLeft': ownUndoStep(lift),
    // Escape selects nothing (prosemirror-example-setup's selectParentNode selected the whole
    // block, shown only by an outline, and the next keystroke replaced it); it only opens the way out.
    Escape: rememberEscape,
    'Shift-Ctrl-8': ownUndoStep(toggleList(nodes.bullet_list)),
    'Shift-Ctrl-9': ownUndoStep(toggleList(nodes.ordered_list)),
    'Ctrl->': ownUndoStep(toggleQuote),
    'Mod-Enter': insertHardBreak,
    'Shift-Enter': insertHardBreak,
    // A new paragraph starts a new undo step, whatever splits the block.
    Enter: newUndoStep(chainCommands(exitCodeOnEmptyLine, splitListItem(nodes.list_item), baseKeymap.Enter!)),
    ArrowDown: exitCodeDownwards,
    'Mod-[': ownUndoStep(liftListItem(nodes.list_item)),
    'Mod-]': ownUndoStep(sinkListItem(nodes.list_item)),
    Tab: chainCommands(sinkListItem(nodes.list_item), insertTab),
    'Shift-Tab': chainCommands(liftListItem(nodes.list_item), keepFocus),
    'Shift-Ctrl-0': ownUndoStep(setBlockType(nodes.paragraph)),
    'Shift-Ctrl-\\': ownUndoStep(toggleBlock(nodes.code_block)),
    'Mod-_': ownUndoStep(insertRule),
  }
  for (const level of [1, 2, 3, 4, 5, 6]) bindings[`Shift-Ctrl-${level}`] = ownUndoStep(toggleBlock(nodes.heading, { level }))
  // Any key but Escape ends the "next Tab leaves" window that Escape opened.
  const forgetEscape = new Plugin({
    props: {
      handleKeyDown(view, event) {
        if (event.key !== 'Escape' && event.key !== 'Tab' && event.key !== 'Shift') escaped.delete(view)
        return false
      },
    },
  })
  // quire's bindings first: Enter must split list items before the base keymap splits the block.
  return [forgetEscape, keymap(bindings), keymap(baseKeymap)]
}
