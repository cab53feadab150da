import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'

/** Debian's Chromium; install with `apt-get install -y chromium`. Override with `QUIRE_CHROMIUM`. */
const CHROMIUM = process.env.QUIRE_CHROMIUM ?? '/usr/bin/chromium'

// Quiet, deterministic Chromium: no first-run UI, no background traffic, no GPU in containers.
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync']

/** Where screenshots are written (next to the servers' logs, kept after a red run). */
export const SCREENSHOT_DIR = join(import.meta.dirname, '..', 'out', 'screenshots')

/** One headless Chromium for a test file; each simulated user gets its own context from it. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS })
}

/** A simulated person: a fresh browser context (own storage, IndexedDB, network switch) and page. */
export interface BrowserUser {
  context: BrowserContext
  page: Page
  /**
   * Uncaught errors and `console.error` lines of the page, for asserting a clean run. Chromium's own
   * "WebSocket connection ... failed" lines are left out: reconnect attempts while a server is down
   * are expected and the status element reports them.
   */
  errors: string[]
}

/**
 * Opens a page in a new context. Users must not share a context: pages of one context talk through
 * BroadcastChannel and share IndexedDB, which would hide exactly what the tests look for (sync over
 * the server, offline edits).
 */
export async function newUser(browser: Browser, viewport = { width: 1000, height: 700 }): Promise<BrowserUser> {
  const context = await browser.newContext({ viewport })
  const page = await context.newPage()
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(error.message))
  page.on('console', (message) => {
    if (message.type() === 'error' && !/^WebSocket connection to .* failed/.test(message.text())) errors.push(message.text())
  })
  return { context, page, errors }
}

/** Saves a PNG of `page` as `test/out/screenshots/<name>.png` and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true })
  const path = join(SCREENSHOT_DIR, `${name}.png`)
  await page.screenshot({ path })
  return path
}

/**
 * `newUser` on the app's editor page for `doc`, as `name`, once its status reads connected. The
 * name goes in `?name=` (the same path a shared link takes). `prepare` runs on the page before it
 * loads (to add init scripts, such as `holdIncoming`).
 */
export async function openDocPage(
  browser: Browser,
  baseUrl: string,
  doc: string,
  name: string,
  viewport?: { width: number; height: number },
  prepare?: (page: Page) => Promise<void>,
): Promise<BrowserUser> {
  const user = await newUser(browser, viewport)
  await prepare?.(user.page)
  await user.page.goto(`${baseUrl}/d/${encodeURIComponent(doc)}?name=${encodeURIComponent(name)}`)
  await user.page.locator('[data-quire="status"][data-state="connected"]').waitFor({ timeout: 15_000 })
  return user
}

/** The editable's text, one line per block (what a reader sees, minus carets' name labels). */
export function editorText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const root = document.querySelector('.ProseMirror')
    if (root === null) throw new Error('no editor on the page')
    const clone = root.cloneNode(true) as HTMLElement
    for (const caret of clone.querySelectorAll('.ProseMirror-yjs-cursor')) caret.remove()
    return [...clone.children].map((block) => (block.textContent ?? '').replaceAll('\u2060', '')).join('\n')
  })
}

/** Types `text` at the end of the document, as a user clicking into it and pressing Ctrl+End would. */
export async function typeAtEnd(page: Page, text: string): Promise<void> {
  await caretToEnd(page)
  await page.keyboard.type(text)
}

/**
 * Focuses the editor and puts the caret at the end of the document. Chromium reports the caret's
 * move with an asynchronous `selectionchange`, so this waits until the page's selection is at the
 * end and the event has been dispatched: a key pressed earlier would act where the click landed.
 */
export async function caretToEnd(page: Page): Promise<void> {
  await page.locator('.ProseMirror').click()
  await page.keyboard.press('Control+End')
  await page.waitForFunction(() => {
    const editor = document.querySelector('.ProseMirror')
    const selection = getSelection()
    if (!editor || !selection?.focusNode || !selection.isCollapsed || !editor.contains(selection.focusNode)) return false
    const rest = document.createRange()
    rest.setStart(selection.focusNode, selection.focusOffset)
    rest.setEnd(editor, editor.childNodes.length)
    // Remote carets are widgets inside the editor that carry their owner's name as text.
    const after = rest.cloneContents()
    for (const widget of after.querySelectorAll('[contenteditable="false"]')) widget.remove()
    return after.textContent === ''
  })
  await selectionReported(page)
}

/**
 * Waits until the page's selection spans exactly `text` and Chromium has dispatched the
 * `selectionchange` that tells ProseMirror, so the next command acts on that selection.
 */
export async function selectionIs(page: Page, text: string): Promise<void> {
  await page.waitForFunction((expected) => getSelection()?.toString() === expected, text)
  await selectionReported(page)
}

/** A frame and a task later: the `selectionchange` queued by a selection move has been handled. */
async function selectionReported(page: Page): Promise<void> {
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve))))
}
