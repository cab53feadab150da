import './app.css'
import { docNameProblem, docNameToSegment } from '../../shared/doc-name.js'
import { docExists } from './exists.js'
import { keepShellOffline } from './shell.js'

/** One row of `GET /api/docs`, the fields this page shows. */
interface DocSummary {
  name: string
  bytes: number
  updatedAt: string
  clients: number
}

// The list comes over HTTP from whatever answers at /api/docs; rows that do not have the expected
// shape are skipped rather than trusted.
function readSummary(row: unknown): DocSummary | null {
  if (typeof row !== 'object' || row === null) return null
  const { name, bytes, updatedAt, clients } = row as Record<string, unknown>
  if (typeof name !== 'string') return null
  return {
    name,
    bytes: typeof bytes === 'number' ? bytes : 0,
    updatedAt: typeof updatedAt === 'string' ? updatedAt : '',
    clients: typeof clients === 'number' ? clients : 0,
  }
}

const RELATIVE = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' })

function ago(iso: string): string {
  const then = Date.parse(iso)
  if (Number.isNaN(then)) return ''
  const seconds = Math.round((then - Date.now()) / 1000)
  for (const [unit, size] of [
    ['day', 86400],
    ['hour', 3600],
    ['minute', 60],
  ] as const) {
    if (Math.abs(seconds) >= size) return RELATIVE.format(Math.round(seconds / size), unit)
  }
  return 'just now'
}

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}

const docUrl = (name: string) => `/d/${docNameToSegment(name)}`
const apiUrl = (name: string) => `/api/docs/${docNameToSegment(name)}`

// A server started with --private-listing lists its documents only to the holder of a token for
// all of them; the token is kept for this tab only and sent with every API request of the page.
const LIST_TOKEN = 'quire.listToken'

/** `fetch` with this tab's token, when it has one. */
function apiFetch(url: string, init: RequestInit = {}): Promise<Response> {
  const token = sessionStorage.getItem(LIST_TOKEN)
  return fetch(url, token ? { ...init, headers: { ...(init.headers as Record<string, string> | undefined), authorization: `Bearer ${token}` } } : init)
}

const list = document.getElementById('docs') as HTMLUListElement
const note = document.getElementById('docs-note') as HTMLElement
const search = document.getElementById('search') as HTMLInputElement
const rows = new Map<string, { summary: DocSummary; el: HTMLLIElement }>()

function button(label: string, run: () => void, className = ''): HTMLButtonElement {
  const el = document.createElement('button')
  el.type = 'button'
  el.textContent = label
  el.className = className
  el.addEventListener('click', run)
  return el
}

/** Why a change through the API failed, in words. */
async function problemOf(res: Response): Promise<string> {
  const body = (await res.json().catch(() => ({}))) as { error?: unknown }
  return typeof body.error === 'string' ? body.error : `the server answered ${res.status}`
}

/**
 * Renames through the server (`POST .../rename`), which moves the document with its version
 * history; editors open on the old name are told where it went.
 */
async function rename(from: string, to: string): Promise<void> {
  const res = await apiFetch(`${apiUrl(from)}/rename`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ to }) })
  if (!res.ok) throw new Error(await problemOf(res))
}

