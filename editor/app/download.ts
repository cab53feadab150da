import type { Node } from 'prosemirror-model'
import { EDITOR_FORMATS } from '../content.js'

/** The formats a document downloads as, with the file ending and type of each. */
export const DOWNLOADS = {
  markdown: { label: 'Markdown (.md)', extension: 'md', mime: 'text/markdown' },
  html: { label: 'HTML (.html)', extension: 'html', mime: 'text/html' },
  text: { label: 'Plain text (.txt)', extension: 'txt', mime: 'text/plain' },
} as const

/** A name for `DOWNLOADS`' keys. */
export type DownloadFormat = keyof typeof DOWNLOADS

/** A file name for document `name`: the characters file systems refuse become `-`. */
export function fileNameFor(name: string, format: DownloadFormat): string {
  const base = name.replace(/[\\/:*?"<>|\u0000-\u001f]/g, '-').trim() || 'document'
  return `${base}.${DOWNLOADS[format].extension}`
}

/**
 * Saves `doc` as a file through the browser's download, rendered by the same renderers as
 * `quire export` (the editor's format table), from what this page holds: it works offline, with
 * a view-only token, and after the document was deleted on the server ("Download a copy").
 */
export function download(doc: Node, name: string, format: DownloadFormat): void {
  const blob = new Blob([EDITOR_FORMATS[format].render(doc)], { type: `${DOWNLOADS[format].mime};charset=utf-8` })
  const link = document.createElement('a')
  link.href = URL.createObjectURL(blob)
  link.download = fileNameFor(name, format)
  link.click()
  // The download has started from the click; the object URL is not needed after this task.
  setTimeout(() => URL.revokeObjectURL(link.href))
}
