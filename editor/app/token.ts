/**
 * The `access` claim of a quire token (`read` or `write`), read without verifying it: the page only
 * uses it to show a view-only editor to a read-only link's holder. The server verifies every
 * token and drops a read-only connection's edits whatever the page does.
 */
export function tokenAccess(token: string | null): 'read' | 'write' | null {
  const payload = token?.split('.')[1]
  if (!payload) return null
  try {
    const json = atob(
      payload
        .replace(/-/g, '+')
        .replace(/_/g, '/')
        .padEnd(Math.ceil(payload.length / 4) * 4, '='),
    )
    const access = (JSON.parse(json) as { access?: unknown }).access
    return access === 'read' || access === 'write' ? access : null
  } catch {
    return null
  }
}