/** One document's row: link, size and last change, people there now, Rename and Delete (confirmed). */
function drawRow(li: HTMLLIElement, doc: DocSummary): void {
  const link = document.createElement('a')
  link.href = docUrl(doc.name)
  link.textContent = doc.name
  const meta = document.createElement('span')
  meta.className = 'doc-meta'
  const parts = [size(doc.bytes), doc.updatedAt ? `edited ${ago(doc.updatedAt)}` : '']
  if (doc.clients > 0) parts.push(`${doc.clients} ${doc.clients === 1 ? 'person' : 'people'} here now`)
  meta.textContent = parts.filter(Boolean).join(' · ')
  const problem = document.createElement('span')
  problem.className = 'doc-problem'
  problem.setAttribute('role', 'alert')
  const actions = document.createElement('span')
  actions.className = 'doc-row-actions'
  const fail = (error: unknown) => (problem.textContent = (error as Error).message)

  const askDelete = button(`Delete`, () => {
    const confirm = button(
      'Delete for everyone',
      async () => {
        const res = await apiFetch(apiUrl(doc.name), { method: 'DELETE' })
        if (res.ok || res.status === 404) removeRow(doc.name)
        else fail(new Error(await problemOf(res)))
      },
      'danger',
    )
    const cancel = button('Keep it', () => drawRow(li, doc))
    const question = document.createElement('span')
    question.textContent = `Delete “${doc.name}”? Everyone loses it.`
    actions.replaceChildren(question, confirm, cancel)
    cancel.focus()
  })
  askDelete.setAttribute('aria-label', `Delete ${doc.name}`)
  const askRename = button('Rename', () => {
    const form = document.createElement('form')
    const input = document.createElement('input')
    input.type = 'text'
    input.value = doc.name
    input.setAttribute('aria-label', `New name for ${doc.name}`)
    const save = document.createElement('button')
    save.type = 'submit'
    save.textContent = 'Save name'
    form.append(
      input,
      save,
      button('Cancel', () => drawRow(li, doc)),
    )
    form.addEventListener('submit', async (event) => {
      event.preventDefault()
      const to = input.value.trim()
      const invalid = to === doc.name ? 'that is its name already' : docNameProblem(to)
      if (invalid) return fail(new Error(invalid))
      save.disabled = true
      try {
        await rename(doc.name, to)
        removeRow(doc.name)
        resync()
      } catch (error) {
        fail(error)
        save.disabled = false
      }
    })
    li.replaceChildren(form, problem)
    input.select()
  })
  askRename.setAttribute('aria-label', `Rename ${doc.name}`)
  actions.append(askRename, askDelete)
  li.replaceChildren(link, meta, actions, problem)
}

function applySearch(): void {
  const query = search.value.trim().toLocaleLowerCase()
  let shown = 0
  for (const { summary, el } of rows.values()) {
    el.hidden = query !== '' && !summary.name.toLocaleLowerCase().includes(query)
    if (!el.hidden) shown++
  }
  note.textContent = rows.size === 0 ? 'No documents yet. Create the first one above.' : shown === 0 ? `No document name contains “${search.value.trim()}”.` : ''
}

/** Puts `doc` in the list, newest change first, or redraws its row. */
function upsert(doc: DocSummary): void {
  let row = rows.get(doc.name)
  if (!row) {
    row = { summary: doc, el: document.createElement('li') }
    row.el.className = 'doc-row'
    rows.set(doc.name, row)
  }
  row.summary = doc
  // A row being renamed or deleted keeps its form until the user is done with it.
  if (!row.el.querySelector('form, .danger')) drawRow(row.el, doc)
  // Newest change first. Rows are moved only when the order changed: moving a row would take
  // focus out of a rename field in it.
  const sorted = [...rows.values()].sort((a, b) => b.summary.updatedAt.localeCompare(a.summary.updatedAt)).map((r) => r.el)
  if (sorted.some((el, i) => list.children[i] !== el)) list.append(...sorted)
  applySearch()
}

function removeRow(name: string): void {
  rows.get(name)?.el.remove()
  rows.delete(name)
  applySearch()
}

/** Reads the whole list again and brings the rows in line: new ones added, changed ones redrawn, gone ones removed. */
async function syncRows(): Promise<void> {
  const res = await apiFetch('/api/docs', { headers: { accept: 'application/json' } }).catch(() => null)
  const body: unknown = res?.ok ? await res.json() : null
  if (!Array.isArray(body)) return
  const listed = body.map(readSummary).filter((doc): doc is DocSummary => doc !== null)
  const names = new Set(listed.map((doc) => doc.name))
  for (const name of [...rows.keys()]) if (!names.has(name)) removeRow(name)
  for (const doc of listed) {
    const shown = rows.get(doc.name)?.summary
    if (!shown || shown.bytes !== doc.bytes || shown.updatedAt !== doc.updatedAt || shown.clients !== doc.clients) upsert(doc)
  }
  applySearch()
}

