import type { DecorationAttrs } from 'prosemirror-view'
import { readPresence } from '../shared/presence.js'

// y-prosemirror hands these builders the raw `user` field of a peer's awareness state. Peers are
// untrusted, so everything shown is re-read through `readPresence`: the name only ever becomes a
// text node and the color is a validated `#rrggbb` set through the style API, never markup.

/** Longest name a caret label shows in full; longer ones are cut with an ellipsis (the tooltip has it all). */
const LABEL_CHARS = 18

/** Whether a peer's awareness state is drawn as a caret: not our own, and a valid presence. */
export function showCaretOf(ownClientId: number, clientId: number, state: unknown): boolean {
  return ownClientId !== clientId && readPresence(state) !== null
}

/** `name`, cut to what a caret label shows. */
export function shortName(name: string): string {
  const chars = [...name]
  return chars.length <= LABEL_CHARS
    ? name
    : `${chars
        .slice(0, LABEL_CHARS - 1)
        .join('')
        .trimEnd()}…`
}

/**
 * The caret of a remote user: y-prosemirror's `.ProseMirror-yjs-cursor` with the (shortened) name as
 * a label. The label is hidden by style and shown briefly when the person moves (`CaretLabels` in
 * `plugins/carets.ts`) and while the pointer is on the caret, so it does not cover the line above.
 */
export function buildCaret(user: unknown, clientId: number): HTMLElement {
  const presence = readPresence({ user }) ?? { name: 'Someone', color: '#888888' }
  const caret = document.createElement('span')
  caret.className = 'ProseMirror-yjs-cursor'
  caret.dataset.clientId = String(clientId)
  caret.style.borderColor = presence.color
  caret.title = presence.name
  const label = document.createElement('div')
  label.style.backgroundColor = presence.color
  label.textContent = shortName(presence.name)
  // Word joiners keep the caret glued to the characters around it, as y-prosemirror's default does.
  caret.append('\u2060', label, '\u2060')
  return caret
}

/** The highlight of a remote user's selection: their color, translucent. */
export function buildSelection(user: unknown): DecorationAttrs {
  const presence = readPresence({ user }) ?? { name: '', color: '#888888' }
  return { style: `background-color: ${presence.color}33`, class: 'ProseMirror-yjs-selection' }
}
