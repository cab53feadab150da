import { randomUUID } from 'node:crypto'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { editorText, openDocPage } from '../helpers/browser.js'
import { e2eSession } from '../helpers/e2e.js'
import { until } from '../helpers/until.js'

const session = e2eSession()

const status = (page: Page) => page.locator('[data-quire="status"]')

describe('reloading a document without a connection', () => {
  it('opens the page from the service worker and the text from IndexedDB, and says whether the server or the network is gone', async () => {
    const doc = `offline reload ${randomUUID().slice(0, 8)}`
    const { page, context, errors } = await openDocPage(session.browser, session.server.url, doc, 'Ada')
    await page.locator('.ProseMirror').click()
    await page.keyboard.type('Kept on this device.')
    await until(async () => expect(await page.locator('[data-quire="saved"]').getAttribute('data-state')).toBe('saved'))
    // The worker takes over the page once it has kept the app shell.
    await until(async () => expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true))

    await session.server.stop()
    await page.reload()
    await until(async () => expect(await editorText(page)).toBe('Kept on this device.'))
    await until(async () => expect(await status(page).innerText()).toMatch(/^Can't reach the server/))

    await context.setOffline(true)
    await page.reload()
    await until(async () => expect(await editorText(page)).toBe('Kept on this device.'))
    await until(async () => expect(await status(page).innerText()).toBe("You're offline"))
    await page.locator('.ProseMirror').click()
    await page.keyboard.press('Control+End')
    await page.keyboard.type(' Written offline.')
    expect(await page.locator('[data-quire="saved"]').getAttribute('data-state')).toBe('offline')

    await session.server.restart()
    await context.setOffline(false)
    await until(async () => expect(await status(page).getAttribute('data-state')).toBe('connected'), { timeout: 15_000 })
    await until(async () => expect(await page.locator('[data-quire="saved"]').getAttribute('data-state')).toBe('saved'))
    expect(await (await fetch(`${session.server.url}/api/docs/${encodeURIComponent(doc)}/content?format=text`)).text()).toBe('Kept on this device. Written offline.\n')
    // Failed connection attempts while the server was down are expected; nothing else may fail.
    expect(errors.filter((line) => !/ERR_(CONNECTION_REFUSED|INTERNET_DISCONNECTED)|Failed to fetch/.test(line))).toEqual([])
    await context.close()
  })
})
