import { randomUUID } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { editorText, launchBrowser, newUser, openDocPage } from '../helpers/browser.js'
import { startServer, type TestServer } from '../helpers/server.js'
import { until } from '../helpers/until.js'

let server: TestServer
let browser: Browser
let host: Server
let hostUrl: string

// The part of a CSS reset such as Tailwind's preflight that takes away the browser's default looks.
const CSS_RESET = `*, ::before, ::after { margin: 0; padding: 0 } h1, h2, h3, h4, h5, h6 { font-size: inherit; font-weight: inherit }
ol, ul { list-style: none } a { color: inherit; text-decoration: inherit }`

// A page of some other site: it knows nothing of quire but the one import and the stylesheet (and
// has a remote caret of an editor of its own, with y-prosemirror's class names).
// `window.sockets` records every WebSocket the page opens, so a test can see them all closed.
function embeddingPage(doc: string, options: string, reset: boolean): string {
  return `<!doctype html>
<html><head>${reset ? `<style>${CSS_RESET}</style>` : ''}<link rel="stylesheet" href="${server.url}/embed/quire-editor.css">
<style>body { text-transform: uppercase; letter-spacing: 3px; font: 20px/2 cursive } button { text-transform: uppercase; letter-spacing: 3px }</style></head>
<body><h1>Someone else's site</h1><div id="here"></div>
<div>The site's own y-prosemirror editor: <span class="ProseMirror-yjs-cursor" id="own-caret"><div>Its own caret</div></span></div>
<script>
  const Native = window.WebSocket
  window.sockets = []
  window.WebSocket = class extends Native { constructor(...args) { super(...args); window.sockets.push(this) } }
</script>
<script type="module">
  import { createEditor } from '${server.url}/embed/quire-editor.js'
  window.editor = createEditor(document.getElementById('here'), {
    url: '${server.wsUrl}', doc: ${JSON.stringify(doc)}, user: { name: 'Embedder', color: '#1e88e5' }, ${options}
  })
</script></body></html>`
}

