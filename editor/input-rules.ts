import { ellipsis, emDash, InputRule, inputRules, smartQuotes, textblockTypeInputRule, wrappingInputRule } from 'prosemirror-inputrules'
import type { MarkType } from 'prosemirror-model'
import type { Plugin } from 'prosemirror-state'
import { schema } from '../shared/schema.js'

const { nodes, marks } = schema

/**
 * A rule that turns `delimiter text delimiter` into `text` carrying `mark` as the closing delimiter
 * is typed. The regexp's last group is the text. The last typed character is not in the document
 * yet when a rule runs, so the closing delimiter is one character short there.
 */
function markRule(pattern: RegExp, mark: MarkType, delimiter: number): InputRule {
  return new InputRule(pattern, (state, match, _start, end) => {
    const text = match[match.length - 1]
    if (!text) return null
    const textEnd = end - (delimiter - 1)
    const textStart = textEnd - text.length
    const openStart = textStart - delimiter
    return state.tr
      .delete(textEnd, end)
      .delete(openStart, textStart)
      .addMark(openStart, openStart + text.length, mark.create())
      .removeStoredMark(mark)
  })
}

/**
 * Markdown-style shortcuts: `# ` to `###### ` headings, `- `/`* ` bullets, `1. ` numbered lists,
 * `> ` quotes, three backticks for a code block, and inline `` `code` ``, `**bold**`, `*italic*`.
 * Typing Backspace right after a rule fires undoes it (the base keymap's `undoInputRule`).
 */
export function editorInputRules(): Plugin {
  return inputRules({
    rules: [
      ...smartQuotes,
      ellipsis,
      emDash,
      textblockTypeInputRule(/^(#{1,6})\s$/, nodes.heading, (match) => ({ level: match[1]!.length })),
      wrappingInputRule(/^\s*([-+*])\s$/, nodes.bullet_list),
      wrappingInputRule(
        /^(\d+)\.\s$/,
        nodes.ordered_list,
        (match) => ({ order: Number(match[1]) }),
        (match, node) => node.childCount + (node.attrs.order as number) === Number(match[1]),
      ),
      wrappingInputRule(/^\s*>\s$/, nodes.blockquote),
      textblockTypeInputRule(/^```$/, nodes.code_block),
      markRule(/(?:^|[^`])`([^`]+)`$/, marks.code, 1),
      markRule(/(?:^|[^*])\*\*([^*]+)\*\*$/, marks.strong, 2),
      markRule(/(?:^|[^*])\*([^*\s][^*]*)\*$/, marks.em, 1),
    ],
  })
}
