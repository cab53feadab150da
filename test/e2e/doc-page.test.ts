import { randomUUID } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { SignJWT } from 'jose'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type BrowserUser, editorText, launchBrowser, newUser, openDocPage, selectionIs } from '../helpers/browser.js'
import { startServer, type TestServer } from '../helpers/server.js'
import { until } from '../helpers/until.js'

// What people expect of a document page (issue 12), checked in Chromium with few sessions: each
// test opens one or two pages and walks through several features on them.

const SECRET = 'doc-page-secret'
let server: TestServer
let guarded: TestServer
let browser: Browser
const users: BrowserUser[] = []

beforeAll(async () => {
  ;[server, guarded, browser] = await Promise.all([startServer(), startServer({ env: { QUIRE_SECRET: SECRET } }), launchBrowser()])
})

afterAll(async () => {
  await Promise.all(users.map((user) => user.context.close()))
  await browser?.close()
  await Promise.all([server?.stop(), guarded?.stop()])
})

async function open(doc: string, name: string, viewport?: { width: number; height: number }): Promise<BrowserUser> {
  const user = await openDocPage(browser, server.url, doc, name, viewport)
  users.push(user)
  return user
}

const fresh = (what: string) => `${what} ${randomUUID().slice(0, 8)}`
const serverText = async (doc: string) => (await fetch(`${server.url}/api/docs/${encodeURIComponent(doc)}/content?format=text`)).text()
const saved = (page: Page) => page.locator('[data-quire="saved"]')

async function downloaded(page: Page, format: string): Promise<{ name: string; text: string }> {
  await page.getByRole('button', { name: 'Download' }).click()
  const download = page.waitForEvent('download')
  await page.getByRole('menuitem', { name: new RegExp(format) }).click()
  const file = await download
  return { name: file.suggestedFilename(), text: await readFile((await file.path())!, 'utf8') }
}

