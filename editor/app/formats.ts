import type { Node } from 'prosemirror-model'

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
 * Downloads `doc` as a file. The renderers (Markdown pulls in markdown-it) load on first use, so
 * they do not weigh on opening the page; the service worker keeps them for offline use.
 */
export async function download(doc: Node, name: string, format: DownloadFormat): Promise<void> {
  const { saveAs } = await import('./download.js')
  saveAs(doc, name, format)
}
