import { randomUUID } from 'node:crypto'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type BrowserUser, caretToEnd, editorText, launchBrowser, newUser, openDocPage, screenshot, typeAtEnd } from '../helpers/browser.js'
import { heldUpdates, holdIncoming, releaseHeld, startHolding } from '../helpers/held-messages.js'
import { startServer, type TestServer } from '../helpers/server.js'
import { until } from '../helpers/until.js'

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

async function open(doc: string, name: string, prepare?: (page: Page) => Promise<void>): Promise<BrowserUser> {
  const user = await openDocPage(browser, server.url, doc, name, undefined, prepare)
  users.push(user)
  return user
}

const status = (page: Page) => page.locator('[data-quire="status"]').getAttribute('data-state')
const presenceNames = (page: Page) => page.locator('[data-quire="presence"] .quire-person-name').allInnerTexts()

describe('two people editing one document in the app', () => {
  it("shows each one's typing, named caret and presence to the other, and rides out a server restart without losing edits", async () => {
    const doc = `together ${randomUUID().slice(0, 8)}`
    const ada = await open(doc, 'Ada')
    const grace = await open(doc, 'Grace')

    await typeAtEnd(ada.page, '# Field notes\nHello from Ada.')
    await until(async () => expect(await editorText(grace.page)).toBe('Field notes\nHello from Ada.'))
    // A "typing" mark shows next to Ada in Grace's list while she edits.
    await until(async () => expect(await grace.page.locator('[data-quire="presence"] [data-typing]').innerText()).toContain('Ada'), { timeout: 2000 })

    await typeAtEnd(grace.page, ' And Grace.')
    await until(async () => expect(await editorText(ada.page)).toBe('Field notes\nHello from Ada. And Grace.'))

    await until(async () => expect(await ada.page.locator('.ProseMirror-yjs-cursor').innerText()).toContain('Grace'))
    await until(async () => expect(await grace.page.locator('.ProseMirror-yjs-cursor').innerText()).toContain('Ada'))
    expect(await presenceNames(ada.page)).toEqual(['Ada (you)', 'Grace'])
    expect(await presenceNames(grace.page)).toEqual(['Grace (you)', 'Ada'])
    expect(await status(ada.page)).toBe('connected')
    // The README's picture: taken once both have paused, so it shows carets rather than "typing".
    await until(async () => expect(await grace.page.locator('[data-typing]').count()).toBe(0), { timeout: 5000 })
    await saveSideBySide([ada.page, grace.page], 'two-windows')

    await server.stop()
    await until(async () => expect(await status(ada.page)).toBe('disconnected'))
    await until(async () => expect(await status(grace.page)).toBe('disconnected'))
    await typeAtEnd(ada.page, ' Offline Ada.')

    await server.restart()
    await until(async () => expect(await status(ada.page)).toBe('connected'), { timeout: 15_000 })
    await until(async () => expect(await status(grace.page)).toBe('connected'), { timeout: 15_000 })
    await typeAtEnd(grace.page, ' Back.')
    const expected = 'Field notes\nHello from Ada. And Grace. Offline Ada. Back.'
    await until(async () => expect(await editorText(ada.page)).toBe(expected))
    await until(async () => expect(await editorText(grace.page)).toBe(expected))
    await until(async () => expect(await presenceNames(ada.page)).toEqual(['Ada (you)', 'Grace']))

    // What the server stored survives it too: a third person opening the document gets it all.
    const late = await open(doc, 'Lin')
    await until(async () => expect(await editorText(late.page)).toBe(expected))
    expect([...ada.errors, ...grace.errors, ...late.errors]).toEqual([])
  })

  it("undoes only one's own changes with Ctrl-Z", async () => {
    const doc = `undo ${randomUUID().slice(0, 8)}`
    const ada = await open(doc, 'Ada')
    const grace = await open(doc, 'Grace')

    await typeAtEnd(ada.page, 'Ada wrote this.')
    await until(async () => expect(await editorText(grace.page)).toBe('Ada wrote this.'))
    await caretToEnd(grace.page)
    await grace.page.keyboard.press('Enter')
    await grace.page.keyboard.type('Grace wrote that.')
    await until(async () => expect(await editorText(ada.page)).toBe('Ada wrote this.\nGrace wrote that.'))

    // Ada's paragraph came into the document with her typing, so undoing it takes the paragraph too.
    await ada.page.keyboard.press('Control+z')
    await until(async () => expect(await editorText(grace.page)).toBe('Grace wrote that.'))
    expect(await editorText(ada.page)).toBe('Grace wrote that.')

    await ada.page.keyboard.press('Control+Shift+z')
    await until(async () => expect(await editorText(grace.page)).toBe('Ada wrote this.\nGrace wrote that.'))
  })

  it("keeps each one's run of text together when both type at the same place at once", async () => {
    const doc = `same spot ${randomUUID().slice(0, 8)}`
    const ada = await open(doc, 'Ada', holdIncoming)
    const grace = await open(doc, 'Grace', holdIncoming)
    await typeAtEnd(ada.page, 'Shared line. ')
    await until(async () => expect(await editorText(grace.page)).toBe('Shared line. '))
    await caretToEnd(grace.page)

    // Each round both type one character before seeing the other's, then both see both.
    for (let round = 1; round <= 6; round++) {
      await Promise.all([startHolding(ada.page), startHolding(grace.page)])
      await ada.page.keyboard.type('A')
      await grace.page.keyboard.type('g')
      await until(async () => expect([await heldUpdates(ada.page), await heldUpdates(grace.page)]).toEqual([1, 1]))
      await Promise.all([releaseHeld(ada.page), releaseHeld(grace.page)])
      await until(async () => {
        const seen = await editorText(ada.page)
        expect(seen.length).toBe('Shared line. '.length + 2 * round)
        expect(await editorText(grace.page)).toBe(seen)
      })
    }
    expect(await editorText(ada.page)).toMatch(/^Shared line\. (A{6}g{6}|g{6}A{6})$/)
  })

  it('turns Markdown shortcuts and toolbar buttons into structure', async () => {
    const doc = `format ${randomUUID().slice(0, 8)}`
    const ada = await open(doc, 'Ada')
    const { page } = ada
    await page.locator('.ProseMirror').click()
    await page.keyboard.type('# Title\n- one\ntwo\n\n1. first\n\n> quoted\n')
    await page.keyboard.press('Enter')
    await page.keyboard.type('a **bold** and *soft* `code`')
    const editor = page.locator('.ProseMirror')
    await until(async () => {
      expect(await editor.locator('h1').innerText()).toBe('Title')
      expect(await editor.locator('ul > li').allInnerTexts()).toEqual(['one', 'two'])
      expect(await editor.locator('ol > li').allInnerTexts()).toEqual(['first'])
      expect(await editor.locator('blockquote').innerText()).toBe('quoted')
      expect(await editor.locator('strong').innerText()).toBe('bold')
      expect(await editor.locator('em').innerText()).toBe('soft')
      expect(await editor.locator('p code').innerText()).toBe('code')
    })

    await page.keyboard.press('Enter')
    await page.getByRole('button', { name: 'Heading 2' }).click()
    await page.keyboard.type('Section')
    await until(async () => expect(await editor.locator('h2').innerText()).toBe('Section'))
    expect(await page.getByRole('button', { name: 'Heading 2' }).getAttribute('aria-pressed')).toBe('true')
    await page.keyboard.press('Shift+Home')
    await page.getByRole('button', { name: 'Bold' }).click()
    await until(async () => expect(await editor.locator('h2 strong').innerText()).toBe('Section'))
    expect(await page.getByRole('button', { name: 'Bold' }).getAttribute('aria-pressed')).toBe('true')
    await screenshot(page, 'formatting-desktop')
    await page.setViewportSize({ width: 390, height: 780 })
    await screenshot(page, 'formatting-mobile')
  })
})