describe('a document page', () => {
  it('shows a placeholder, counts words and characters, says when changes are saved or waiting, and downloads the text', async () => {
    const doc = fresh('notes')
    const { page, context, errors } = await open(doc, 'Ada')
    const editor = page.locator('.ProseMirror')
    expect(await editor.locator('.quire-placeholder').getAttribute('data-placeholder')).toBe('Start typing, or use # for a heading')
    expect(await page.locator('[data-quire="count"]').innerText()).toBe('0 words · 0 characters')

    await editor.click()
    await page.keyboard.type('# Plan\nShip it **today** — or soon.')
    expect(await editor.locator('.quire-placeholder').count()).toBe(0)
    expect(await page.locator('[data-quire="count"]').innerText()).toBe('6 words · 28 characters')
    await until(async () => expect(await saved(page).getAttribute('data-state')).toBe('saved'))
    expect(await saved(page).innerText()).toBe('All changes saved')
    expect(await serverText(doc)).toBe('Plan\nShip it today — or soon.\n')

    // Offline, edits wait on this device and say how many; back online they reach the server.
    await context.setOffline(true)
    await until(async () => expect(await saved(page).getAttribute('data-state')).toBe('offline'))
    await page.keyboard.type(' Later.')
    expect(await saved(page).innerText()).toBe('7 changes waiting')
    await context.setOffline(false)
    await until(async () => expect(await saved(page).getAttribute('data-state')).toBe('saved'), { timeout: 15_000 })
    expect(await serverText(doc)).toBe('Plan\nShip it today — or soon. Later.\n')

    const markdown = await downloaded(page, 'Markdown')
    expect(markdown).toEqual({ name: `${doc}.md`, text: '# Plan\n\nShip it **today** — or soon. Later.\n' })
    const html = await downloaded(page, 'HTML')
    expect(html.name).toBe(`${doc}.html`)
    expect(html.text).toContain('<h1>Plan</h1>')
    expect(html.text).toContain('<p>Ship it <strong>today</strong> — or soon. Later.</p>')
    expect(await downloaded(page, 'Plain text')).toEqual({ name: `${doc}.txt`, text: 'Plan\nShip it today — or soon. Later.\n' })
    expect(errors).toEqual([])
  })

  it('links with Ctrl+K or by pasting a URL over text, shows the address with Open, Edit and Remove, and refuses unsafe schemes', async () => {
    const { page } = await open(fresh('links'), 'Ada')
    const editor = page.locator('.ProseMirror')
    await editor.click()
    await page.keyboard.type('Read the docs')
    await page.keyboard.press('Shift+Control+ArrowLeft')
    await selectionIs(page, 'docs')
    await until(async () => expect(await page.getByRole('button', { name: 'Link' }).isEnabled()).toBe(true))
    await page.keyboard.press('Control+k')
    const box = page.getByRole('textbox', { name: 'Link address' })
    await until(async () => expect(await box.evaluate((el) => el === document.activeElement)).toBe(true))
    // The text being linked stays highlighted while focus is in the box.
    expect(await editor.locator('.quire-link-target').innerText()).toBe('docs')

    await box.fill('javascript:alert(1)')
    await box.press('Enter')
    expect(await box.evaluate((el) => (el as HTMLInputElement).validationMessage)).not.toBe('')
    expect(await editor.locator('a').count()).toBe(0)
    await box.fill('example.com')
    await box.press('Enter')
    expect(await editor.locator('a').getAttribute('href')).toBe('https://example.com')

    // The caret in the link shows its address and what can be done with it.
    await page.keyboard.press('ArrowLeft')
    const bubble = page.locator('.quire-link-info')
    await until(async () => expect(await bubble.isVisible()).toBe(true))
    expect(await bubble.locator('.quire-link-address').innerText()).toBe('https://example.com')
    await bubble.getByRole('button', { name: 'Edit' }).click()
    await box.fill('quire.example.org/docs')
    await box.press('Enter')
    expect(await editor.locator('a').getAttribute('href')).toBe('https://quire.example.org/docs')
    await page.keyboard.press('ArrowRight')
    await until(async () => expect(await bubble.isVisible()).toBe(true))
    await bubble.getByRole('button', { name: 'Remove' }).click()
    expect(await editor.locator('a').count()).toBe(0)
    expect(await editorText(page)).toBe('Read the docs')

    // Pasting a URL over selected text links the text instead of replacing it. The word is
    // selected with a double click: in headless Chromium a Home key pressed after Remove left the
    // caret where it was, sometimes or (once the selection had settled) always, and the paste then
    // linked 'ocs'. Why is not known; see the closing note of this change.
    await editor.locator('p').dblclick({ position: { x: 5, y: 5 } })
    await selectionIs(page, 'Read')
    await editor.evaluate((el) => {
      const data = new DataTransfer()
      data.setData('text/plain', 'https://read.example/')
      el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }))
    })
    expect(await editor.locator('a').getAttribute('href')).toBe('https://read.example/')
    expect(await editor.locator('a').innerText()).toBe('Read')
    // Hovering a link shows its bubble too.
    await page.keyboard.press('End')
    await editor.locator('a').hover()
    await until(async () => expect(await bubble.locator('.quire-link-address').innerText()).toBe('https://read.example/'))
  })

  it('is one Tab stop of a toolbar whose buttons the arrow keys walk, and code blocks say and do how to leave them', async () => {
    const { page } = await open(fresh('keys'), 'Ada')
    await page.locator('.ProseMirror').click()
    await page.keyboard.type('Some text')
    expect(await page.locator('[role="toolbar"] [tabindex="0"]').count()).toBe(1)
    await page.keyboard.press('Alt+F10')
    const focused = () => page.evaluate(() => document.activeElement?.getAttribute('aria-label'))
    expect(await focused()).toBe('Bold')
    await page.keyboard.press('ArrowRight')
    expect(await focused()).toBe('Italic')
    await page.keyboard.press('ArrowLeft')
    await page.keyboard.press('ArrowLeft')
    // Disabled buttons (Redo, with nothing undone) are skipped; the ends wrap around.
    expect(await focused()).toBe('Undo')
    await page.keyboard.press('ArrowRight')
    expect(await focused()).toBe('Bold')
    await page.keyboard.press('ArrowLeft')
    expect(await focused()).toBe('Undo')
    expect(await page.locator('[role="toolbar"] [tabindex="0"]').getAttribute('aria-label')).toBe('Undo')
    // Tab leaves the toolbar in one step. In the text Tab is kept (it types a tab), except right
    // after Escape: Escape then Shift+Tab leaves the editor.
    await page.keyboard.press('Tab')
    expect(await page.evaluate(() => document.activeElement?.closest('[role="toolbar"]') ?? null)).toBeNull()
    await page.locator('.ProseMirror').click()
    await page.keyboard.press('Escape')
    await page.keyboard.press('Shift+Tab')
    expect(await page.evaluate(() => document.activeElement?.closest('.ProseMirror') ?? null)).toBeNull()

    await page.locator('.ProseMirror').click()
    await page.keyboard.press('Control+End')
    await page.keyboard.press('Enter')
    await page.keyboard.type('```')
    await page.keyboard.type('let a = 1')
    const hint = await page.locator('.ProseMirror pre').getAttribute('data-hint')
    expect(hint).toMatch(/Ctrl\+Enter/)
    await page.keyboard.press('Enter')
    await page.keyboard.press('Enter')
    await page.keyboard.type('After the code.')
    expect(await editorText(page)).toBe('Some text\nlet a = 1\nAfter the code.')
    expect(await page.locator('.ProseMirror pre').getAttribute('data-hint')).toBeNull()
    await page.keyboard.press('Home')
    await page.keyboard.press('ArrowLeft')
    await until(async () => expect(await page.locator('.ProseMirror pre').getAttribute('data-hint')).not.toBeNull())
    await page.keyboard.press('Control+Enter')
    await page.keyboard.type('Between.')
    expect(await editorText(page)).toBe('Some text\nlet a = 1\nBetween.\nAfter the code.')
  })

  it('fits its toolbar in one scrolling row on a 390 px phone, keeps the name field named, and follows a dark system theme', async () => {
    const doc = fresh('phone')
    const phone = await open(doc, 'Ada', { width: 390, height: 780 })
    const { page } = phone
    const toolbar = page.locator('[role="toolbar"]')
    const button = await page.getByRole('button', { name: 'Bold' }).boundingBox()
    const bar = await toolbar.boundingBox()
    expect(bar!.height).toBeLessThan(button!.height * 1.5)
    expect(await toolbar.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true)
    await page.getByRole('button', { name: 'Redo' }).scrollIntoViewIfNeeded()
    expect(await page.getByRole('button', { name: 'Redo' }).isVisible()).toBe(true)
    expect(await page.getByRole('textbox', { name: 'Your name' }).inputValue()).toBe('Ada')
    const head = await page.locator('.page-head').boundingBox()
    expect(head!.height).toBeLessThan(60)

    const background = (selector: string) => page.locator(selector).evaluate((el) => getComputedStyle(el).backgroundColor)
    const light = await background('.quire')
    await page.emulateMedia({ colorScheme: 'dark' })
    const dark = await background('.quire')
    expect(dark).not.toBe(light)
    const luminance = (rgb: string) =>
      rgb
        .match(/\d+/g)!
        .slice(0, 3)
        .reduce((sum, n) => sum + Number(n), 0)
    expect(luminance(dark)).toBeLessThan(150)
    expect(luminance(await background('body'))).toBeLessThan(150)
    expect(luminance(await page.locator('.ProseMirror').evaluate((el) => getComputedStyle(el).color))).toBeGreaterThan(500)
  })

  it('labels remote carets briefly with a shortened name, and shows none for someone who has not clicked', async () => {
    const doc = fresh('carets')
    const ada = await open(doc, 'Ada')
    const longName = 'Bartholomew Fitzgerald-Montgomery III'
    const bart = await open(doc, longName)
    await until(async () => expect(await ada.page.locator('[data-quire="presence"] li').count()).toBe(2))
    expect(await ada.page.locator('.ProseMirror-yjs-cursor').count()).toBe(0)

    await bart.page.locator('.ProseMirror').click()
    await bart.page.keyboard.type('Hi')
    const caret = ada.page.locator('.ProseMirror-yjs-cursor')
    await until(async () => expect(await caret.count()).toBe(1))
    expect(await caret.getAttribute('title')).toBe(longName)
    const label = await caret.locator('div').innerText()
    expect(label.endsWith('…')).toBe(true)
    expect(label.length).toBeLessThan(longName.length)
    // Shown after the move, then faded out.
    const opacity = () => caret.locator('div').evaluate((el) => Number(getComputedStyle(el).opacity))
    await until(async () => expect(await opacity()).toBe(0), { timeout: 5000 })
    await caret.hover({ force: true })
    await until(async () => expect(await opacity()).toBe(1))
  })
})

