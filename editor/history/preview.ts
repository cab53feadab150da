import { ChangeSet, simplifyChanges } from 'prosemirror-changeset'
import { type Node, Slice } from 'prosemirror-model'
import { EditorState } from 'prosemirror-state'
import { ReplaceStep } from 'prosemirror-transform'
import { Decoration, DecorationSet, EditorView } from 'prosemirror-view'
import { readPresence } from '../../shared/presence.js'

/** One change between two documents: the range it replaced in the old one and filled in the new. */
export interface DocChange {
  fromA: number
  toA: number
  fromB: number
  toB: number
}

/**
 * What changed from `before` to `after`, at word granularity. The whole document counts as
 * replaced, and prosemirror-changeset diffs the old content against the new to find the
 * changes actually made, then widens them to whole words so a preview reads naturally.
 */
export function changesBetween(before: Node, after: Node): DocChange[] {
  const step = new ReplaceStep(0, before.content.size, new Slice(after.content, 0, 0))
  const set = ChangeSet.create(before).addSteps(after, [step.getMap()], null)
  return simplifyChanges(set.changes, after).map(({ fromA, toA, fromB, toB }) => ({ fromA, toA, fromB, toB }))
}

/**
 * Decorations showing `changes` on the new document: inserted text wrapped in
 * `<ins class="quire-added">`, removed text shown in place as `<del class="quire-removed">`,
 * both in `color` (the author's, when one author made them) when given.
 */
export function changeDecorations(before: Node, after: Node, changes: DocChange[], color: string | null): DecorationSet {
  const style = color ? `--quire-change: ${color}` : undefined
  const decorations: Decoration[] = []
  for (const change of changes) {
    if (change.toB > change.fromB) decorations.push(Decoration.inline(change.fromB, change.toB, { nodeName: 'ins', class: 'quire-added', ...(style ? { style } : {}) }))
    const removed = before.textBetween(change.fromA, change.toA, ' ', ' ')
    if (removed.trim() !== '') {
      decorations.push(
        Decoration.widget(
          change.fromB,
          () => {
            const del = document.createElement('del')
            del.className = 'quire-removed'
            if (style) del.setAttribute('style', style)
            del.textContent = removed
            return del
          },
          { side: -1 },
        ),
      )
    }
  }
  return DecorationSet.create(after, decorations)
}

/**
 * A read-only rendering of `after` with what changed since `before` highlighted. `authors` colour
 * the changes when exactly one person made them (else the theme's colours are used).
 */
export function renderPreview(host: HTMLElement, before: Node, after: Node, authors: unknown[]): EditorView {
  const single = authors.length === 1 ? readPresence({ user: authors[0] }) : null
  const decorations = changeDecorations(before, after, changesBetween(before, after), single?.color ?? null)
  return new EditorView(host, {
    state: EditorState.create({ doc: after }),
    editable: () => false,
    decorations: () => decorations,
    attributes: { class: 'quire-doc quire-history-doc', 'aria-label': 'Version preview', 'aria-readonly': 'true' },
  })
}
