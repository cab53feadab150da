import type { FormatName } from '../shared/content/catalog.js'
import { type Format, formatTable } from '../shared/content/format-table.js'
import { htmlCodec } from '../shared/content/html-codec.js'

/**
 * The editor's format table: the server's formats, with HTML read and written through the
 * browser's own `DOMParser` (which runs no script and loads no image of what it parses), so the
 * editor ships no DOM library and `getContent('html')` gives what `quire export` gives.
 */
export const EDITOR_FORMATS: Readonly<Record<FormatName, Format>> = formatTable(htmlCodec((html) => new DOMParser().parseFromString(html, 'text/html')))
