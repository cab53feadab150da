import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { editorText, newUser, openDocPage } from '../helpers/browser.js'
import { e2eSession } from '../helpers/e2e.js'
import { until } from '../helpers/until.js'

const session = e2eSession()

const apiUrl = (doc: string) => `${session.server.url}/api/docs/${encodeURIComponent(doc)}`

describe('the document list', () => {
  it('follows the server live: new documents appear at once, sizes and people move, deleted ones go; it searches, renames (history kept, open editors sent on) and deletes with a confirmation', async () => {
    const tag = randomUUID().slice(0, 6)
    const watcher = await newUser(session.browser)
    const { page } = watcher
    await page.goto(session.server.url)
    await until(async () => expect(await page.locator('#docs-note').innerText()).toMatch(/No documents yet/))
    const row = (name: string) => page.locator('.doc-row', { has: page.getByRole('link', { name, exact: true }) })

    // Someone else creates a document from their list: it is listed before anyone types in it.
    const ada = await newUser(session.browser)
    await ada.page.goto(session.server.url)
    const plan = `plan ${tag}`
    await ada.page.getByRole('textbox', { name: 'New document name' }).fill(plan)
    await ada.page.getByRole('button', { name: 'New document' }).click()
    await ada.page.locator('[data-quire="status"][data-state="connected"]').waitFor()
    await until(async () => expect(await row(plan).locator('.doc-meta').innerText()).toMatch(/1 person here now/))
    const before = await row(plan).locator('.doc-meta').innerText()
    await ada.page.locator('.ProseMirror').click()
    await ada.page.keyboard.type('A plan with some words in it.')
    await until(async () => expect(await row(plan).locator('.doc-meta').innerText()).not.toBe(before))
    expect(await row(plan).locator('.doc-meta').innerText()).toMatch(/^\d+ B · edited just now · 1 person here now$/)
    await ada.context.close()
    await until(async () => expect(await row(plan).locator('.doc-meta').innerText()).not.toMatch(/here now/))

    const notes = `notes ${tag}`
    await fetch(`${apiUrl(notes)}/content?format=text`, { method: 'PUT', body: 'Some notes.' })
    await until(async () => expect(await row(notes).count()).toBe(1))

    await page.getByRole('searchbox', { name: 'Search documents' }).fill('NOTES')
    expect(await row(notes).isVisible()).toBe(true)
    expect(await row(plan).isVisible()).toBe(false)
    await page.getByRole('searchbox', { name: 'Search documents' }).fill('')

    // Renaming keeps the history (Ada leaving recorded a version), and an editor open on the old
    // name is told where the document went.
    await until(async () => expect(await (await fetch(`${apiUrl(plan)}/versions`)).json()).not.toEqual([]))
    const versions = await (await fetch(`${apiUrl(plan)}/versions`)).json()
    const grace = await openDocPage(session.browser, session.server.url, plan, 'Grace')
    const renamed = `the plan ${tag}`
    await page.getByRole('button', { name: `Rename ${plan}` }).click()
    await page.getByRole('textbox', { name: `New name for ${plan}` }).fill(renamed)
    await page.getByRole('button', { name: 'Save name' }).click()
    await until(async () => expect(await row(renamed).count()).toBe(1))
    expect(await row(plan).count()).toBe(0)
    expect(await (await fetch(`${apiUrl(renamed)}/content?format=text`)).text()).toBe('A plan with some words in it.\n')
    expect(await (await fetch(`${apiUrl(renamed)}/versions`)).json()).toEqual(versions)
    expect((await fetch(apiUrl(plan))).status).toBe(404)
    await until(async () => expect(await grace.page.locator('[role="alert"]').innerText()).toContain(`renamed to “${renamed}”`))
    await grace.page.getByRole('link', { name: `Open “${renamed}”` }).click()
    await grace.page.locator('[data-quire="status"][data-state="connected"]').waitFor()
    await until(async () => expect(await editorText(grace.page)).toBe('A plan with some words in it.'))
    // The old address, opened later in any browser, points to the new name too.
    await grace.page.goto(`${session.server.url}/d/${encodeURIComponent(plan)}`)
    await until(async () => expect(await grace.page.locator('[role="alert"]').innerText()).toContain(`renamed to “${renamed}”`))
    expect(await grace.page.getByRole('link', { name: `Open “${renamed}”` }).getAttribute('href')).toBe(`/d/${encodeURIComponent(renamed)}`)
    expect(grace.errors).toEqual([])
    await grace.context.close()

    await page.getByRole('button', { name: `Delete ${notes}` }).click()
    await page.getByRole('button', { name: 'Keep it' }).click()
    expect((await fetch(apiUrl(notes))).status).toBe(200)
    await page.getByRole('button', { name: `Delete ${notes}` }).click()
    await page.getByRole('button', { name: 'Delete for everyone' }).click()
    await until(async () => expect(await row(notes).count()).toBe(0))
    expect((await fetch(apiUrl(notes))).status).toBe(404)

    // Deleted elsewhere: the row goes by itself.
    await fetch(apiUrl(renamed), { method: 'DELETE' })
    await until(async () => expect(await row(renamed).count()).toBe(0))
    expect(watcher.errors).toEqual([])
    await watcher.context.close()
  })
})
