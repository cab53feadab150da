import { randomUUID } from 'node:crypto'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { editorText, launchBrowser, openDocPage } from '../helpers/browser.js'
import { type TestServer, startServer } from '../helpers/server.js'
import { until } from '../helpers/until.js'

let server: TestServer
let browser: Browser

beforeAll(async () => {
  ;[server, browser] = await Promise.all([startServer(), launchBrowser()])
})

afterAll(async () => {
  await browser?.close()
  await server?.stop()
})

/** Longest wait between two reconnect attempts of y-websocket (its default `maxBackoffTime`). */
const MAX_BACKOFF_MS = 2500

const statusOf = (page: Page) => page.locator('[data-quire="status"]')
const apiUrl = (doc: string) => `${server.url}/api/docs/${encodeURIComponent(doc)}`

describe('a document deleted while it is open', () => {
  it('tells the user, stops reconnecting and never writes its copy back', async () => {
    const doc = `doomed ${randomUUID().slice(0, 8)}`
    const ada = await openDocPage(browser, server.url, doc, 'Ada')
    await ada.page.locator('.ProseMirror').click()
    await ada.page.keyboard.type('Soon gone.')
    await until(async () => expect(await (await fetch(`${apiUrl(doc)}/content?format=text`)).text()).toContain('Soon gone.'))

    expect((await fetch(apiUrl(doc), { method: 'DELETE' })).status).toBe(204)
    await until(async () => expect(await statusOf(ada.page).getAttribute('data-state')).toBe('disconnected'))
    expect(await statusOf(ada.page).innerText()).toMatch(/deleted/i)
    expect(await ada.page.locator('.ProseMirror').getAttribute('contenteditable')).toBe('false')

    // Proving an absence takes watching for a while: longer than the longest reconnect backoff,
    // the document must stay gone and the page must stay disconnected.
    const watchUntil = Date.now() + MAX_BACKOFF_MS * 1.5
    while (Date.now() < watchUntil) {
      expect((await fetch(apiUrl(doc))).status).toBe(404)
      expect(await statusOf(ada.page).getAttribute('data-state')).toBe('disconnected')
      await ada.page.waitForTimeout(250)
    }

    // Its offline copy was dropped too: opening the name again says it was deleted and, started
    // again, starts from nothing.
    const again = await ada.context.newPage()
    await again.goto(`${server.url}/d/${encodeURIComponent(doc)}`)
    await again.getByRole('button', { name: 'Start it again' }).click()
    await statusOf(again).and(again.locator('[data-state="connected"]')).waitFor()
    expect(await editorText(again)).toBe('')
    expect(ada.errors).toEqual([])
  })
})