describe('sharing with access control on', () => {
  it('copies a view-only link minted by the server, which opens a page that says "View only", reads at normal contrast and cannot edit', async () => {
    const doc = fresh('shared')
    const writeToken = await new SignJWT({ doc, access: 'write' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(new TextEncoder().encode(SECRET))
    const writer = await newUser(browser)
    users.push(writer)
    await writer.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: guarded.url })
    await writer.page.goto(`${guarded.url}/d/${encodeURIComponent(doc)}?name=Ada&token=${writeToken}`)
    await writer.page.locator('.ProseMirror').click()
    await writer.page.keyboard.type('Read me.')
    await until(async () => expect(await writer.page.locator('[data-quire="saved"]').getAttribute('data-state')).toBe('saved'))

    const share = writer.page.locator('[data-quire="share"]')
    await share.getByRole('button', { name: 'Share' }).click()
    await share.getByRole('menuitem', { name: 'Copy view-only link' }).click()
    await until(async () => expect(await writer.page.evaluate(() => navigator.clipboard.readText())).toContain('token='))
    const link = await writer.page.evaluate(() => navigator.clipboard.readText())
    const viewToken = new URL(link).searchParams.get('token')!
    expect(JSON.parse(Buffer.from(viewToken.split('.')[1]!, 'base64url').toString())).toMatchObject({ doc, access: 'read' })

    const reader = await newUser(browser)
    users.push(reader)
    await reader.page.goto(`${link}&name=Grace`)
    await reader.page.locator('[data-quire="status"][data-state="connected"]').waitFor()
    await until(async () => expect(await editorText(reader.page)).toBe('Read me.'))
    expect(await reader.page.locator('.quire-view-only').innerText()).toBe('View only')
    expect(await reader.page.locator('.ProseMirror').getAttribute('contenteditable')).toBe('false')
    const ink = (page: Page) => page.locator('.ProseMirror').evaluate((el) => getComputedStyle(el).color)
    expect(await ink(reader.page)).toBe(await ink(writer.page))
    await reader.page.locator('.ProseMirror').click()
    await reader.page.keyboard.type('Not allowed.')
    expect(await editorText(reader.page)).toBe('Read me.')

    // The route itself: 201 with a token for a write token, 403 for a read token.
    const api = `${guarded.url}/api/docs/${encodeURIComponent(doc)}/share`
    const asked = (token: string) => fetch(api, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{"access":"read"}' })
    expect((await asked(writeToken)).status).toBe(201)
    expect((await asked(viewToken)).status).toBe(403)
  })
})
