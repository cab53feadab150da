import { randomUUID } from 'node:crypto'
import type { Page } from 'playwright-core'
import { afterAll, describe, expect, it } from 'vitest'
import { type BrowserUser, editorText, openDocPage, typeAtEnd } from '../helpers/browser.js'
import { e2eSession } from '../helpers/e2e.js'
import { until } from '../helpers/until.js'

// What a keystroke or a caret move costs the pages beyond the text itself. In a long document every
// DOM write outside the text makes the browser lay out and repaint the page again, so the bar
// (toolbar, status, people) must be left alone when nothing it shows changed.

const session = e2eSession()
const users: BrowserUser[] = []
afterAll(async () => {
  await Promise.all(users.map((user) => user.context.close()))
})

async function open(doc: string, name: string): Promise<BrowserUser> {
  const user = await openDocPage(session.browser, session.server.url, doc, name)
  users.push(user)
  return user
}

/** Starts recording every DOM mutation under `selector`; `take()` returns them, described. */
async function watchMutations(page: Page, selector: string): Promise<{ take(): Promise<string[]> }> {
  const key = `mutations ${randomUUID()}`
  await page.evaluate(
    ([selector, key]) => {
      const seen: string[] = []
      ;(window as unknown as Record<string, string[]>)[key!] = seen
      new MutationObserver((records) => {
        for (const record of records) seen.push(`${record.type} ${record.attributeName ?? ''} on ${(record.target as Element).className ?? record.target.nodeName}`)
      }).observe(document.querySelector(selector!)!, { subtree: true, childList: true, attributes: true, characterData: true })
    },
    [selector, key],
  )
  return { take: () => page.evaluate((key) => (window as unknown as Record<string, string[]>)[key]!.splice(0), key) }
}

/** The text before `page`'s caret of `name`, as the other page draws it. */
const textBeforeCaretOf = (page: Page, name: string) =>
  page.evaluate((name) => {
    const caret = [...document.querySelectorAll<HTMLElement>('.ProseMirror-yjs-cursor')].find((el) => el.title === name)
    if (!caret) return null
    const range = document.createRange()
    range.setStart(document.querySelector('.ProseMirror')!, 0)
    range.setEndBefore(caret)
    return range.toString()
  }, name)

describe('the work a keystroke does outside the text', () => {
  it('leaves the bar untouched while someone types plain text, and the people list while a peer only moves the caret', async () => {
    const doc = `keystroke ${randomUUID().slice(0, 8)}`
    const ada = await open(doc, 'Ada')
    const grace = await open(doc, 'Grace')
    await typeAtEnd(ada.page, 'Hello')
    await until(async () => expect(await editorText(grace.page)).toBe('Hello'))
    await grace.page.locator('.ProseMirror').click()
    await grace.page.keyboard.press('Control+Home')
    await grace.page.keyboard.type('Oh, ')
    await until(async () => expect(await textBeforeCaretOf(ada.page, 'Grace')).toBe('Oh, '))
    // Grace's typing mark has gone before the caret moves, so only the caret changes then.
    await until(async () => expect(await ada.page.locator('[data-quire="presence"] [data-typing]').count()).toBe(0), { timeout: 5000 })

    const adaBar = await watchMutations(ada.page, '.quire-bar')
    await ada.page.keyboard.type(' world')
    await until(async () => expect(await editorText(grace.page)).toBe('Oh, Hello world'))
    expect(await adaBar.take()).toEqual([])

    const people = await watchMutations(ada.page, '[data-quire="presence"]')
    await grace.page.keyboard.press('End')
    await until(async () => expect(await textBeforeCaretOf(ada.page, 'Grace')).toBe('Oh, Hello world'))
    expect(await people.take()).toEqual([])
    expect([...ada.errors, ...grace.errors]).toEqual([])
  })
})