// One read of the list at a time; events arriving meanwhile ask for one more read after it.
let syncing: Promise<void> | null = null
let again = false
function resync(): void {
  if (syncing) {
    again = true
    return
  }
  syncing = syncRows().finally(() => {
    syncing = null
    if (again) {
      again = false
      resync()
    }
  })
}

// Metadata is stored at most once a second per document, so the list is read again a little after
// the last event: the final size and time of a burst of edits are then shown too.
const SETTLE_MS = 1200
let settling: ReturnType<typeof setTimeout> | undefined
function changed(): void {
  resync()
  clearTimeout(settling)
  settling = setTimeout(resync, SETTLE_MS)
}

function docOfEvent(event: MessageEvent<string>): string | null {
  try {
    const { doc } = JSON.parse(event.data) as { doc?: unknown }
    return typeof doc === 'string' ? doc : null
  } catch {
    return null
  }
}

/** Asks for the token a private list needs, and shows the list once one is given. */
function askForToken(refused: boolean): void {
  const form = document.createElement('form')
  form.dataset.quire = 'list-token'
  form.className = 'new-doc'
  const input = document.createElement('input')
  input.type = 'password'
  input.autocomplete = 'off'
  input.setAttribute('aria-label', 'Access token')
  input.placeholder = 'Access token for all documents'
  form.append(
    input,
    button('Show documents', () => form.requestSubmit()),
  )
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    sessionStorage.setItem(LIST_TOKEN, input.value.trim())
    list.replaceChildren()
    void showDocuments()
  })
  note.textContent = refused ? 'That token does not open the list of every document.' : 'This server lists its documents only with an access token. Or open one by name above.'
  const item = document.createElement('li')
  item.append(form)
  list.replaceChildren(item)
  input.focus()
}

/** The list, then live: documents appear, change and go as the server's list stream says. */
async function showDocuments(): Promise<void> {
  const res = await apiFetch('/api/docs', { headers: { accept: 'application/json' } }).catch(() => null)
  if (res?.status === 401 || res?.status === 403) return askForToken(sessionStorage.getItem(LIST_TOKEN) !== null)
  const body: unknown = res?.ok ? await res.json() : null
  if (!Array.isArray(body)) {
    note.textContent = 'This server does not list its documents. Open one by name above.'
    return
  }
  for (const doc of body.map(readSummary)) if (doc) upsert(doc)
  applySearch()
  // An EventSource cannot send headers: its token goes in the query.
  const token = sessionStorage.getItem(LIST_TOKEN)
  const stream = new EventSource(token ? `/api/events?token=${encodeURIComponent(token)}` : '/api/events')
  stream.addEventListener('changed', changed)
  stream.addEventListener('removed', (event) => {
    const doc = docOfEvent(event)
    if (doc !== null) removeRow(doc)
  })
}

function untitled(): string {
  const day = new Date().toISOString().slice(0, 10)
  return `Untitled ${day} ${Math.random().toString(36).slice(2, 6)}`
}

/**
 * Creates `name` on the server (empty) unless it exists, so that it is listed, here and on every
 * other open list, from the moment it is made rather than from its first edit. Where the server
 * refuses (access control on), the editor page creates it on the first edit instead.
 */
async function create(name: string): Promise<void> {
  if (await docExists(name).catch(() => true)) return
  await apiFetch(`${apiUrl(name)}/content?format=text`, { method: 'PUT', body: '' }).catch(() => undefined)
}

const form = document.getElementById('new') as HTMLFormElement
const input = form.querySelector('input') as HTMLInputElement
form.addEventListener('submit', async (event) => {
  event.preventDefault()
  const name = input.value.trim() || untitled()
  const problem = docNameProblem(name)
  input.setCustomValidity(problem ?? '')
  if (problem !== null) {
    input.reportValidity()
    return
  }
  await create(name)
  location.assign(docUrl(name))
})
input.addEventListener('input', () => input.setCustomValidity(''))
search.addEventListener('input', applySearch)

void showDocuments()
keepShellOffline()
