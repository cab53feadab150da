import { randomUUID } from 'node:crypto'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { editorText, openDocPage } from '../helpers/browser.js'
import { e2eSession } from '../helpers/e2e.js'
import { until } from '../helpers/until.js'

const DOC = `offline-${randomUUID().slice(0, 8)}`
const session = e2eSession()

const status = (page: Page) => page.locator('[data-quire="status"]').getAttribute('data-state')

async function typeAtEnd(page: Page, text: string): Promise<void> {
  await page.locator('.ProseMirror').click()
  await page.keyboard.press('Control+End')
  await page.keyboard.type(text)
}

/** How many updates the page's offline copy (y-indexeddb's `updates` store) holds. */
function storedUpdates(page: Page): Promise<number> {
  return page.evaluate(
    (name) =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open(name)
        open.onerror = () => reject(open.error)
        open.onsuccess = () => {
          const count = open.result.transaction('updates').objectStore('updates').count()
          count.onsuccess = () => {
            open.result.close()
            resolve(count.result)
          }
        }
      }),
    `quire:${session.server.wsUrl}/${DOC}`,
  )
}

describe('editing offline', () => {
  it('keeps edits made offline across a reload and merges both sides when the network returns', async () => {
    const ada = await openDocPage(session.browser, session.server.url, DOC, 'Ada')
    const grace = await openDocPage(session.browser, session.server.url, DOC, 'Grace')
    await typeAtEnd(ada.page, 'Start.')
    await until(async () => expect(await editorText(grace.page)).toBe('Start.'))

    await Promise.all([ada.context.setOffline(true), grace.context.setOffline(true)])
    await until(async () => expect(await status(ada.page)).toBe('disconnected'))
    await until(async () => expect(await status(grace.page)).toBe('disconnected'))
    const before = await storedUpdates(ada.page)
    await typeAtEnd(ada.page, ' Ada offline.')
    await typeAtEnd(grace.page, ' Grace offline.')
    expect(await editorText(grace.page)).toBe('Start. Grace offline.')

    // Ada reloads: her offline edit now exists only in this browser's IndexedDB.
    await until(async () => expect(await storedUpdates(ada.page)).toBeGreaterThan(before))
    await ada.page.close()
    await ada.context.setOffline(false)
    const reloaded = await ada.context.newPage()
    await reloaded.goto(`${session.server.url}/d/${DOC}`)
    await until(async () => expect(await editorText(reloaded)).toContain('Ada offline.'))
    await until(async () => expect(await status(reloaded)).toBe('connected'))

    await grace.context.setOffline(false)
    await until(async () => expect(await status(grace.page)).toBe('connected'))
    await until(async () => {
      const [a, g] = await Promise.all([editorText(reloaded), editorText(grace.page)])
      expect(a).toBe(g)
      expect(a).toContain(' Ada offline.')
      expect(a).toContain(' Grace offline.')
      expect(a.startsWith('Start.')).toBe(true)
    })
    expect([...ada.errors, ...grace.errors]).toEqual([])
  })
})