beforeAll(async () => {
  ;[server, browser] = await Promise.all([startServer(), launchBrowser()])
  // Another origin (another port) serving the embedding page; `?doc=`, `?readOnly`, `?theme=` and
  // `?reset` (a CSS reset before the editor's stylesheet) pick the case.
  host = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://host')
    res.setHeader('content-type', 'text/html')
    const options = [url.searchParams.has('readOnly') ? 'readOnly: true' : '', url.searchParams.has('theme') ? `theme: ${JSON.stringify(url.searchParams.get('theme'))}` : '']
    res.end(embeddingPage(url.searchParams.get('doc') ?? 'none', options.filter(Boolean).join(', '), url.searchParams.has('reset')))
  })
  await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve))
  hostUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}`
})

afterAll(async () => {
  await browser?.close()
  host?.close()
  await server?.stop()
})

async function openEmbed(doc: string, query = ''): Promise<Page> {
  const { page, errors } = await newUser(browser)
  await page.goto(`${hostUrl}/?doc=${encodeURIComponent(doc)}${query}`)
  await page.locator('[data-quire="status"][data-state="connected"]').waitFor({ timeout: 15_000 })
  expect(errors).toEqual([])
  return page
}

/** `WebSocket.CLOSED`: the socket finished its closing handshake. */
const CLOSED = 3

const presenceNames = (page: Page) => page.locator('[data-quire="presence"] .quire-person-name').allInnerTexts()

describe('the editor embedded in a page on another origin', () => {
  it('edits the same document as the app page, both ways', async () => {
    const doc = `embedded ${randomUUID().slice(0, 8)}`
    const embed = await openEmbed(doc)
    const app = await openDocPage(browser, server.url, doc, 'Ada')

    await embed.locator('.ProseMirror').click()
    await embed.keyboard.type('From the embed.')
    await until(async () => expect(await editorText(app.page)).toBe('From the embed.'))
    await app.page.locator('.ProseMirror').click()
    await app.page.keyboard.press('Control+End')
    await app.page.keyboard.type(' From the app.')
    await until(async () => expect(await editorText(embed)).toBe('From the embed. From the app.'))
    await until(async () => expect(await presenceNames(app.page)).toEqual(['Ada (you)', 'Embedder']))
  })

  it('closes every socket and clears its presence on destroy()', async () => {
    const doc = `destroyed-${randomUUID().slice(0, 8)}`
    const embed = await openEmbed(doc)
    const app = await openDocPage(browser, server.url, doc, 'Ada')
    await until(async () => expect(await presenceNames(app.page)).toEqual(['Ada (you)', 'Embedder']))

    await embed.evaluate(() => (window as unknown as { editor: { destroy(): void } }).editor.destroy())
    await until(async () => expect(await embed.evaluate(() => (window as unknown as { sockets: WebSocket[] }).sockets.map((s) => s.readyState))).toEqual([CLOSED]))
    expect(await embed.locator('#here').innerHTML()).toBe('')
    await until(async () => expect(await presenceNames(app.page)).toEqual(['Ada (you)']))
  })

  it('in readOnly mode cannot edit and sends only its presence', async () => {
    const doc = `viewer-${randomUUID().slice(0, 8)}`
    const app = await openDocPage(browser, server.url, doc, 'Ada')
    await app.page.locator('.ProseMirror').click()
    await app.page.keyboard.type('Written by Ada.')
    const viewer = await openEmbed(doc, '&readOnly')
    await until(async () => expect(await editorText(viewer)).toBe('Written by Ada.'))
    expect(await viewer.locator('.ProseMirror').getAttribute('contenteditable')).toBe('false')
    // The toolbar is there (read-only can be switched off at run time) but offers nothing.
    expect(await viewer.locator('[role="toolbar"] button').count()).toBeGreaterThan(0)
    expect(await viewer.locator('[role="toolbar"] button:visible:enabled').count()).toBe(0)

    await viewer.locator('.ProseMirror').click()
    await viewer.keyboard.type('Viewer typing')
    await until(async () => expect(await presenceNames(app.page)).toEqual(['Ada (you)', 'Embedder']))
    await app.page.keyboard.type(' Still Ada.')
    await until(async () => expect(await editorText(viewer)).toBe('Written by Ada. Still Ada.'))
    expect(await editorText(app.page)).toBe('Written by Ada. Still Ada.')
  })

  it("keeps the host page's text styles out of its toolbar, and takes a theme", async () => {
    const embed = await openEmbed(`styled-${randomUUID().slice(0, 8)}`, '&theme=dark')
    const style = (selector: string) =>
      embed
        .locator(selector)
        .first()
        .evaluate((el) => {
          const css = getComputedStyle(el)
          return { transform: css.textTransform, spacing: css.letterSpacing }
        })
    expect(await embed.locator('h1').evaluate((el) => getComputedStyle(el).textTransform)).toBe('uppercase')
    expect(await style('.quire-tool')).toEqual({ transform: 'none', spacing: 'normal' })
    expect(await style('.ProseMirror')).toEqual({ transform: 'none', spacing: 'normal' })
    expect(await embed.locator('[aria-label="Heading 1"]').innerText()).toBe('H1')
    expect(await embed.locator('[aria-label="Bullet list"]').evaluate((el) => el.textContent)).toBe('•')
    // theme: 'dark' on a light system: dark paper.
    const paper = await embed.locator('.quire').evaluate((el) => getComputedStyle(el).backgroundColor)
    expect(
      paper
        .match(/\d+/g)!
        .slice(0, 3)
        .reduce((sum, n) => sum + Number(n), 0),
    ).toBeLessThan(150)
  })

  it('keeps its headings, lists and links looking like themselves on a page with a CSS reset', async () => {
    const embed = await openEmbed(`reset-${randomUUID().slice(0, 8)}`, '&reset')
    await embed.evaluate(() => (window as unknown as { editor: import('../../editor/index.js').Editor }).editor.setContent('# Title\n\ntext [link](https://example.com)\n\n- one\n\n1. first'))
    const looks = (selector: string) =>
      embed
        .locator(`.ProseMirror ${selector}`)
        .first()
        .evaluate((el) => {
          const css = getComputedStyle(el)
          return { size: css.fontSize, weight: css.fontWeight, marker: css.listStyleType, indent: css.paddingInlineStart, underline: css.textDecorationLine }
        })
    const text = await looks('p')
    const title = await looks('h1')
    expect(Number.parseFloat(title.size)).toBe(2 * Number.parseFloat(text.size))
    expect(title.weight).toBe('700')
    expect(await looks('ul')).toMatchObject({ marker: 'disc', indent: '40px' })
    expect(await looks('ol')).toMatchObject({ marker: 'decimal', indent: '40px' })
    expect(await looks('a')).toMatchObject({ underline: 'underline' })
  })

  it("leaves the host page's own y-prosemirror carets as the page draws them", async () => {
    const embed = await openEmbed(`carets-${randomUUID().slice(0, 8)}`)
    expect(await embed.locator('#own-caret').evaluate((el) => getComputedStyle(el).borderLeftStyle)).toBe('none')
    expect(await embed.locator('#own-caret > div').evaluate((el) => getComputedStyle(el).opacity)).toBe('1')
  })

  it('keeps its width where the page sizes it to its content: a flex row, a dialog', async () => {
    const embed = await openEmbed(`fit-${randomUUID().slice(0, 8)}`)
    const width = () => embed.locator('.quire').evaluate((el) => el.getBoundingClientRect().width)
    await embed.evaluate(() => {
      const row = document.createElement('div')
      row.style.display = 'flex'
      row.append(document.createElement('aside'), document.getElementById('here')!)
      document.body.append(row)
    })
    expect(await width()).toBeGreaterThan(400)
    await embed.evaluate(() => {
      const dialog = document.createElement('dialog')
      dialog.append(document.getElementById('here')!)
      document.body.append(dialog)
      dialog.showModal()
    })
    expect(await width()).toBeGreaterThan(400)
  })
})
