import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { mintToken } from '../../server/guard/access.js'
import { FORMATS, type FormatName } from '../../shared/content/formats.js'
import { replacementUpdate, toNode } from '../../shared/content/ydoc.js'
import { readPresence } from '../../shared/presence.js'
import { sampleDoc } from '../fixtures/sample.js'
import { editorText, launchBrowser, newUser } from '../helpers/browser.js'
import { connectClient, type TestClient } from '../helpers/client.js'
import { startServer, type TestServer } from '../helpers/server.js'
import { until } from '../helpers/until.js'

// The runtime API of `createEditor` (`on`/`off`, `setReadOnly`, `setUser`, `setToken`,
// `getContent`/`setContent`), driven in Chromium through the embed bundle a quire server serves,
// against that real server. The page records every WebSocket it opens and the first two bytes of
// every frame it sends (message type, sync message type), so "sends nothing" is read off the wire.

const SECRET = 'editor-api-test-secret'
let open: TestServer
let guarded: TestServer
/** Refuses messages over 4 KiB (close 1009). */
let small: TestServer
let browser: Browser
let host: Server
let hostUrl: string
const clients: TestClient[] = []

function page(server: TestServer): string {
  return `<!doctype html>
<html><head><link rel="stylesheet" href="${server.url}/embed/quire-editor.css"></head>
<body><div id="here"></div>
<script>
  const Native = window.WebSocket
  window.sockets = []
  window.sent = []
  window.WebSocket = class extends Native {
    constructor(...args) { super(...args); window.sockets.push(this) }
    send(data) { window.sent.push(Array.from(data.slice(0, 2))); return super.send(data) }
  }
  window.events = []
</script>
<script type="module">
  window.quire = await import('${server.url}/embed/quire-editor.js')
</script></body></html>`
}

