import { randomUUID } from 'node:crypto'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type BrowserUser, editorText, launchBrowser, newUser, openDocPage } from '../helpers/browser.js'
import { startServer, type TestServer } from '../helpers/server.js'
import { until } from '../helpers/until.js'

// Regression tests for what a new user tripped over on the document page (issue 12, "Bugs").

let server: TestServer
let browser: Browser
const users: BrowserUser[] = []

beforeAll(async () => {
  ;[server, browser] = await Promise.all([startServer(), launchBrowser()])
})

afterAll(async () => {
  await Promise.all(users.map((user) => user.context.close()))
  await browser?.close()
  await server?.stop()
})

async function open(doc: string, name: string, viewport?: { width: number; height: number }): Promise<BrowserUser> {
  const user = await openDocPage(browser, server.url, doc, name, viewport)
  users.push(user)
  return user
}

const fresh = (what: string) => `${what} ${randomUUID().slice(0, 8)}`
const apiUrl = (doc: string) => `${server.url}/api/docs/${encodeURIComponent(doc)}`
const serverText = async (doc: string) => (await fetch(`${apiUrl(doc)}/content?format=text`)).text()
const editorTop = (page: Page) => page.locator('.ProseMirror').evaluate((el) => el.getBoundingClientRect().top)

describe('the document page', () => {
  it('applies a name on Enter in "Your name" without touching the document', async () => {
    const doc = fresh('name-enter')
    const { page } = await open(doc, 'Ada')
    await page.locator('.ProseMirror').click()
    await page.keyboard.type('Hello world')
    await page.keyboard.press('ArrowLeft')
    // Typing makes ProseMirror take in the caret move now (it reads selection changes a moment later).
    await page.keyboard.type('-')
    await page.locator('#name').fill('Grace')
    await page.locator('#name').press('Enter')
    await until(async () => expect(await page.locator('[data-quire="presence"] [data-self]').innerText()).toContain('Grace'))
    await page.keyboard.type('!')
    expect(await editorText(page)).toBe('Hello worl-!d')
    await until(async () => expect(await serverText(doc)).toBe('Hello worl-!d\n'))
  })

  it('keeps the caret where it was on Escape, so typing after it adds to the text instead of replacing a paragraph', async () => {
    const { page } = await open(fresh('escape'), 'Ada')
    await page.locator('.ProseMirror').click()
    await page.keyboard.type('First line.\nSecond line')
    await page.keyboard.press('Escape')
    await page.keyboard.type('!')
    await page.keyboard.press('Escape')
    await page.keyboard.press('End')
    await page.keyboard.type('?')
    expect(await editorText(page)).toBe('First line.\nSecond line!?')
  })

  it('keeps Tab in the editor: a tab character in a paragraph, nesting in a list', async () => {
    const { page } = await open(fresh('tab'), 'Ada')
    await page.locator('.ProseMirror').click()
    await page.keyboard.type('a')
    await page.keyboard.press('Tab')
    await page.keyboard.type('b')
    expect(await editorText(page)).toBe('a\tb')
    expect(await page.evaluate(() => document.activeElement?.classList.contains('ProseMirror'))).toBe(true)

    await page.keyboard.press('Enter')
    await page.keyboard.type('- one\ntwo')
    await page.keyboard.press('Home')
    await page.keyboard.press('Tab')
    expect(await page.locator('.ProseMirror ul ul > li').innerText()).toBe('two')
    await page.keyboard.press('Shift+Tab')
    expect(await page.locator('.ProseMirror ul ul').count()).toBe(0)
    expect(await page.evaluate(() => document.activeElement?.classList.contains('ProseMirror'))).toBe(true)
  })

  for (const viewport of [
    { width: 1000, height: 700 },
    { width: 390, height: 780 },
  ]) {
    it(`keeps the text in place at ${viewport.width} px when people come, type and go, and never shows "typing" for oneself`, async () => {
      const doc = fresh('steady')
      const ada = await open(doc, 'Ada Lovelace', viewport)
      await ada.page.locator('.ProseMirror').click()
      await ada.page.keyboard.type('Steady text.')
      const top = await editorTop(ada.page)
      expect(await ada.page.locator('[data-quire="presence"] [data-self][data-typing]').count()).toBe(0)

      const grace = await open(doc, 'Grace Brewster Murray Hopper', viewport)
      await grace.page.locator('.ProseMirror').click()
      await grace.page.keyboard.press('Control+End')
      await grace.page.keyboard.type(' More from Grace, who types on.')
      await until(async () => expect(await ada.page.locator('[data-quire="presence"] [data-typing]').count()).toBe(1))
      expect(await editorTop(ada.page)).toBe(top)
      expect(await editorTop(grace.page)).toBe(top)
      await grace.context.close()
      await until(async () => expect(await ada.page.locator('[data-quire="presence"] > *').count()).toBe(1))
      expect(await editorTop(ada.page)).toBe(top)
    })
  }

  it('after a deletion, locks every button, offers the text as a download or a new document, and says so on reload', async () => {
    const doc = fresh('deleted')
    const ada = await open(doc, 'Ada')
    const { page } = ada
    await page.locator('.ProseMirror').click()
    await page.keyboard.type('Keep this text.')
    await until(async () => expect(await serverText(doc)).toBe('Keep this text.\n'))

    expect((await fetch(apiUrl(doc), { method: 'DELETE' })).status).toBe(204)
    await until(async () => expect(await page.locator('[data-quire="status"]').innerText()).toMatch(/deleted/i))
    const buttons = page.locator('[role="toolbar"] button')
    expect(await buttons.count()).toBeGreaterThan(5)
    await until(async () => expect(await buttons.evaluateAll((all) => all.filter((b) => !(b as HTMLButtonElement).disabled).length)).toBe(0))
    await page.keyboard.press('Control+z')
    expect(await editorText(page)).toBe('Keep this text.')

    const download = page.waitForEvent('download')
    await page.getByRole('button', { name: 'Download a copy' }).click()
    const file = await download
    expect(file.suggestedFilename()).toBe(`${doc}.md`)

    await page.getByRole('button', { name: 'Save as a new document' }).click()
    await page.waitForURL((url) => url.pathname !== `/d/${encodeURIComponent(doc)}`)
    await page.locator('[data-quire="status"][data-state="connected"]').waitFor()
    await until(async () => expect(await editorText(page)).toBe('Keep this text.'))
    const copy = decodeURIComponent(new URL(page.url()).pathname.slice(3))
    expect(copy).toContain(doc)
    await until(async () => expect(await serverText(copy)).toBe('Keep this text.\n'))

    // Reopening the deleted name says what happened instead of silently starting an empty document.
    await page.goto(`${server.url}/d/${encodeURIComponent(doc)}`)
    await until(async () => expect(await page.locator('[role="alert"]').innerText()).toMatch(/was deleted/))
    expect(await page.locator('.ProseMirror').count()).toBe(0)
    await page.getByRole('button', { name: 'Start it again' }).click()
    await page.locator('[data-quire="status"][data-state="connected"]').waitFor()
    expect(await editorText(page)).toBe('')
    expect(ada.errors).toEqual([])
  })

  it('answers a broken address with an HTML page, not JSON', async () => {
    const { page } = await newUser(browser)
    const response = await page.goto(`${server.url}/d/%E0%A4%A`)
    expect(response?.status()).toBe(400)
    expect(response?.headers()['content-type']).toMatch(/^text\/html/)
    expect(await page.locator('h1').innerText()).toMatch(/cannot open/i)
    expect(await page.locator('body').innerText()).not.toContain('{"error"')
    await page.context().close()
  })
})
