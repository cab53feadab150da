import { InputRule, inputRules, textblockTypeInputRule, wrappingInputRule } from 'prosemirror-inputrules'
import { Fragment, type MarkType } from 'prosemirror-model'
import { type EditorState, type Plugin, TextSelection, type Transaction } from 'prosemirror-state'
import { schema } from '../shared/schema.js'

const { nodes, marks } = schema

/**
 * Whether `pos` is inside inline code still being typed: an odd number of backticks before it in
 * its textblock, not counting text already marked as code. The closing backtick is what turns the
 * span into code, so until then the text is plain and other rules would rewrite it.
 */
function inOpenCode(state: EditorState, pos: number): boolean {
  const $pos = state.doc.resolve(pos)
  let backticks = 0
  $pos.parent.forEach((child, offset) => {
    if (!child.isText || offset >= $pos.parentOffset || marks.code.isInSet(child.marks)) return
    backticks += child.text!.slice(0, $pos.parentOffset - offset).split('`').length - 1
  })
  return backticks % 2 === 1
}

/** `handler`, except inside inline code being typed (see `inOpenCode`), where the rule does nothing. */
function outsideOpenCode(handler: (state: EditorState, match: RegExpMatchArray, start: number, end: number) => Transaction | null) {
  return (state: EditorState, match: RegExpMatchArray, start: number, end: number) => (inOpenCode(state, end) ? null : handler(state, match, start, end))
}

/**
 * A typographic replacement: what `pattern` matched (or its first group) becomes `replacement`.
 * prosemirror-inputrules' `smartQuotes`, `ellipsis` and `emDash` with the same patterns, which
 * also keep out of code marks and code blocks, and here out of inline code being typed too, so
 * `` `npm i --save-dev "x"` `` keeps its dashes and straight quotes.
 */
function typographic(pattern: RegExp, replacement: string): InputRule {
  return new InputRule(
    pattern,
    outsideOpenCode((state, match, start, end) => {
      const replaced = match[1] ?? match[0]
      return state.tr.insertText(replacement, start + match[0].lastIndexOf(replaced), end)
    }),
    { inCodeMark: false },
  )
}

const TYPOGRAPHY = [
  typographic(/(?:^|[\s{[(<'"‘“])(")$/, '“'),
  typographic(/"$/, '”'),
  typographic(/(?:^|[\s{[(<'"‘“])(')$/, '‘'),
  typographic(/'$/, '’'),
  typographic(/\.\.\.$/, '…'),
  typographic(/--$/, '—'),
]

/**
 * A rule that turns `delimiter text delimiter` into `text` carrying `mark` as the closing delimiter
 * is typed. The regexp's last group is the text. The last typed character is not in the document
 * yet when a rule runs, so the closing delimiter is one character short there.
 */
function markRule(pattern: RegExp, mark: MarkType, delimiter: number): InputRule {
  const rule = (state: EditorState, match: RegExpMatchArray, _start: number, end: number): Transaction | null => {
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
  }
  // `**` and `*` inside inline code being typed are code; the closing backtick is what ends it.
  return new InputRule(pattern, mark === marks.code ? rule : outsideOpenCode(rule))
}

/**
 * `---` alone in a paragraph becomes a horizontal rule, with the caret in a new paragraph below, as
 * in Markdown. By the third dash the em dash rule has made the first two `—`, so `—-` is matched.
 */
const horizontalRule = new InputRule(/^—-$/, (state, _match, start, end) => {
  const $start = state.doc.resolve(start)
  if ($start.parent.type !== nodes.paragraph || $start.parent.content.size !== end - start) return null
  const rule = Fragment.from([nodes.horizontal_rule.create(), nodes.paragraph.create()])
  const index = $start.index(-1)
  if (!$start.node(-1).canReplace(index, index + 1, rule)) return null
  const before = $start.before()
  const tr = state.tr.replaceWith(before, $start.after(), rule)
  return tr.setSelection(TextSelection.create(tr.doc, before + 2)).scrollIntoView()
})

/**
 * Markdown-style shortcuts: `# ` to `###### ` headings, `- `/`* ` bullets, `1. ` numbered lists,
 * `> ` quotes, three backticks for a code block, `---` for a horizontal rule, and inline
 * `` `code` ``, `**bold**`, `*italic*`.
 * Typing Backspace right after a rule fires undoes it (the base keymap's `undoInputRule`).
 */
export function editorInputRules(): Plugin {
  return inputRules({
    rules: [
      ...TYPOGRAPHY,
      horizontalRule,
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
