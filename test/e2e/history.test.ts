import { randomUUID } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { VersionInfo } from '../../shared/versions.js'
import { type BrowserUser, editorText, launchBrowser, newUser, openDocPage, screenshot, typeAtEnd } from '../helpers/browser.js'
import { startServer, type TestServer } from '../helpers/server.js'
import { until } from '../helpers/until.js'

let server: TestServer
let browser: Browser
/** Every simulated person of this file, closed at the end. */
const people: BrowserUser[] = []
const track = (user: BrowserUser) => {
  people.push(user)
  return user
}
const open = async (doc: string, name: string) => track(await openDocPage(browser, server.url, doc, name))

// A version as soon as typing pauses briefly, so the spec need not wait minutes.
beforeAll(async () => {
  ;[server, browser] = await Promise.all([startServer({ args: ['--version-idle', '400ms'] }), launchBrowser()])
})
afterAll(async () => {
  for (const person of people) await person.context.close()
  await browser?.close()
  await server?.stop()
})

const versionsOf = async (doc: string) => (await (await fetch(`${server.url}/api/docs/${encodeURIComponent(doc)}/versions`)).json()) as VersionInfo[]
const waitForVersions = (doc: string, count: number) => until(async () => expect(await versionsOf(doc)).toHaveLength(count))

