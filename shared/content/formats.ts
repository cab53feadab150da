import { type Format, type FormatName, formatTable } from './format-table.js'
import { parseHtml, renderHtml } from './html.js'

export * from './format-table.js'

/** The server's format table (HTML through linkedom); see `formatTable`. */
export const FORMATS: Readonly<Record<FormatName, Format>> = formatTable({ render: renderHtml, parse: parseHtml })

/** The format a file is read as, by its name's ending (case-insensitive), or `null` if none fits. */
export function formatOfFile(fileName: string): Format | null {
  const lower = fileName.toLowerCase()
  return Object.values(FORMATS).find((f) => f.extensions.some((ext) => lower.endsWith(ext))) ?? null
}