beforeAll(async () => {
  ;[open, guarded, small, browser] = await Promise.all([startServer(), startServer({ env: { QUIRE_SECRET: SECRET } }), startServer({ args: ['--max-message-bytes', '4096'] }), launchBrowser()])
  host = createServer((req, res) => {
    res.setHeader('content-type', 'text/html')
    const query = new URL(req.url ?? '/', 'http://host').searchParams
    res.end(page(query.has('guarded') ? guarded : query.has('small') ? small : open))
  })
  await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve))
  hostUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}`
})

afterAll(async () => {
  for (const client of clients) client.destroy()
  await browser?.close()
  host?.close()
  await Promise.all([open?.stop(), guarded?.stop(), small?.stop()])
})

interface EditorPage {
  page: Page
  errors: string[]
}

async function openPage(query = ''): Promise<EditorPage> {
  const { page, errors } = await newUser(browser)
  await page.goto(`${hostUrl}/${query}`)
  await page.waitForFunction(() => 'quire' in window)
  return { page, errors }
}

/**
 * `createEditor` in the page with `options` (url and user filled in), every event logged to
 * `window.events` as `name:detail` from the moment it returns.
 */
async function mount(page: Page, options: Record<string, unknown>, server = open): Promise<void> {
  await page.evaluate(
    ([opts, url]) => {
      const w = window as unknown as { quire: typeof import('../../editor/index.js'); editor: unknown; events: string[] }
      const editor = w.quire.createEditor(document.getElementById('here')!, { url, user: { name: 'Embedder', color: '#1e88e5' }, ...opts } as never)
      w.editor = editor
      editor.on('status', ({ state }) => w.events.push(`status:${state}`))
      editor.on('synced', () => w.events.push('synced'))
      editor.on('change', ({ local }) => w.events.push(`change:${local ? 'local' : 'remote'}`))
      editor.on('error', (error) => w.events.push(`error:${error.code}:${error.final ? 'final' : 'retrying'}`))
      editor.on('presence', ({ people }) => w.events.push(`presence:${people.map((p) => p.name).join(',')}`))
    },
    [options, server.wsUrl] as const,
  )
}

/** Runs `fn` on the page's editor. */
function onEditor<T, A = undefined>(page: Page, fn: (editor: import('../../editor/index.js').Editor, arg: A) => T, arg?: A): Promise<T> {
  return page.evaluate(([source, a]) => new Function('editor', 'arg', `return (${source})(editor, arg)`)((window as unknown as { editor: unknown }).editor, a), [
    fn.toString(),
    arg,
  ] as const) as Promise<T>
}

const events = (page: Page) => page.evaluate(() => (window as unknown as { events: string[] }).events)
const sockets = (page: Page) => page.evaluate(() => (window as unknown as { sockets: WebSocket[] }).sockets.map((s) => ({ url: s.url, state: s.readyState })))
/**
 * Messages carrying document content (sync step 2 `[0, 1]`, update `[0, 2]`) the page sent since
 * the last call. A sync step 1 (a state vector) and awareness messages carry none.
 */
const takeContentFrames = (page: Page) =>
  page.evaluate(() => {
    const w = window as unknown as { sent: number[][] }
    const content = w.sent.filter(([type, sync]) => type === 0 && sync !== 0)
    w.sent = []
    return content
  })

function client(server: TestServer, doc: string, params?: Record<string, string>): TestClient {
  const c = connectClient(server.wsUrl, doc, { params })
  clients.push(c)
  return c
}

/** An edit by a Node peer through the official client: the document becomes `text`. */
function peerWrites(peer: TestClient, text: string): void {
  Y.applyUpdate(peer.doc, replacementUpdate(peer.doc, FORMATS.text.parse(text)))
}

const contentOf = (c: TestClient, format: FormatName) => FORMATS[format].render(toNode(c.doc))
const docName = (what: string) => `${what}-${randomUUID().slice(0, 8)}`

describe('createEditor argument checks', () => {
  it('throws a TypeError naming the bad argument, opening no socket and leaving nothing behind', async () => {
    const { page } = await openPage()
    const refusals = await page.evaluate((url) => {
      const { createEditor } = (window as unknown as { quire: typeof import('../../editor/index.js') }).quire
      const here = document.getElementById('here')!
      const good = { url, doc: 'checked', user: { name: 'Ada', color: '#e91e63' } }
      const cases: Array<[unknown, unknown]> = [
        [null, good],
        ['#here', good],
        [here, null],
        [here, { ...good, url: 'http://127.0.0.1:1' }],
        [here, { ...good, url: 'not a url' }],
        [here, { ...good, doc: '' }],
        [here, { ...good, doc: 'bell\u0007' }],
        [here, { ...good, user: undefined }],
        [here, { ...good, user: { name: '  ', color: '#e91e63' } }],
        [here, { ...good, user: { name: 'Ada', color: 'not-a-colour' } }],
        [here, { ...good, user: { name: 'Ada', color: 'rgba(0, 0, 0, 0.5)' } }],
        [here, { ...good, token: 42 }],
        [here, { ...good, readOnly: 'yes' }],
      ]
      return cases.map(([element, options]) => {
        try {
          createEditor(element as HTMLElement, options as never)
          return 'created'
        } catch (error) {
          return `${(error as Error).name}: ${(error as Error).message}`
        }
      })
    }, open.wsUrl)
    expect(refusals).toHaveLength(13)
    for (const refusal of refusals) expect(refusal).toMatch(/^TypeError: quire editor: /)
    expect(refusals[0]).toContain('element')
    expect(refusals[3]).toContain('options.url')
    expect(refusals[5]).toContain('options.doc')
    expect(refusals[9]).toContain('options.user.color')
    expect(await sockets(page)).toEqual([])
    expect(await page.locator('#here').innerHTML()).toBe('')
    // Nothing reached the server either: the document was never opened.
    expect((await fetch(`${open.url}/api/docs/checked`)).status).toBe(404)
  })

  it('takes down what it built when construction fails after the checks: socket closed, presence gone', async () => {
    const doc = docName('failed')
    const peer = client(open, doc)
    await peer.synced()
    const { page } = await openPage()
    const thrown = await page.evaluate(
      ([url, name]) => {
        const { createEditor } = (window as unknown as { quire: typeof import('../../editor/index.js') }).quire
        const here = document.getElementById('here')!
        // Passes every check, then refuses the editor's DOM: the socket is open by then.
        here.append = () => {
          throw new Error('this element takes no children')
        }
        try {
          createEditor(here, { url, doc: name, user: { name: 'Ghost', color: '#888888' } })
          return 'created'
        } catch (error) {
          return (error as Error).message
        }
      },
      [open.wsUrl, doc] as const,
    )
    expect(thrown).toBe('this element takes no children')
    await until(async () => expect((await sockets(page)).map((s) => s.state)).toEqual([3]))
    // No ghost: whatever presence reached the peer is gone again.
    await until(() => expect([...peer.provider.awareness.getStates().values()].map(readPresence).filter((p) => p?.name === 'Ghost')).toEqual([]))
  })

  it('accepts any opaque CSS colour and shows it to peers as #rrggbb', async () => {
    const doc = docName('colour')
    const { page } = await openPage()
    await mount(page, { doc, user: { name: 'Purple', color: 'rebeccapurple' } })
    const peer = client(open, doc)
    await until(() => expect([...peer.provider.awareness.getStates().values()].map(readPresence)).toContainEqual({ name: 'Purple', color: '#663399' }))
    await onEditor(page, (editor) => editor.setUser({ name: 'Renamed', color: 'hsl(120, 100%, 25%)' }))
    await until(() => expect([...peer.provider.awareness.getStates().values()].map(readPresence)).toContainEqual({ name: 'Renamed', color: '#008000' }))
    const refused = await page.evaluate(() => {
      try {
        ;(window as unknown as { editor: import('../../editor/index.js').Editor }).editor.setUser({ name: '', color: 'red' })
        return 'accepted'
      } catch (error) {
        return (error as Error).name
      }
    })
    expect(refused).toBe('TypeError')
  })
})

describe('editor events', () => {
  it('fire in order: connected, synced, presence as people come, local and remote changes, then the deletion as error and status', async () => {
    const doc = docName('events')
    const { page, errors } = await openPage()
    await mount(page, { doc })
    await until(async () => expect(await events(page)).toContain('synced'))
    expect(await events(page)).toEqual(['status:connected', 'synced'])
    expect(await onEditor(page, (editor) => editor.status)).toBe('connected')

    const peer = client(open, doc)
    peer.provider.awareness.setLocalStateField('user', { name: 'Peer', color: '#00897b' })
    await until(async () => expect(await events(page)).toContain('presence:Embedder,Peer'))
    await peer.synced()

    await onEditor(page, (editor) => editor.setContent('From the page.', 'text'))
    await until(() => expect(contentOf(peer, 'text')).toBe('From the page.\n'))
    peerWrites(peer, 'From the peer.')
    await until(async () => expect(await editorText(page)).toBe('From the peer.'))

    expect((await fetch(`${open.url}/api/docs/${encodeURIComponent(doc)}`, { method: 'DELETE' })).status).toBe(204)
    await until(async () => expect(await events(page)).toContain('error:4404:final'))
    const log = (await events(page)).filter((e) => !e.startsWith('presence:'))
    expect(log).toEqual(['status:connected', 'synced', 'change:local', 'change:remote', 'status:disconnected', 'error:4404:final'])
    expect(await onEditor(page, (editor) => editor.readOnly)).toBe(true)
    expect(errors).toEqual([])
  })

  it('have what presence reports readable at any time as editor.people, this user alone included', async () => {
    const doc = docName('people')
    const { page } = await openPage()
    await mount(page, { doc })
    await until(async () => expect(await events(page)).toContain('synced'))
    const people = () => onEditor(page, (editor) => editor.people.map((person) => `${person.name}${person.self ? ' (self)' : ''}`))
    expect(await people()).toEqual(['Embedder (self)'])

    const peer = client(open, doc)
    peer.provider.awareness.setLocalStateField('user', { name: 'Peer', color: '#00897b' })
    await until(async () => expect(await events(page)).toContain('presence:Embedder,Peer'))
    expect(await people()).toEqual(['Embedder (self)', 'Peer'])
  })

  it('report a message the server refused as a retried error', async () => {
    const doc = docName('too-big')
    const { page } = await openPage('?small')
    await mount(page, { doc }, small)
    await until(async () => expect(await events(page)).toContain('synced'))
    await onEditor(page, (editor) => editor.setContent('x'.repeat(8192), 'text'))
    await until(async () => expect(await events(page)).toContain('error:1009:retrying'))
    expect(await events(page)).toContain('status:disconnected')
    expect(await onEditor(page, (editor) => editor.readOnly)).toBe(false)
  })

  it('stop for a listener that off() removed, and a throwing listener does not stop the others', async () => {
    const doc = docName('off')
    const { page, errors } = await openPage()
    await mount(page, { doc })
    const calls = await page.evaluate(() => {
      const editor = (window as unknown as { editor: import('../../editor/index.js').Editor }).editor
      const seen: string[] = []
      const removed = () => seen.push('removed')
      editor.on('change', removed)
      editor.off('change', removed)
      const stop = editor.on('change', () => seen.push('unsubscribed'))
      stop()
      editor.on('change', () => {
        throw new Error('listener failure')
      })
      editor.on('change', () => seen.push('kept'))
      editor.setContent('x', 'text')
      return seen
    })
    expect(calls).toEqual(['kept'])
    expect(errors).toEqual(['listener failure'])
  })
})

describe('setReadOnly', () => {
  it('turns editing and the toolbar off and sends no document update; turning it back on sends what was held', async () => {
    const doc = docName('read-only')
    const { page } = await openPage()
    await mount(page, { doc })
    await until(async () => expect(await events(page)).toContain('synced'))
    const peer = client(open, doc)
    await peer.synced()
    await page.locator('.ProseMirror').click()
    await page.keyboard.type('Typed while editable.')
    await until(() => expect(contentOf(peer, 'text')).toBe('Typed while editable.\n'))

    await onEditor(page, (editor) => editor.setReadOnly(true))
    expect(await onEditor(page, (editor) => editor.readOnly)).toBe(true)
    expect(await page.locator('.ProseMirror').getAttribute('contenteditable')).toBe('false')
    expect(await page.locator('[role="toolbar"] button:visible:enabled').count()).toBe(0)
    await expect(page.locator('.quire-view-only').isVisible()).resolves.toBe(true)
    await takeContentFrames(page)
    await page.evaluate(() => ((window as unknown as { events: string[] }).events = []))
    await page.keyboard.type(' Typed while read-only.')
    // The embedding app cannot change the text through the view either...
    await onEditor(page, (editor) => editor.view.dispatch(editor.view.state.tr.insertText(' Dispatched.', 1)))
    const refused = await page.evaluate(() => {
      try {
        ;(window as unknown as { editor: import('../../editor/index.js').Editor }).editor.setContent('nope', 'text')
        return 'accepted'
      } catch (error) {
        return (error as Error).message
      }
    })
    expect(refused).toContain('read-only')
    expect(await editorText(page)).toBe('Typed while editable.')
    expect((await events(page)).filter((e) => e.startsWith('change:'))).toEqual([])
    // ...and what it writes into the Y.Doc itself stays here for now.
    await onEditor(page, (editor) => editor.ydoc.getMap('app').set('written', 'while read-only'))
    expect(await takeContentFrames(page)).toEqual([])

    await onEditor(page, (editor) => editor.setReadOnly(false))
    expect(await takeContentFrames(page)).toEqual([[0, 2]])
    await until(() => expect(peer.doc.getMap('app').get('written')).toBe('while read-only'))
    expect(await page.locator('.ProseMirror').getAttribute('contenteditable')).toBe('true')
    expect(await page.locator('[role="toolbar"] button:visible:enabled').count()).toBeGreaterThan(0)
    await expect(page.locator('.quire-view-only').isVisible()).resolves.toBe(false)
  })
})

describe('setToken', () => {
  it('after a refused token, reconnects with the new one and sends the edits made meanwhile', async () => {
    const doc = docName('token')
    const write = await mintToken(SECRET, { doc, write: true, ttlSeconds: 3600 })
    const { page } = await openPage('?guarded')
    await mount(page, { doc, token: 'not-a-token' }, guarded)
    await until(async () => expect(await events(page)).toContain('error:4401:final'))
    expect(await page.locator('[data-quire="status"]').getAttribute('data-state')).toBe('disconnected')
    await page.locator('.ProseMirror').click()
    await page.keyboard.type('Written before the new token.')

    await onEditor(page, (editor, token) => editor.setToken(token), write)
    await until(async () => expect(await page.locator('[data-quire="status"]').getAttribute('data-state')).toBe('connected'))
    const peer = client(guarded, doc, { token: write })
    await until(() => expect(contentOf(peer, 'text')).toBe('Written before the new token.\n'))
    const [first, second] = await sockets(page)
    expect(first!.url).toContain('token=not-a-token')
    expect(second!.url).toContain(`token=${write}`)
  })

  it('replaces a working token with a new connection, keeping the document', async () => {
    const doc = docName('refresh')
    const [first, next] = await Promise.all([mintToken(SECRET, { doc, write: true, ttlSeconds: 3600 }), mintToken(SECRET, { doc, write: true, ttlSeconds: 7200 })])
    const { page } = await openPage('?guarded')
    await mount(page, { doc, token: first }, guarded)
    await until(async () => expect(await events(page)).toContain('synced'))
    await onEditor(page, (editor) => editor.setContent('Kept across tokens.', 'text'))

    await page.evaluate(() => ((window as unknown as { events: string[] }).events = []))
    await onEditor(page, (editor, token) => editor.setToken(token), next)
    await until(async () => expect(await events(page)).toContain('synced'))
    expect((await events(page)).filter((e) => e.startsWith('status:'))).toEqual(['status:disconnected', 'status:connected'])
    const opened = await sockets(page)
    expect(opened.map((s) => s.url.includes(`token=${next}`))).toEqual([false, true])
    expect(opened[0]!.state).toBe(3)
    expect(await editorText(page)).toBe('Kept across tokens.')
    const peer = client(guarded, doc, { token: next })
    await until(() => expect(contentOf(peer, 'text')).toBe('Kept across tokens.\n'))
  })

  it('keeps an open History panel open, and following new versions with the new token', async () => {
    const doc = docName('history-token')
    const [first, next] = await Promise.all([mintToken(SECRET, { doc, write: true, ttlSeconds: 3600 }), mintToken(SECRET, { doc, write: true, ttlSeconds: 7200 })])
    const { page, errors } = await openPage('?guarded')
    await mount(page, { doc, token: first }, guarded)
    await until(async () => expect(await events(page)).toContain('synced'))
    await onEditor(page, (editor) => editor.setContent('Worth a version.', 'text'))
    await page.locator('[data-quire="history-toggle"]').click()
    await page.locator('[data-quire="history"]').waitFor()

    await onEditor(page, (editor, token) => editor.setToken(token), next)
    await until(async () => expect(await events(page)).toContain('status:connected'))
    const versions = `${guarded.url}/api/docs/${encodeURIComponent(doc)}/versions`
    const saved = await fetch(versions, { method: 'POST', headers: { authorization: `Bearer ${next}`, 'content-type': 'application/json' }, body: JSON.stringify({ label: 'After the refresh' }) })
    expect(saved.status).toBe(201)
    await page.locator('[data-quire="version"]', { hasText: 'After the refresh' }).waitFor()
    expect(await page.locator('[data-quire="history"]').isVisible()).toBe(true)
    expect(errors).toEqual([])
  })
})

describe('getContent and setContent', () => {
  const samples: Record<FormatName, string> = {
    markdown: readFileSync(new URL('../fixtures/sample.md', import.meta.url), 'utf8'),
    html: readFileSync(new URL('../fixtures/sample.html', import.meta.url), 'utf8'),
    text: readFileSync(new URL('../fixtures/sample.txt', import.meta.url), 'utf8'),
    json: FORMATS.json.render(sampleDoc),
  }

  it.each(Object.keys(samples) as FormatName[])('round-trip %s as an edit that peers receive, rendering as the server does', async (format) => {
    const doc = docName(`content-${format}`)
    const { page } = await openPage()
    await mount(page, { doc })
    const peer = client(open, doc)
    await onEditor(page, (editor, [text, f]) => editor.setContent(text, f), [samples[format], format] as const)
    expect(await onEditor(page, (editor, f) => editor.getContent(f), format)).toBe(samples[format])
    await until(() => expect(contentOf(peer, format)).toBe(samples[format]))
    expect(await events(page)).toContain('change:local')
  })
})

describe('destroy()', () => {
  it('leaves nothing behind that fails later, even right after a presence change', async () => {
    const { page, errors } = await openPage()
    await mount(page, { doc: docName('destroy') })
    await until(async () => expect(await events(page)).toContain('synced'))
    await onEditor(page, async (editor) => {
      editor.setUser({ name: 'Renamed', color: '#00897b' })
      editor.destroy()
      // y-prosemirror hands a presence change to the view on a zero-delay timer; this one runs after it.
      await new Promise((resolve) => setTimeout(resolve))
    })
    expect(errors).toEqual([])
  })
})