describe('the History panel', () => {
  it('lists versions with their authors, previews one with its changes highlighted, and restores it for everyone', async () => {
    const doc = `history ${randomUUID().slice(0, 8)}`
    const ada = await open(doc, 'Ada')
    const grace = await open(doc, 'Grace')
    await typeAtEnd(ada.page, 'Hello from Ada.')
    await waitForVersions(doc, 1)
    await until(async () => expect(await editorText(grace.page)).toBe('Hello from Ada.'))
    await typeAtEnd(grace.page, ' And Grace.')
    await waitForVersions(doc, 2)

    await ada.page.locator('[data-quire="history-toggle"]').click()
    const panel = ada.page.locator('[data-quire="history"]')
    await panel.waitFor()
    const items = panel.locator('[data-quire="version"]')
    await until(async () => expect(await items.count()).toBe(2))
    expect(await items.nth(0).innerText()).toContain('Grace')
    expect(await items.nth(1).innerText()).toContain('Ada')

    await items.nth(0).click()
    const added = panel.locator('.quire-preview ins.quire-added')
    await until(async () => expect((await added.allInnerTexts()).join('')).toContain('And Grace'))
    expect(await panel.locator('.quire-preview .ProseMirror').getAttribute('contenteditable')).toBe('false')
    expect(await panel.locator('.quire-preview').innerText()).toContain('Hello from Ada.')
    await screenshot(ada.page, 'history-panel')

    await items.nth(1).click()
    await until(async () => expect(await panel.locator('.quire-preview-title').innerText()).toContain('first version'))
    await panel.locator('[data-quire="restore"]').click()
    await until(async () => expect(await editorText(grace.page)).toBe('Hello from Ada.'))
    expect(await editorText(ada.page)).toBe('Hello from Ada.')
    await until(async () => expect(await panel.locator('[data-quire="version"]').first().innerText()).toContain('Before restoring version'))

    await panel.locator('.quire-history-label').fill('Submitted draft')
    await panel.locator('[data-quire="checkpoint"]').click()
    await until(async () => expect(await panel.locator('[data-quire="version"]').first().innerText()).toContain('Submitted draft'))
    expect((await versionsOf(doc))[0]).toMatchObject({ label: 'Submitted draft', auto: false, authors: [] })
    // Grace's open panel follows the server's version events.
    await grace.page.locator('[data-quire="history-toggle"]').click()
    await until(async () => expect(await grace.page.locator('[data-quire="version"]').count()).toBe((await versionsOf(doc)).length))
    expect([...ada.errors, ...grace.errors]).toEqual([])
  })

  it('starts undo afresh for everyone after a restore, so Ctrl+Z cannot take back text older than the version', async () => {
    const doc = `restore undo ${randomUUID().slice(0, 8)}`
    const ada = await open(doc, 'Ada')
    const grace = await open(doc, 'Grace')
    await typeAtEnd(ada.page, 'Ada line.\n')
    await until(async () => expect(await editorText(grace.page)).toBe('Ada line.\n'))
    await typeAtEnd(grace.page, 'Grace line.')
    await until(async () => expect(await editorText(ada.page)).toBe('Ada line.\nGrace line.'))
    const checkpoint = await fetch(`${server.url}/api/docs/${encodeURIComponent(doc)}/versions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"label":"v1"}' })
    expect(checkpoint.status).toBe(201)
    await typeAtEnd(ada.page, ' Ada later.')
    await until(async () => expect(await editorText(grace.page)).toBe('Ada line.\nGrace line. Ada later.'))

    await ada.page.locator('[data-quire="history-toggle"]').click()
    const panel = ada.page.locator('[data-quire="history"]')
    await panel.locator('[data-quire="version"]', { hasText: 'v1' }).click()
    await panel.locator('.quire-preview .ProseMirror').waitFor()
    await panel.locator('[data-quire="restore"]').click()
    await until(async () => expect(await ada.page.getByRole('button', { name: 'Undo' }).isDisabled()).toBe(true))
    await until(async () => expect(await editorText(ada.page)).toBe('Ada line.\nGrace line.'))
    // Grace did not restore, but her Ctrl+Z would otherwise take back the line she typed before v1.
    await until(async () => expect(await editorText(grace.page)).toBe('Ada line.\nGrace line.'))
    expect(await grace.page.getByRole('button', { name: 'Undo' }).isDisabled()).toBe(true)
    await grace.page.locator('.ProseMirror').click()
    await grace.page.keyboard.press('Control+z')
    expect(await editorText(grace.page)).toBe('Ada line.\nGrace line.')

    await panel.getByRole('button', { name: 'Close version history' }).click()
    await ada.page.locator('.ProseMirror').click()
    await ada.page.keyboard.press('Control+z')
    expect(await editorText(ada.page)).toBe('Ada line.\nGrace line.')
    // She can still undo what she does after the restore.
    await typeAtEnd(ada.page, ' New.')
    await ada.page.keyboard.press('Control+z')
    expect(await editorText(ada.page)).toBe('Ada line.\nGrace line.')
    await until(async () => expect(await editorText(grace.page)).toBe('Ada line.\nGrace line.'))
    expect([...ada.errors, ...grace.errors]).toEqual([])
  })

  it('offers neither restoring nor saving without write access', async () => {
    const doc = `viewer ${randomUUID().slice(0, 8)}`
    const writer = await open(doc, 'Ada')
    await typeAtEnd(writer.page, 'Read me.')
    await waitForVersions(doc, 1)
    const viewer = track(await newUser(browser))
    await viewer.page.goto(`${server.url}/d/${encodeURIComponent(doc)}?name=Viewer&readonly`)
    await viewer.page.locator('[data-quire="history-toggle"]').click()
    await viewer.page.locator('[data-quire="version"]').first().click()
    await viewer.page.locator('.quire-preview .ProseMirror').waitFor()
    expect(await viewer.page.locator('[data-quire="restore"]').isVisible()).toBe(false)
    expect(await viewer.page.locator('[data-quire="checkpoint"]').isVisible()).toBe(false)
  })

  for (const viewport of [
    { width: 1400, height: 800 },
    { width: 1100, height: 800 },
    { width: 390, height: 780 },
  ]) {
    it(`opens under the bar at ${viewport.width} px, leaving its controls in reach, and closes with History or Escape from the text`, async () => {
      const doc = `panel ${viewport.width} ${randomUUID().slice(0, 8)}`
      const { page } = track(await openDocPage(browser, server.url, doc, 'Ada', viewport))
      const toggle = page.locator('[data-quire="history-toggle"]')
      const panel = page.locator('[data-quire="history"]')
      await toggle.click()
      await panel.waitFor()
      const covered = await page.evaluate(() =>
        ['[data-quire="history-toggle"]', '[data-quire="status"]', '[data-quire="presence"]', '[role="toolbar"] button', '[data-quire="download"]'].filter((selector) => {
          const element = document.querySelector(selector)!
          const box = element.getBoundingClientRect()
          return !element.contains(document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2))
        }),
      )
      expect(covered).toEqual([])

      await toggle.click()
      expect(await panel.isHidden()).toBe(true)
      expect(await toggle.getAttribute('aria-expanded')).toBe('false')
      await toggle.click()
      expect(await panel.isVisible()).toBe(true)
      await page.locator('.ProseMirror').focus()
      await page.keyboard.press('Escape')
      expect(await panel.isHidden()).toBe(true)
      expect(await page.evaluate(() => document.activeElement?.classList.contains('ProseMirror'))).toBe(true)
    })
  }

  it('fits a narrow screen', async () => {
    const doc = `narrow ${randomUUID().slice(0, 8)}`
    const writer = await open(doc, 'Ada')
    await typeAtEnd(writer.page, 'Small screens too.')
    await waitForVersions(doc, 1)
    const phone = track(await newUser(browser, { width: 375, height: 700 }))
    await phone.page.goto(`${server.url}/d/${encodeURIComponent(doc)}?name=Phone`)
    await phone.page.locator('[data-quire="history-toggle"]').click()
    await phone.page.locator('[data-quire="version"]').first().click()
    await phone.page.locator('.quire-preview .ProseMirror').waitFor()
    const box = (await phone.page.locator('[data-quire="history"]').boundingBox())!
    expect(box.x).toBeGreaterThanOrEqual(0)
    expect(box.x + box.width).toBeLessThanOrEqual(375)
    expect(await phone.page.locator('[data-quire="restore"]').isVisible()).toBe(true)
    expect(await phone.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375)
  })
})

describe('the History panel of an editor embedded on another origin', () => {
  let host: Server
  afterAll(() => host?.close())

  it('lists, previews and restores versions through the API', async () => {
    const doc = `embedded history ${randomUUID().slice(0, 8)}`
    host = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html')
      res.end(`<!doctype html><html><head><link rel="stylesheet" href="${server.url}/embed/quire-editor.css"></head>
<body><div id="here"></div><script type="module">
  import { createEditor } from '${server.url}/embed/quire-editor.js'
  createEditor(document.getElementById('here'), { url: '${server.wsUrl}', doc: ${JSON.stringify(doc)}, user: { name: 'Embedder', color: '#1e88e5' } })
</script></body></html>`)
    })
    await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve))
    const writer = await open(doc, 'Ada')
    await typeAtEnd(writer.page, 'First words.')
    await waitForVersions(doc, 1)
    await typeAtEnd(writer.page, ' More words.')
    await waitForVersions(doc, 2)

    const embed = track(await newUser(browser))
    await embed.page.goto(`http://127.0.0.1:${(host.address() as AddressInfo).port}/`)
    await embed.page.locator('[data-quire="status"][data-state="connected"]').waitFor({ timeout: 15_000 })
    await embed.page.locator('[data-quire="history-toggle"]').click()
    const items = embed.page.locator('[data-quire="version"]')
    await until(async () => expect(await items.count()).toBe(2))
    await items.nth(1).click()
    await embed.page.locator('.quire-preview .ProseMirror').waitFor()
    await embed.page.locator('[data-quire="restore"]').click()
    await until(async () => expect(await editorText(writer.page)).toBe('First words.'))
    expect(embed.errors).toEqual([])
  })
})
