import type { Browser } from 'playwright-core'
import { afterAll, beforeAll } from 'vitest'
import { launchBrowser } from './browser.js'
import { type StartOptions, startServer, type TestServer } from './server.js'

/** A test file's quire server and Chromium, started before its tests and stopped after them. */
export interface E2eSession {
  readonly server: TestServer
  readonly browser: Browser
}

/**
 * Registers `beforeAll`/`afterAll` hooks that start one quire server (with `options`) and one
 * headless Chromium for the calling test file, in parallel, and stop both at the end.
 */
export function e2eSession(options: StartOptions = {}): E2eSession {
  let server: TestServer | undefined
  let browser: Browser | undefined
  beforeAll(async () => {
    ;[server, browser] = await Promise.all([startServer(options), launchBrowser()])
  })
  afterAll(async () => {
    await browser?.close()
    await server?.stop()
  })
  return {
    get server() {
      if (!server) throw new Error('e2eSession: used outside a test')
      return server
    },
    get browser() {
      if (!browser) throw new Error('e2eSession: used outside a test')
      return browser
    },
  }
}
