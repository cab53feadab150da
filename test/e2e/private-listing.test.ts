import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mintToken } from '../../server/guard/access.js'
import { launchBrowser, newUser } from '../helpers/browser.js'
import { startServer, type TestServer } from '../helpers/server.js'

const SECRET = 'listing secret'
let server: TestServer
let browser: Browser

beforeAll(async () => {
  ;[server, browser] = await Promise.all([startServer({ env: { QUIRE_SECRET: SECRET }, args: ['--private-listing'] }), launchBrowser()])
  const write = await mintToken(SECRET, { doc: 'minutes', write: true, ttlSeconds: 60 })
  await fetch(`${server.url}/api/docs/minutes/content?format=text`, { method: 'PUT', body: 'hello', headers: { authorization: `Bearer ${write}` } })
})
afterAll(async () => {
  await browser?.close()
  await server?.stop()
})

describe('the document list of a server with --private-listing', () => {
  it('asks for a token, says when it does not open the list, and lists the documents with one that does', async () => {
    const { page, errors } = await newUser(browser)
    await page.goto(`${server.url}/`)
    const form = page.locator('[data-quire="list-token"]')
    await form.waitFor()
    await expect(page.locator('.doc-row').count()).resolves.toBe(0)

    await form.locator('input').fill(await mintToken(SECRET, { doc: 'minutes', write: false, ttlSeconds: 60 }))
    await form.locator('button').click()
    await page.getByText('That token does not open the list of every document.').waitFor()

    await page.locator('[data-quire="list-token"] input').fill(await mintToken(SECRET, { doc: '*', write: false, ttlSeconds: 60 }))
    await page.locator('[data-quire="list-token"] button').click()
    await page.locator('.doc-row a', { hasText: 'minutes' }).waitFor()
    // The browser's own line for each refused fetch is all that may appear.
    expect(errors.filter((e) => !/status of 40[13]/.test(e))).toEqual([])
  })
})
