import './app.css'
import { docNameProblem, docNameToSegment } from '../../shared/doc-name.js'

/** One row of `GET /api/docs`, the fields this page shows. */
interface DocSummary {
  name: string
  updatedAt: string
  clients: number
}

// The list comes over HTTP from whatever answers at /api/docs; rows that do not have the expected
// shape are skipped rather than trusted.
function readSummaries(body: unknown): DocSummary[] | null {
  if (!Array.isArray(body)) return null
  return body.flatMap((row: unknown) => {
    if (typeof row !== 'object' || row === null) return []
    const { name, updatedAt, clients } = row as Record<string, unknown>
    if (typeof name !== 'string') return []
    return [{ name, updatedAt: typeof updatedAt === 'string' ? updatedAt : '', clients: typeof clients === 'number' ? clients : 0 }]
  })
}

const RELATIVE = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' })

function ago(iso: string): string {
  const then = Date.parse(iso)
  if (Number.isNaN(then)) return ''
  const seconds = Math.round((then - Date.now()) / 1000)
  for (const [unit, size] of [['day', 86400], ['hour', 3600], ['minute', 60]] as const) {
    if (Math.abs(seconds) >= size) return RELATIVE.format(Math.round(seconds / size), unit)
  }
  return 'just now'
}

function docLink(name: string): string {
  return `/d/${docNameToSegment(name)}`
}

function row(doc: DocSummary): HTMLLIElement {
  const li = document.createElement('li')
  li.className = 'doc-row'
  const link = document.createElement('a')
  link.href = docLink(doc.name)
  link.textContent = doc.name
  const meta = document.createElement('span')
  meta.className = 'doc-meta'
  const parts = [doc.updatedAt ? `edited ${ago(doc.updatedAt)}` : '']
  if (doc.clients > 0) parts.push(`${doc.clients} ${doc.clients === 1 ? 'person' : 'people'} here now`)
  meta.textContent = parts.filter(Boolean).join(' · ')
  li.append(link, meta)
  return li
}

// A server started with --private-listing lists its documents only to the holder of a token for
// all of them; the token is kept for this tab only.
const LIST_TOKEN = 'quire.listToken'

/** Asks for the token a private list needs, and shows the list again once one is given. */
function askForToken(list: HTMLElement, note: HTMLElement, refused: boolean): void {
  const form = document.createElement('form')
  form.dataset.quire = 'list-token'
  form.className = 'new-doc'
  const input = document.createElement('input')
  input.type = 'password'
  input.autocomplete = 'off'
  input.setAttribute('aria-label', 'Access token')
  input.placeholder = 'Access token for all documents'
  const button = document.createElement('button')
  button.type = 'submit'
  button.textContent = 'Show documents'
  form.append(input, button)
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    sessionStorage.setItem(LIST_TOKEN, input.value.trim())
    void showDocuments(list, note)
  })
  note.textContent = refused ? 'That token does not open the list of every document.' : 'This server lists its documents only with an access token. Or open one by name above.'
  const item = document.createElement('li')
  item.append(form)
  list.replaceChildren(item)
  input.focus()
}

async function showDocuments(list: HTMLElement, note: HTMLElement): Promise<void> {
  let docs: DocSummary[] | null = null
  try {
    const token = sessionStorage.getItem(LIST_TOKEN)
    const res = await fetch('/api/docs', { headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) } })
    if (res.status === 401 || res.status === 403) return askForToken(list, note, token !== null)
    if (res.ok) docs = readSummaries(await res.json())
  } catch {
    docs = null
  }
  if (docs === null) {
    note.textContent = 'This server does not list its documents. Open one by name above.'
    return
  }
  if (docs.length === 0) {
    note.textContent = 'No documents yet. Create the first one above.'
    return
  }
  docs.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))
  list.replaceChildren(...docs.map(row))
  note.textContent = ''
}

function untitled(): string {
  const day = new Date().toISOString().slice(0, 10)
  return `Untitled ${day} ${Math.random().toString(36).slice(2, 6)}`
}

const form = document.getElementById('new') as HTMLFormElement
const input = form.querySelector('input') as HTMLInputElement
form.addEventListener('submit', (event) => {
  event.preventDefault()
  const name = input.value.trim() || untitled()
  const problem = docNameProblem(name)
  input.setCustomValidity(problem ?? '')
  if (problem !== null) {
    input.reportValidity()
    return
  }
  location.assign(docLink(name))
})
input.addEventListener('input', () => input.setCustomValidity(''))

void showDocuments(document.getElementById('docs')!, document.getElementById('docs-note')!)