describe('the app pages', () => {
  it('lists documents on / and creates a new one from there, under a name that can be edited and is remembered', async () => {
    const doc = `listed ${randomUUID().slice(0, 8)}`
    const writer = await open(doc, 'Ada')
    await typeAtEnd(writer.page, 'On the list.')

    const visitor = await newUser(browser)
    users.push(visitor)
    const { page } = visitor
    await page.goto(server.url)
    await until(async () => expect(await page.getByRole('link', { name: doc }).getAttribute('href')).toBe(`/d/${encodeURIComponent(doc)}`))
    await screenshot(page, 'list')

    const fresh = `fresh/${randomUUID().slice(0, 8)}`
    await page.getByRole('textbox', { name: 'New document name' }).fill(fresh)
    await page.getByRole('button', { name: 'New document' }).click()
    await page.waitForURL(`${server.url}/d/${encodeURIComponent(fresh)}`)
    expect(await page.locator('#title').innerText()).toBe(fresh)
    await page.locator('[data-quire="status"][data-state="connected"]').waitFor()

    // No name was given, so one was made up; renaming shows at once in the presence list.
    const generated = await page.locator('#name').inputValue()
    expect(generated).toMatch(/^\w+ \w+$/)
    await page.locator('#name').fill('Grace')
    await page.locator('#name').press('Enter')
    await until(async () => expect(await presenceNames(page)).toEqual(['Grace (you)']))
    await page.reload()
    expect(await page.locator('#name').inputValue()).toBe('Grace')
    expect(visitor.errors).toEqual([])
  })
})

/** One PNG with the pages next to each other, as two windows on one screen. */
async function saveSideBySide(pages: Page[], name: string): Promise<void> {
  const shots = await Promise.all(pages.map(async (page) => (await page.screenshot()).toString('base64')))
  const sheet = await browser.newPage({ viewport: { width: 1000 * pages.length + 24 * (pages.length + 1), height: 748 } })
  await sheet.setContent(
    `<body style="margin:0;padding:24px;display:flex;gap:24px;background:#dfe3e8">${shots
      .map((png) => `<img style="width:1000px;border-radius:10px;box-shadow:0 4px 18px #0003" src="data:image/png;base64,${png}">`)
      .join('')}</body>`,
  )
  await sheet.locator('img').last().waitFor()
  await screenshot(sheet, name)
  await sheet.close()
}
