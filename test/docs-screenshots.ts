// The README's pictures (docs/*.png), taken in Debian Chromium with playwright-core against a real
// quire with a few documents in it. Run after `npm run build`:
//   node --import tsx test/docs-screenshots.ts
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { prosemirrorToYXmlFragment } from 'y-prosemirror'
import * as Y from 'yjs'
import { FORMATS } from '../shared/content/formats.js'
import { launchBrowser, newUser } from './helpers/browser.js'
import { connectClient } from './helpers/client.js'
import { startServer } from './helpers/server.js'
import { until } from './helpers/until.js'

const DOCS = join(import.meta.dirname, '..', 'docs')
const DOC = 'Field notes'

const server = await startServer()
const browser = await launchBrowser()
const put = (name: string, markdown: string) => fetch(`${server.url}/api/docs/${encodeURIComponent(name)}/content?format=markdown`, { method: 'PUT', body: markdown })

try {
  await put('Reading list', '# Reading list\n\n- *Designing Data-Intensive Applications*\n- Local-first software\n')
  await put('Team/Retro 2026-11', '# Retro\n\nWhat went well, what did not.\n')
  await put(
    DOC,
    [
      '# Field notes',
      '',
      'Two people edit this page at once; each sees the other’s **named caret**, and every change is on disk before anyone else sees it.',
      '',
      '## Next steps',
      '',
      '1. Share a [view-only link](https://example.com) with the reviewers',
      '2. Download the draft as Markdown',
      '',
      '```',
      'npx quire serve --data ./data',
      '```',
      '',
    ].join('\n'),
  )
  // A second person, so the page shows presence and a caret.
  const grace = connectClient(server.wsUrl, DOC)
  grace.provider.awareness.setLocalStateField('user', { name: 'Grace Hopper', color: '#8e24aa' })
  await grace.synced()
  // Her caret in the first paragraph, where y-prosemirror reads it: relative positions in its text.
  const text = (grace.doc.getXmlFragment('prosemirror').get(1) as Y.XmlElement).get(0) as Y.XmlText
  const at = Y.relativePositionToJSON(Y.createRelativePositionFromTypeIndex(text, 31))
  grace.provider.awareness.setLocalStateField('cursor', { anchor: at, head: at })

  const open = async (path: string, options: { width: number; height: number; dark?: boolean }): Promise<Page> => {
    const { page } = await newUser(browser, { width: options.width, height: options.height })
    if (options.dark) await page.emulateMedia({ colorScheme: 'dark' })
    await page.goto(`${server.url}${path}`)
    return page
  }
  const docPath = `/d/${encodeURIComponent(DOC)}?name=Ada%20Lovelace`
  // One page at a time, so each picture shows Ada and Grace only.
  const shoot = async (name: string, path: string, options: Parameters<typeof open>[1], ready: string): Promise<void> => {
    const page = await open(path, options)
    await page.locator(ready).first().waitFor()
    if (path === docPath) {
      await page.locator('.ProseMirror p').first().click()
      await page.keyboard.press('End')
    }
    await page.screenshot({ path: join(DOCS, `${name}.png`) })
    await page.context().close()
    written.push(`docs/${name}.png`)
  }
  const written: string[] = []
  await shoot('editor', docPath, { width: 1100, height: 720 }, '[data-quire="saved"][data-state="saved"]')
  await shoot('list', '/', { width: 1000, height: 560 }, '.doc-row >> nth=2')
  await shoot('dark', docPath, { width: 1100, height: 720, dark: true }, '[data-quire="saved"][data-state="saved"]')
  await shoot('phone', docPath, { width: 390, height: 780 }, '[data-quire="saved"][data-state="saved"]')
  await shootHistory(written)
  grace.destroy()
  console.log(`wrote ${written.join(', ')}`)
} finally {
  await browser.close()
  await server.stop()
}

/**
 * The History panel of a document three versions old: a named first draft, then Grace's and Ada's
 * edits (each made through a y-websocket client with that person's presence, as the editor does),
 * the newest previewed with its changes highlighted in Ada's colour.
 */
async function shootHistory(written: string[]): Promise<void> {
  const essay = 'Essay'
  const versions = `${server.url}/api/docs/${essay}/versions`
  const checkpoint = (label?: string) => fetch(versions, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ label }) })
  await put(essay, '# On collaboration\n\nWriting together works when everyone sees the same page.\n')
  await checkpoint('First draft')
  const writeAs = async (user: { name: string; color: string }, markdown: string) => {
    const client = connectClient(server.wsUrl, essay)
    client.provider.awareness.setLocalStateField('user', user)
    await client.synced()
    const { parse } = FORMATS.markdown
    prosemirrorToYXmlFragment(parse(markdown), client.doc.getXmlFragment('prosemirror'))
    await until(async () => {
      if ((await (await fetch(`${server.url}/api/docs/${essay}/content?format=markdown`)).text()) !== markdown) throw new Error(`${user.name}'s edit is not stored yet`)
    })
    await checkpoint()
    client.destroy()
  }
  await writeAs({ name: 'Grace Hopper', color: '#8e24aa' }, '# On collaboration\n\nWriting together works when everyone sees the same page at the same time.\n')
  await writeAs({ name: 'Ada Lovelace', color: '#2e7d32' }, '# On collaboration\n\nWriting together works when everyone sees the same page at the same time, and can go back to any earlier one.\n')
  const { page } = await newUser(browser, { width: 1100, height: 860 })
  await page.goto(`${server.url}/d/${essay}?name=Ada%20Lovelace`)
  await page.locator('[data-quire="history-toggle"]').click()
  await page.locator('[data-quire="version"]').first().click()
  await page.locator('.quire-preview ins.quire-added').first().waitFor()
  await page.screenshot({ path: join(DOCS, 'history.png') })
  await page.context().close()
  written.push('docs/history.png')
}
