import type { Node } from 'prosemirror-model'
import { docNameToSegment } from '../../shared/doc-name.js'
import { download } from './download.js'
import { docExists } from './exists.js'

const authorization = (token: string | null): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {})

/**
 * When `doc` was deleted (and where it went, if it was renamed), if the server says so and it has
 * not been started again: asked before connecting, so any browser (not only one that saw the
 * deletion) says so instead of silently starting an empty document under the same name. `null`
 * when it exists, never did, or the server cannot be asked (offline: the page opens from its own
 * copy).
 */
export async function deletion(doc: string, token: string | null): Promise<{ at: string; renamedTo: string | null } | null> {
  try {
    const res = await fetch(`/api/docs/${docNameToSegment(doc)}/state`, { headers: authorization(token), signal: AbortSignal.timeout(5000) })
    if (!res.ok) return null
    const { deletedAt, renamedTo } = (await res.json()) as { deletedAt?: unknown; renamedTo?: unknown }
    if (typeof deletedAt !== 'string') return null
    return { at: deletedAt, renamedTo: typeof renamedTo === 'string' ? renamedTo : null }
  } catch {
    return null
  }
}

/**
 * Creates `doc` again, empty (an empty import), which clears its tombstone on the server: other
 * browsers then open it as they would any document. Where that is refused (a read-only token),
 * the first edit creates it instead.
 */
export async function startAgain(doc: string, token: string | null): Promise<void> {
  await fetch(`/api/docs/${docNameToSegment(doc)}/content?format=text`, { method: 'PUT', headers: authorization(token), body: '' }).catch(() => undefined)
}

/** A name for a copy of `doc` that the server does not have yet: "notes (copy)", "notes (copy 2)", ... */
async function freeCopyName(doc: string): Promise<string> {
  for (let n = 1; ; n++) {
    const name = `${doc} (copy${n === 1 ? '' : ` ${n}`})`
    if (!(await docExists(name))) return name
  }
}

/** Creates a new document holding `content` (an import of its JSON) and returns its name. */
export async function saveAsNew(doc: string, content: Node, token: string | null): Promise<string> {
  const name = await freeCopyName(doc)
  const res = await fetch(`/api/docs/${docNameToSegment(name)}/content?format=json`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', ...authorization(token) },
    body: JSON.stringify(content.toJSON()),
  })
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { error?: unknown }
    throw new Error(typeof body.error === 'string' ? body.error : `the server answered ${res.status}`)
  }
  return name
}

function action(label: string, run: () => void): HTMLButtonElement {
  const button = document.createElement('button')
  button.type = 'button'
  button.textContent = label
  button.addEventListener('click', run)
  return button
}

/**
 * Fills `notice` with what a user can still do with the text of a document deleted under them:
 * download it, or save it as a new document (and go there).
 */
export function offerRescue(notice: HTMLElement, doc: string, content: () => Node, token: string | null): void {
  const text = document.createElement('p')
  text.textContent = 'This document was deleted. The text below is only on this page now.'
  const problem = document.createElement('p')
  problem.className = 'notice-problem'
  const save = action('Save as a new document', async () => {
    save.disabled = true
    try {
      const name = await saveAsNew(doc, content(), token)
      location.assign(`/d/${docNameToSegment(name)}${token ? `?token=${encodeURIComponent(token)}` : ''}`)
    } catch (error) {
      problem.textContent = `Could not save a copy: ${(error as Error).message}`
      save.disabled = false
    }
  })
  notice.replaceChildren(
    text,
    action('Download a copy', () => download(content(), doc, 'markdown')),
    save,
    problem,
  )
  notice.hidden = false
}

/** Fills `notice` for a document renamed under the user: its text lives on under `to`, one click away. */
export function offerRenamed(notice: HTMLElement, to: string, token: string | null): void {
  const text = document.createElement('p')
  text.textContent = `This document was renamed to “${to}”.`
  const open = document.createElement('a')
  open.href = `/d/${docNameToSegment(to)}${token ? `?token=${encodeURIComponent(token)}` : ''}`
  open.textContent = `Open “${to}”`
  notice.replaceChildren(text, open)
  notice.hidden = false
}
