import { DOMSerializer, type Node } from 'prosemirror-model'
import { renderMarkdown } from '../../shared/content/markdown.js'
import { renderText } from '../../shared/content/text.js'
import { schema } from '../../shared/schema.js'
import { DOWNLOADS, type DownloadFormat, fileNameFor } from './formats.js'

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

/**
 * A standalone HTML file of `doc`. The browser's own serializer writes the markup (it escapes text
 * and attributes), from the schema's `toDOM`, which already leaves out unsafe URLs.
 */
function renderHtmlFile(doc: Node, title: string): string {
  const body = document.createElement('div')
  body.append(DOMSerializer.fromSchema(schema).serializeFragment(doc.content, { document }))
  return `<!doctype html>\n<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>\n<body>\n${body.innerHTML}\n</body></html>\n`
}

/**
 * `doc` rendered in the browser, from what this page holds: it works offline, with a view-only
 * token, and after the document was deleted on the server (the "Download a copy" rescue).
 */
export function render(doc: Node, format: DownloadFormat, title: string): string {
  if (format === 'markdown') return renderMarkdown(doc)
  if (format === 'html') return renderHtmlFile(doc, title)
  return renderText(doc)
}

/** Saves `doc` as a file through the browser's download. */
export function saveAs(doc: Node, name: string, format: DownloadFormat): void {
  const blob = new Blob([render(doc, format, name)], { type: `${DOWNLOADS[format].mime};charset=utf-8` })
  const link = document.createElement('a')
  link.href = URL.createObjectURL(blob)
  link.download = fileNameFor(name, format)
  link.click()
  // The download has started from the click; the object URL is not needed after this task.
  setTimeout(() => URL.revokeObjectURL(link.href))
}
