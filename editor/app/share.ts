import { docNameToSegment } from '../../shared/doc-name.js'
import { menuButton } from './menu.js'

/** Puts `text` on the clipboard; where the page may not (no secure context), shows it to copy by hand. */
async function copy(text: string, announce: (message: string) => void): Promise<void> {
  try {
    await navigator.clipboard.writeText(text)
    announce('Link copied')
  } catch {
    window.prompt('Copy this link', text)
  }
}

/** A view-only link minted by the server for the holder of a write token (`POST .../share`). */
async function viewOnlyLink(doc: string, token: string): Promise<string> {
  const res = await fetch(`/api/docs/${docNameToSegment(doc)}/share`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ access: 'read' }),
  })
  const body = (await res.json().catch(() => ({}))) as { url?: unknown; error?: unknown }
  if (!res.ok || typeof body.url !== 'string') throw new Error(typeof body.error === 'string' ? body.error : `the server answered ${res.status}`)
  return new URL(body.url, location.origin).href
}

/**
 * `[data-quire="share"]`: "Copy link" copies this document's address. With access control on (the
 * page was opened with a token), the link carries that token, since nothing opens without one, and
 * a write token also offers "Copy view-only link", minted by the server.
 */
export function shareMenu(host: HTMLElement, doc: string, token: string | null, canWrite: boolean, announce: (message: string) => void): void {
  const link = (): string => {
    const url = new URL(location.pathname, location.origin)
    if (token) url.searchParams.set('token', token)
    return url.href
  }
  const items = [{ label: token && canWrite ? 'Copy editing link' : 'Copy link', run: () => copy(link(), announce) }]
  if (token && canWrite) {
    items.push({
      label: 'Copy view-only link',
      run: async () => {
        try {
          await copy(await viewOnlyLink(doc, token), announce)
        } catch (error) {
          announce(`No view-only link: ${(error as Error).message}`)
        }
      },
    })
  }
  menuButton(host, 'Share', items)
}
