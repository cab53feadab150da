import type { FormatName } from './catalog.js'
import { type Format, formatTable } from './format-table.js'
import { parseHtml, renderHtml } from './html.js'

export { DEFAULT_FORMAT, FORMAT_NAMES, type FormatName, formatOfFile, isFormatName } from './catalog.js'
export type { Format } from './format-table.js'
export { ContentError } from './limits.js'

/** The server's format table (HTML through linkedom); see `formatTable`. */
export const FORMATS: Readonly<Record<FormatName, Format>> = formatTable({ render: renderHtml, parse: parseHtml })
