import type { Node } from 'prosemirror-model'
import { docNameToSegment } from '../../shared/doc-name.js'
import { download } from './download.js'
import { docExists } from './exists.js'

// A page learns that its document was deleted from the server's 4404 close. Remembering that in
// this browser lets a later visit say so, instead of silently starting an empty document under
// the same name.
const key = (doc: string) => `quire.deleted:${doc}`

/** Notes that `doc` was deleted while this browser had it open. */
export function rememberDeleted(doc: string): void {
  try {
    localStorage.setItem(key(doc), new Date().toISOString())
  } catch {
    // Without storage the next visit cannot warn; nothing else depends on it.
  }
}

/** Forgets the note, once the user chose to start the document again. */
export function forgetDeleted(doc: string): void {
  try {
    localStorage.removeItem(key(doc))
  } catch {
    // See rememberDeleted.
  }
}

/**
 * Whether opening `doc` should first say it was deleted: this browser saw it deleted, and the
 * server does not have it again since (someone may have started it again elsewhere).
 */
export async function stillDeleted(doc: string): Promise<boolean> {
  let noted: string | null = null
  try {
    noted = localStorage.getItem(key(doc))
  } catch {
    return false
  }
  if (noted === null) return false
  try {
    if (!(await docExists(doc))) return true
    forgetDeleted(doc)
    return false
  } catch {
    return true
  }
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
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
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
