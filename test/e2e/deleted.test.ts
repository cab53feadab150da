import { randomUUID } from 'node:crypto'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { editorText, newUser, openDocPage } from '../helpers/browser.js'
import { e2eSession } from '../helpers/e2e.js'
import { until } from '../helpers/until.js'

const session = e2eSession()

/** Longest wait between two reconnect attempts of y-websocket (its default `maxBackoffTime`). */
const MAX_BACKOFF_MS = 2500

const statusOf = (page: Page) => page.locator('[data-quire="status"]')
const apiUrl = (doc: string) => `${session.server.url}/api/docs/${encodeURIComponent(doc)}`

describe('a document deleted while it is open', () => {
  it('tells the user, stops reconnecting and never writes its copy back', async () => {
    const doc = `doomed ${randomUUID().slice(0, 8)}`
    const ada = await openDocPage(session.browser, session.server.url, doc, 'Ada')
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
    await again.goto(`${session.server.url}/d/${encodeURIComponent(doc)}`)
    await again.getByRole('button', { name: 'Start it again' }).click()
    await statusOf(again).and(again.locator('[data-state="connected"]')).waitFor()
    expect(await editorText(again)).toBe('')
    expect(ada.errors).toEqual([])
  })

  it('is said to be deleted in a browser that never saw the deletion, and started again only when asked', async () => {
    const doc = `elsewhere ${randomUUID().slice(0, 8)}`
    await fetch(`${apiUrl(doc)}/content?format=text`, { method: 'PUT', body: 'Old text.' })
    expect((await fetch(apiUrl(doc), { method: 'DELETE' })).status).toBe(204)

    const grace = await newUser(session.browser)
    await grace.page.goto(`${session.server.url}/d/${encodeURIComponent(doc)}`)
    await until(async () => expect(await grace.page.locator('[role="alert"]').innerText()).toMatch(/was deleted/))
    expect(await grace.page.locator('.ProseMirror').count()).toBe(0)
    // Asking did not create it: it is still deleted for everyone else.
    expect((await fetch(apiUrl(doc))).status).toBe(404)

    await grace.page.getByRole('button', { name: 'Start it again' }).click()
    await statusOf(grace.page).and(grace.page.locator('[data-state="connected"]')).waitFor()
    expect(await editorText(grace.page)).toBe('')
    // Started again on the server at once: another fresh browser opens it as any document.
    await until(async () => expect((await fetch(apiUrl(doc))).status).toBe(200))
    const ada = await newUser(session.browser)
    await ada.page.goto(`${session.server.url}/d/${encodeURIComponent(doc)}`)
    await statusOf(ada.page).and(ada.page.locator('[data-state="connected"]')).waitFor()
    expect(await ada.page.getByRole('button', { name: 'Start it again' }).count()).toBe(0)
    expect(grace.errors).toEqual([])
    expect(ada.errors).toEqual([])
    await grace.context.close()
    await ada.context.close()
  })
})
