import '../style.css'
import './app.css'
import { docNameProblem } from '../../shared/doc-name.js'
import { CloseCode, renamedTo } from '../../shared/protocol.js'
import { createEditor } from '../index.js'
import { dropOffline } from '../offline.js'
import { deletion, offerRenamed, offerRescue, startAgain } from './deleted.js'
import { DOWNLOADS, type DownloadFormat, download } from './download.js'
import { chooseName, colorFor, rememberName } from './identity.js'
import { menuButton } from './menu.js'
import { serverUrl } from './server.js'
import { shareMenu } from './share.js'
import { keepShellOffline } from './shell.js'
import { tokenAccess } from './token.js'

/** The document a `/d/<name>` path stands for, or why it cannot be opened. */
function docFromPath(pathname: string): { name: string } | { problem: string } {
  try {
    const name = decodeURIComponent(pathname.replace(/^\/d\//, ''))
    const problem = docNameProblem(name)
    return problem === null ? { name } : { problem }
  } catch {
    return { problem: 'the address has an undecodable % escape' }
  }
}

function element<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id)
  if (el === null) throw new Error(`doc.html lacks #${id}`)
  return el as T
}

const title = element<HTMLHeadingElement>('title')
const mount = element<HTMLElement>('editor')
const notice = element<HTMLElement>('notice')
const nameInput = element<HTMLInputElement>('name')
const toast = element<HTMLElement>('toast')
const params = new URLSearchParams(location.search)
const token = params.get('token')
const target = docFromPath(location.pathname)

/** Says something briefly without moving anything on the page (a fixed-position live region). */
function announce(message: string): void {
  toast.textContent = message
  toast.hidden = false
  setTimeout(() => {
    if (toast.textContent === message) toast.hidden = true
  }, 2500)
}

/** The editor for `doc`, with the page's name field, share and download menus wired to it. */
function openEditor(doc: string): void {
  let name = chooseName(params)
  nameInput.value = name
  // A read-only token opens a view-only editor (the server would drop its edits anyway).
  const readOnly = params.has('readonly') || tokenAccess(token) === 'read'
  const editor = createEditor(mount, {
    url: serverUrl(),
    doc,
    user: { name, color: colorFor(name) },
    token: token ?? undefined,
    readOnly,
    offline: true,
  })
  // Renaming applies live: peers see the new name on the caret and in the list right away.
  nameInput.addEventListener('change', () => {
    const next = nameInput.value.trim()
    if (next === '' || next === name) {
      nameInput.value = name
      return
    }
    name = next
    rememberName(name)
    editor.awareness.setLocalStateField('user', { name, color: colorFor(name) })
  })
  nameInput.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter') return
    // Enter confirms the name; without this the same key press would also reach the editor,
    // which takes focus here, and split the paragraph under its caret.
    event.preventDefault()
    editor.view.focus()
  })
  shareMenu(element('share'), doc, token, !readOnly, announce)
  menuButton(
    element('download'),
    'Download',
    (Object.keys(DOWNLOADS) as DownloadFormat[]).map((format) => ({ label: DOWNLOADS[format].label, run: () => download(editor.view.state.doc, doc, format) })),
  )
  editor.provider.on('closed', ({ code, reason }: { code: number; reason: string }) => {
    if (code !== CloseCode.documentDeleted) return
    const renamed = renamedTo(reason)
    if (renamed !== null) return offerRenamed(notice, renamed, token)
    offerRescue(notice, doc, () => editor.view.state.doc, token)
  })
}

/** A deleted document (the server keeps its tombstone): say so, and start it again only when asked. */
function offerRestart(doc: string, at: string): void {
  const text = document.createElement('p')
  const when = new Date(at)
  const said = Number.isNaN(when.getTime()) ? '' : ` on ${when.toLocaleString()}`
  text.textContent = `“${doc}” was deleted${said}. Starting it again creates a new, empty document with this name.`
  const again = document.createElement('button')
  again.type = 'button'
  again.textContent = 'Start it again'
  const back = document.createElement('a')
  back.href = '/'
  back.textContent = 'All documents'
  again.addEventListener('click', async () => {
    again.disabled = true
    await dropOffline(serverUrl(), doc)
    await startAgain(doc, token)
    notice.hidden = true
    openEditor(doc)
  })
  notice.replaceChildren(text, again, back)
  notice.hidden = false
}

if ('problem' in target) {
  title.textContent = 'Cannot open this document'
  mount.textContent = `This address does not name a document: ${target.problem}.`
  mount.classList.add('page-error')
} else {
  const doc = target.name
  title.textContent = doc
  title.title = doc
  document.title = `${doc} · quire`
  const gone = await deletion(doc, token)
  if (gone === null) openEditor(doc)
  else if (gone.renamedTo !== null) offerRenamed(notice, gone.renamedTo, token)
  else offerRestart(doc, gone.at)
}
keepShellOffline()
