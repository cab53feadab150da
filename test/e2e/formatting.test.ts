import { randomUUID } from 'node:crypto'
import type { Page } from 'playwright-core'
import { afterAll, describe, expect, it } from 'vitest'
import { type BrowserUser, editorText, openDocPage, selectionIs } from '../helpers/browser.js'
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

/** Pastes `text` (and `html`, when given) into the editor as the browser does for Ctrl+V. */
const paste = (page: Page, text: string, html?: string) =>
  page.locator('.ProseMirror').evaluate(
    (editor, [text, html]) => {
      const data = new DataTransfer()
      data.setData('text/plain', text!)
      if (html) data.setData('text/html', html)
      editor.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }))
    },
    [text, html],
  )

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

describe('pasting', () => {
  it('pastes a table as one paragraph per row with its cells apart', async () => {
    const page = await freshPage('paste table')
    await paste(page, 'c1\tc2\nc3\tc4', '<table><tr><td>c1</td><td>c2</td></tr><tr><td>c3</td><td><b>c4</b></td></tr></table>')
    expect(await editorText(page)).toBe('c1 | c2\nc3 | c4')
    expect(await page.locator('.ProseMirror p strong').innerText()).toBe('c4')
  })
})

describe('undo', () => {
  it('takes back a paste, a formatting command and a new paragraph each on its own, however quickly they follow typing', async () => {
    const page = await freshPage('undo steps')
    await page.keyboard.type('Typed sentence.')
    await paste(page, ' Pasted.')
    expect(await editorText(page)).toBe('Typed sentence. Pasted.')
    await page.keyboard.press('Control+z')
    expect(await editorText(page)).toBe('Typed sentence.')

    await page.keyboard.type(' Bold')
    for (let i = 0; i < 4; i++) await page.keyboard.press('Shift+ArrowLeft')
    await selectionIs(page, 'Bold')
    await page.keyboard.press('Control+b')
    expect(await page.locator('.ProseMirror strong').innerText()).toBe('Bold')
    await page.keyboard.press('Control+z')
    expect(await page.locator('.ProseMirror strong').count()).toBe(0)
    expect(await editorText(page)).toBe('Typed sentence. Bold')

    await page.keyboard.press('End')
    await page.keyboard.press('Enter')
    await page.keyboard.type('Second line')
    await page.keyboard.press('Control+z')
    expect(await editorText(page)).toBe('Typed sentence. Bold')
  })
})

describe('block formatting', () => {
  it('toggles headings from the keyboard as the buttons do, and switches a list between bullets and numbers', async () => {
    const page = await freshPage('blocks')
    const editor = page.locator('.ProseMirror')
    const button = (name: string) => page.getByRole('button', { name, exact: true })
    await page.keyboard.type('Title')
    await page.keyboard.press('Control+Shift+2')
    expect(await editor.locator('h2').innerText()).toBe('Title')
    await page.keyboard.press('Control+Shift+2')
    expect(await editor.locator('h2').count()).toBe(0)
    expect(await editor.locator('p').innerText()).toBe('Title')

    await page.keyboard.press('Enter')
    await page.keyboard.type('- one')
    expect(await editor.locator('ul > li').innerText()).toBe('one')
    await button('Numbered list').click()
    expect(await editor.locator('ol > li').innerText()).toBe('one')
    expect(await editor.locator('ul').count()).toBe(0)
    expect(await button('Numbered list').getAttribute('aria-pressed')).toBe('true')
    expect(await button('Bullet list').isEnabled()).toBe(true)
    await button('Bullet list').click()
    expect(await editor.locator('ul > li').innerText()).toBe('one')
    expect(await editor.locator('ol').count()).toBe(0)
    await page.keyboard.press('Control+Shift+9')
    expect(await editor.locator('ol > li').innerText()).toBe('one')
    await page.keyboard.press('Control+Shift+9')
    expect(await editor.locator('ol, ul').count()).toBe(0)
  })

  it('makes --- typed alone in a paragraph a horizontal rule, and leaves dashes elsewhere typographic', async () => {
    const page = await freshPage('rule')
    const editor = page.locator('.ProseMirror')
    await page.keyboard.type('Above -- the rule')
    await page.keyboard.press('Enter')
    await page.keyboard.type('---')
    expect(await editor.locator('hr').count()).toBe(1)
    await page.keyboard.type('After the rule')
    expect(await editor.locator('hr + p').innerText()).toBe('After the rule')
    expect(await editorText(page)).toBe('Above — the rule\n\nAfter the rule')
  })
})
