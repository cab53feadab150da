import '../style.css'
import './app.css'
import { docNameProblem } from '../../shared/doc-name.js'
import { createEditor } from '../index.js'
import { chooseName, colorFor, rememberName } from './identity.js'
import { serverUrl } from './server.js'

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
const nameInput = element<HTMLInputElement>('name')
const copyButton = element<HTMLButtonElement>('copy')
const params = new URLSearchParams(location.search)
const target = docFromPath(location.pathname)

if ('problem' in target) {
  title.textContent = 'Cannot open this document'
  mount.textContent = `This address does not name a document: ${target.problem}.`
  mount.classList.add('page-error')
} else {
  const doc = target.name
  title.textContent = doc
  document.title = `${doc} · quire`
  let name = chooseName(params)
  nameInput.value = name
  const editor = createEditor(mount, {
    url: serverUrl(),
    doc,
    user: { name, color: colorFor(name) },
    token: params.get('token') ?? undefined,
    readOnly: params.has('readonly'),
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
    if (event.key === 'Enter') editor.view.focus()
  })
  editor.view.focus()
}

// The link shared is the document's address without this user's name or token.
copyButton.addEventListener('click', async () => {
  const link = `${location.origin}${location.pathname}`
  try {
    await navigator.clipboard.writeText(link)
    copyButton.textContent = 'Link copied'
  } catch {
    // Clipboard access needs a secure context; show the link so it can be copied by hand.
    window.prompt('Copy this link', link)
  }
  setTimeout(() => (copyButton.textContent = 'Copy link'), 2000)
})
