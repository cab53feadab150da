import { randomUUID } from 'node:crypto'
import type { Page } from 'playwright-core'
import { afterAll, describe, expect, it } from 'vitest'
import { type BrowserUser, editorText, openDocPage } from '../helpers/browser.js'
import { e2eSession } from '../helpers/e2e.js'

// Formatting as people type it: Markdown shortcuts, typography, and the keyboard shortcuts and
// toolbar buttons that change blocks.

const session = e2eSession()
const users: BrowserUser[] = []
afterAll(async () => {
  await Promise.all(users.map((user) => user.context.close()))
})

async function freshPage(what: string): Promise<Page> {
  const user = await openDocPage(session.browser, session.server.url, `${what} ${randomUUID().slice(0, 8)}`, 'Ada')
  users.push(user)
  await user.page.locator('.ProseMirror').click()
  return user.page
}

describe('typing', () => {
  it('leaves dashes and quotes alone in inline code being typed, and in code blocks, and makes them typographic elsewhere', async () => {
    const page = await freshPage('typography')
    await page.keyboard.type('Run `npm i --save-dev "x"` then "quoted" -- done...')
    expect(await page.locator('.ProseMirror p code').innerText()).toBe('npm i --save-dev "x"')
    expect(await editorText(page)).toBe('Run npm i --save-dev "x" then “quoted” — done…')
    await page.keyboard.press('Enter')
    await page.keyboard.type('```')
    await page.keyboard.type('x -- "y" ...')
    expect(await page.locator('.ProseMirror pre').innerText()).toBe('x -- "y" ...')
  })
})
