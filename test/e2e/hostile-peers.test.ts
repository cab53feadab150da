import { randomUUID } from 'node:crypto'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { type BrowserUser, editorText, launchBrowser, openDocPage } from '../helpers/browser.js'
import { connectClient, type TestClient } from '../helpers/client.js'
import { startServer, type TestServer } from '../helpers/server.js'
import { until } from '../helpers/until.js'

let server: TestServer
let browser: Browser
const clients: TestClient[] = []

beforeAll(async () => {
  ;[server, browser] = await Promise.all([startServer(), launchBrowser()])
})

afterAll(async () => {
  for (const client of clients) client.destroy()
  await browser?.close()
  await server?.stop()
})

async function nodeClient(doc: string): Promise<TestClient> {
  const client = connectClient(server.wsUrl, doc)
  clients.push(client)
  await client.synced()
  return client
}

/** Appends a paragraph of `[text, marks]` runs, as y-prosemirror stores them (marks as attributes). */
function writeParagraph(client: TestClient, runs: Array<[string, Record<string, unknown>]>): void {
  client.doc.transact(() => {
    const paragraph = new Y.XmlElement('paragraph')
    const fragment = client.doc.getXmlFragment('prosemirror')
    fragment.insert(fragment.length, [paragraph])
    const text = new Y.XmlText()
    paragraph.insert(0, [text])
    let at = 0
    for (const [chunk, marks] of runs) {
      text.insert(at, chunk, marks)
      at += chunk.length
    }
  })
}

const liveLinks = (user: BrowserUser) => user.page.locator('.ProseMirror a[href]').evaluateAll((links) => links.map((a) => a.getAttribute('href')))

describe('content and presence from untrusted peers', () => {
  it('shows a javascript: link written by a y-websocket client as text, never as a live link', async () => {
    const doc = `links-${randomUUID().slice(0, 8)}`
    const mallory = await nodeClient(doc)
    writeParagraph(mallory, [
      ['safe', { link: { href: 'https://example.com/', title: null } }],
      [' and ', {}],
      ['evil', { link: { href: 'javascript:alert(document.cookie)', title: null } }],
      [' and ', {}],
      ['sneaky', { link: { href: ' JaVa\tScRiPt:alert(1)', title: null } }],
    ])
    const ada = await openDocPage(browser, server.url, doc, 'Ada')
    await until(async () => expect(await editorText(ada.page)).toBe('safe and evil and sneaky'))
    expect(await liveLinks(ada)).toEqual(['https://example.com/'])
    expect(await ada.page.locator('.ProseMirror a:not([href])').allInnerTexts()).toEqual(['evil', 'sneaky'])
    expect(await ada.page.content()).not.toMatch(/javascript:/i)
  })

  it('drops unsafe links from pasted HTML and keeps their text', async () => {
    const doc = `paste-${randomUUID().slice(0, 8)}`
    const ada = await openDocPage(browser, server.url, doc, 'Ada')
    await ada.page.locator('.ProseMirror').click()
    await ada.page.evaluate(() => {
      const data = new DataTransfer()
      data.setData('text/html', '<p><a href="javascript:alert(1)">bad</a> then <a href="https://ok.example/">good</a> <img src="javascript:alert(2)" alt="x"></p>')
      data.setData('text/plain', 'bad then good')
      document.querySelector('.ProseMirror')!.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }))
    })
    await until(async () => expect(await editorText(ada.page)).toBe('bad then good'))
    expect(await liveLinks(ada)).toEqual(['https://ok.example/'])
    expect(await ada.page.locator('.ProseMirror img').count()).toBe(0)

    // What was stored is clean too, as another client of the document reads it.
    const reader = await nodeClient(doc)
    await until(() => expect(reader.doc.getXmlFragment('prosemirror').toString()).toContain('ok.example'))
    expect(reader.doc.getXmlFragment('prosemirror').toString()).not.toMatch(/javascript/i)
  })

  it('renders a peer’s name as text and replaces a color that is not #rrggbb', async () => {
    const doc = `presence-${randomUUID().slice(0, 8)}`
    const ada = await openDocPage(browser, server.url, doc, 'Ada')
    const mallory = await nodeClient(doc)
    mallory.provider.awareness.setLocalStateField('user', { name: '<img src=x onerror="window.pwned=1">Mallory', color: 'red; background: url(https://evil.example/)' })
    const ghost = await nodeClient(doc)
    ghost.provider.awareness.setLocalStateField('user', { name: 42, color: '#00ff00' })

    const mal = ada.page.locator('[data-quire="presence"] li', { hasText: 'Mallory' })
    await until(async () => expect(await mal.innerText()).toContain('<img src=x onerror="window.pwned=1">Mallory'))
    expect(await ada.page.locator('[data-quire="presence"] img').count()).toBe(0)
    expect(await mal.locator('.quire-person-dot').evaluate((dot) => (dot as HTMLElement).style.backgroundColor)).toBe('rgb(136, 136, 136)')
    // The nameless state is not a person to list: only Ada and Mallory are.
    expect(await ada.page.locator('[data-quire="presence"] li').count()).toBe(2)
    expect(await ada.page.evaluate(() => (window as { pwned?: number }).pwned)).toBeUndefined()
  })
})
