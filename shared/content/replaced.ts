import type * as Y from 'yjs'

/** The Y.Map beside the content where quire keeps what is about the document rather than in it. */
export const QUIRE_MAP = 'quire'
/** The key of `QUIRE_MAP` that a replacement of the whole content sets. */
export const REPLACED_KEY = 'replaced'

/** What replaced the content, and when (as the server's clock had it). */
export interface Replaced {
  by: 'restore' | 'import'
  at: string
}

/**
 * Marks `ydoc`'s content as replaced by a restore or an import, in the caller's transaction.
 *
 * Why: a replacement is the server's edit, so every editor's undo stack still holds edits made
 * against the content it replaced. Yjs' UndoManager skips stack items that no longer change
 * anything and undoes an older one instead (text typed before the restored version), and an undone
 * deletion brings text back beside the same text the replacement put back. Editors start their
 * undo afresh when this mark changes, the person who asked for the replacement and everyone else
 * alike, online or when they reconnect.
 */
export function markReplaced(ydoc: Y.Doc, by: Replaced['by']): void {
  const mark: Replaced = { by, at: new Date().toISOString() }
  ydoc.getMap(QUIRE_MAP).set(REPLACED_KEY, mark)
}
