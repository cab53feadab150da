import { docNameToSegment } from '../../shared/doc-name.js'

/**
 * Whether the server has a document named `name`. Read from the list (`GET /api/docs`), so that
 * asking about a free name is not a 404 that the browser logs as an error; a server that does not
 * list its documents is asked about the one name instead.
 */
export async function docExists(name: string): Promise<boolean> {
  const list = await fetch('/api/docs', { headers: { accept: 'application/json' } })
  if (list.ok) {
    const rows = (await list.json()) as unknown
    if (Array.isArray(rows)) return rows.some((row) => (row as { name?: unknown } | null)?.name === name)
  }
  return (await fetch(`/api/docs/${docNameToSegment(name)}`)).ok
}
