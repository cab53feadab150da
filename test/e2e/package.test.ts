import { type SpawnOptions, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { extname, join, resolve } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { editorText, launchBrowser, newUser, openDocPage } from '../helpers/browser.js'
import { startServer, type TestServer } from '../helpers/server.js'
import { until } from '../helpers/until.js'

// The packages as an app developer gets them: both tarballs packed from this checkout (built by
// `npm test`'s build), a fresh Vite + TypeScript app (test/fixtures/fresh-app) that installs
// `@quire/editor` from its tarball and is type-checked and built, and the root `quire` tarball
// installed on its own, whose `quire serve` is the server the built app talks to in Chromium.
// Installs use npm's cache with --prefer-offline: what `npm ci` fetched for this checkout is
// reused, and only what the app adds (React, Vue, their types) comes from the registry.

const ROOT = resolve(import.meta.dirname, '../..')
const SERVER_PACKAGES = ['express', 'level', 'classic-level', 'ioredis', 'linkedom', 'prom-client', 'commander', 'jose']
const INSTALL = ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error']

let work: string
let app: string
let cli: string
let packed: { root: PackResult; editor: PackResult }
let typecheck: Run
let build: Run
let server: TestServer
let browser: Browser
let pages: Server
let pagesUrl: string

interface Run {
  code: number | null
  output: string
}

interface PackResult {
  name: string
  filename: string
  files: Array<{ path: string }>
}

function run(command: string, args: string[], options: SpawnOptions = {}): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options })
    let output = ''
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk))
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk))
    child.on('error', fail)
    child.on('close', (code) => done({ code, output }))
  })
}

async function succeed(command: string, args: string[], options: SpawnOptions = {}): Promise<string> {
  const { code, output } = await run(command, args, options)
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${code}:\n${output}`)
  return output
}

/** The version of `name` this checkout installed, so the app's install finds it in the cache. */
const installed = (name: string): string => (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version

const MIME: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json' }

/** Serves the app's build output (`dist/` and, under `/dev/`, the development build). */
function servePages(): Promise<Server> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://pages').pathname
    const [dir, rest] = path.startsWith('/dev/') ? ['dist-dev', path.slice(4)] : ['dist', path]
    const file = join(app, dir, rest.endsWith('/') ? `${rest}index.html` : rest)
    if (!file.startsWith(join(app, dir)) || !existsSync(file) || !statSync(file).isFile()) {
      // The browser asks for /favicon.ico by itself; a 404 would read as a page error.
      res.statusCode = path === '/favicon.ico' ? 204 : 404
      res.end()
      return
    }
    res.setHeader('content-type', MIME[extname(file)] ?? 'application/octet-stream')
    res.end(readFileSync(file))
  })
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done(server)))
}

beforeAll(async () => {
  const started = Date.now()
  work = mkdtempSync(join(tmpdir(), 'quire-package-'))
  app = join(work, 'app')
  cli = join(work, 'cli')
  // `npm test` built dist/ and editor/dist/ already; packing runs no scripts so it checks that build.
  const packing = JSON.parse(await succeed('npm', ['pack', '--ignore-scripts', '--json', '--workspaces', '--include-workspace-root', '--pack-destination', work], { cwd: ROOT })) as PackResult[]
  packed = { root: packing.find((p) => p.name === 'quire')!, editor: packing.find((p) => p.name === '@quire/editor')! }

  cpSync(join(ROOT, 'test/fixtures/fresh-app'), app, { recursive: true })
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({
      name: 'fresh-app',
      private: true,
      type: 'module',
      dependencies: {
        '@quire/editor': `file:../${packed.editor.filename}`,
        yjs: `^${installed('yjs')}`,
        react: '^19.2.0',
        'react-dom': '^19.2.0',
        vue: `^${installed('vue')}`,
      },
      devDependencies: {
        typescript: installed('typescript'),
        vite: installed('vite'),
        '@types/react': `^${installed('@types/react')}`,
        '@types/react-dom': '^19.2.0',
      },
    }),
  )
  await Promise.all([
    succeed('npm', INSTALL, { cwd: app }),
    (async () => {
      mkdirSync(cli)
      writeFileSync(join(cli, 'package.json'), JSON.stringify({ name: 'ops', private: true }))
      await succeed('npm', [...INSTALL, `../${packed.root.filename}`], { cwd: cli })
    })(),
  ])
  typecheck = await run(join(app, 'node_modules/.bin/tsc'), ['--noEmit', '-p', 'tsconfig.json'], { cwd: app })
  build = await run(join(app, 'node_modules/.bin/vite'), ['build'], { cwd: app })
  // React runs StrictMode's double mount only in its development build.
  await succeed(join(app, 'node_modules/.bin/vite'), ['build', '--outDir', 'dist-dev', '--base', '/dev/'], { cwd: app, env: { ...process.env, NODE_ENV: 'development' } })
  ;[server, browser, pages] = await Promise.all([startServer({ bin: join(cli, 'node_modules/quire/bin/quire.js') }), launchBrowser(), servePages()])
  pagesUrl = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`
  // Packing, two installs, type-check and two builds: CI time worth seeing in the log.
  console.info(`package test set-up: ${((Date.now() - started) / 1000).toFixed(1)} s`)
}, 300_000)

afterAll(async () => {
  await browser?.close()
  pages?.close()
  await server?.stop()
  if (work) rmSync(work, { recursive: true, force: true })
})

describe('the quire package', () => {
  it('ships bin/ and the built dist/, not tests or sources, and builds it when packed', () => {
    const files = packed.root.files.map((f) => f.path)
    expect(files).toEqual(expect.arrayContaining(['bin/quire.js', 'dist/server/cli/main.js', 'dist/embed/quire-editor.js', 'dist/app/doc.html', 'editor/dist/index.js']))
    expect(files.filter((f) => /^(test|server|shared|docs|\.ci)\/|^editor\/(?!dist\/)/.test(f))).toEqual([])
    const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts
    expect(scripts.prepare).toBe('npm run build')
  })

  it('keeps `quire/editor` and `quire/editor.css` working for existing users', async () => {
    const imported = await run(process.execPath, ['--input-type=module', '-e', "const m = await import('quire/editor'); console.log(typeof m.createEditor, typeof m.schema)"], { cwd: cli })
    expect(imported.output.trim()).toBe('function object')
    expect(existsSync(join(cli, 'node_modules/quire/dist/embed/quire-editor.css'))).toBe(true)
  })

  it('runs `npx quire --help` from an installed tarball', async () => {
    const help = await run('npx', ['--no-install', 'quire', '--help'], { cwd: cli })
    expect(help.code).toBe(0)
    expect(help.output).toMatch(/Usage: quire/)
    expect(help.output).toContain('serve')
  })
})

describe('@quire/editor in a fresh Vite + TypeScript app', () => {
  it('ships an ES module, its .d.ts, style.css and the React and Vue wrappers, with yjs as a peer', () => {
    const files = packed.editor.files.map((f) => f.path)
    expect(files).toEqual(expect.arrayContaining(['package.json', 'dist/index.js', 'dist/react.js', 'dist/vue.js', 'dist/style.css', 'dist/types/editor/index.d.ts']))
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([])
    const manifest = JSON.parse(readFileSync(join(app, 'node_modules/@quire/editor/package.json'), 'utf8')) as Record<string, Record<string, string>>
    expect(manifest.peerDependencies).toMatchObject({ yjs: expect.any(String) })
    expect(manifest.dependencies).not.toHaveProperty('yjs')
  })

  it('installs no server package', () => {
    expect(SERVER_PACKAGES.filter((name) => existsSync(join(app, 'node_modules', name)))).toEqual([])
  })

  it('type-checks with tsc --noEmit under the template tsconfig (strict, erasableSyntaxOnly)', () => {
    expect(typecheck.output).toBe('')
    expect(typecheck.code).toBe(0)
  })

  it('type-checks the React wrapper in JSX against React 18’s types too', async () => {
    const app18 = join(work, 'react18')
    cpSync(join(ROOT, 'test/fixtures/react18-app'), app18, { recursive: true })
    const dependencies = { '@quire/editor': `file:../${packed.editor.filename}`, yjs: `^${installed('yjs')}`, react: '^18.3.0', '@types/react': '^18.3.0', typescript: installed('typescript') }
    writeFileSync(join(app18, 'package.json'), JSON.stringify({ name: 'react18-app', private: true, type: 'module', dependencies }))
    await succeed('npm', INSTALL, { cwd: app18 })
    const result = await run(join(app18, 'node_modules/.bin/tsc'), ['--noEmit', '-p', 'tsconfig.json'], { cwd: app18 })
    expect(result.output).toBe('')
    expect(result.code).toBe(0)
  }, 120_000)

  it('builds with vite build, bundling exactly one copy of Yjs', () => {
    expect(build.code, build.output).toBe(0)
    const assets = join(app, 'dist/assets')
    const js = readdirSync(assets)
      .filter((f) => f.endsWith('.js'))
      .map((f) => readFileSync(join(assets, f), 'utf8'))
      .join('\n')
    // Yjs's import guard: the string is in every copy of Yjs and nowhere else.
    expect(js.split('__ $YJS$ __').length - 1).toBe(1)
    expect(readdirSync(assets).some((f) => f.endsWith('.css'))).toBe(true)
  })

  it('edits together with a /d/<doc> page of the installed quire, sharing the app’s Yjs', async () => {
    const doc = `fresh-${randomUUID().slice(0, 8)}`
    const { page, errors } = await newUser(browser)
    await page.goto(`${pagesUrl}/?url=${encodeURIComponent(server.wsUrl)}&doc=${doc}`)
    await page.locator('[data-quire="status"][data-state="connected"]').waitFor({ timeout: 15_000 })
    const other = await openDocPage(browser, server.url, doc, 'Ada')

    await page.locator('.ProseMirror').click()
    await page.keyboard.type('From the app.')
    await until(async () => expect(await editorText(other.page)).toBe('From the app.'))
    await other.page.locator('.ProseMirror').click()
    await other.page.keyboard.press('Control+End')
    await other.page.keyboard.type(' From quire.')
    await until(async () => expect(await editorText(page)).toBe('From the app. From quire.'))

    expect(await page.evaluate(() => (window as unknown as { sameYjs: boolean }).sameYjs)).toBe(true)
    await page.evaluate(() => (window as unknown as { appendParagraph(t: string): void }).appendParagraph('Through the app’s Yjs.'))
    await until(async () => expect(await editorText(other.page)).toBe('From the app. From quire.\nThrough the app’s Yjs.'))
    await until(async () => expect(await page.title()).toBe('Fresh app, Ada'))
    expect(await page.evaluate(() => (window as unknown as { seen: string[] }).seen)).toEqual(['connected'])
    expect(errors).toEqual([])
  })
})

describe('the framework wrappers', () => {
  const presenceNames = (page: Page) => page.locator('[data-quire="presence"] .quire-person-name').allInnerTexts()
  const openSockets = (page: Page) => page.evaluate(() => (window as unknown as { sockets: WebSocket[] }).sockets.filter((s) => s.readyState !== WebSocket.CLOSED).length)
  const socketCount = (page: Page) => page.evaluate(() => (window as unknown as { sockets: WebSocket[] }).sockets.length)

  it('React <QuireEditor> under StrictMode mounts once, unmounts cleanly and mounts again', async () => {
    const doc = `react-${randomUUID().slice(0, 8)}`
    const other = await openDocPage(browser, server.url, doc, 'Ada')
    const { page, errors } = await newUser(browser)
    await page.goto(`${pagesUrl}/dev/react.html?url=${encodeURIComponent(server.wsUrl)}&doc=${doc}`)
    await page.locator('[data-quire="status"][data-state="connected"]').waitFor({ timeout: 15_000 })
    // StrictMode did mount, unmount and mount again...
    expect(await page.evaluate(() => (window as unknown as { mounts: number }).mounts)).toBe(2)
    // ...and yet one editor, one socket, one person in the document.
    expect(await page.locator('.quire').count()).toBe(1)
    expect(await socketCount(page)).toBe(1)
    await until(async () => expect(await presenceNames(other.page)).toEqual(['Ada (you)', 'React app']))

    await page.evaluate(() => (window as unknown as { setShown(v: boolean): void }).setShown(false))
    await until(async () => expect(await openSockets(page)).toBe(0))
    expect(await page.locator('.quire').count()).toBe(0)
    await until(async () => expect(await presenceNames(other.page)).toEqual(['Ada (you)']))

    await page.evaluate(() => (window as unknown as { setShown(v: boolean): void }).setShown(true))
    await page.locator('[data-quire="status"][data-state="connected"]').waitFor({ timeout: 15_000 })
    expect(await socketCount(page)).toBe(2)
    expect(await page.locator('.quire').count()).toBe(1)
    await until(async () => expect(await presenceNames(other.page)).toEqual(['Ada (you)', 'React app']))
    await other.page.locator('.ProseMirror').click()
    await other.page.keyboard.type('Seen by React.')
    await until(async () => expect(await editorText(page)).toBe('Seen by React.'))
    expect(errors).toEqual([])
  })

  it('React <QuireEditor> switched to another document and to read-only in one render opens that one read-only', async () => {
    const { page, errors } = await newUser(browser)
    await page.goto(`${pagesUrl}/dev/react.html?url=${encodeURIComponent(server.wsUrl)}&doc=react-${randomUUID().slice(0, 8)}`)
    await page.locator('[data-quire="status"][data-state="connected"]').waitFor({ timeout: 15_000 })
    const next = `react-${randomUUID().slice(0, 8)}`
    await page.evaluate((doc) => (window as unknown as { setTarget(t: object): void }).setTarget({ doc, readOnly: true }), next)
    await page.locator('.quire[data-readonly] [data-quire="status"][data-state="connected"]').waitFor({ timeout: 15_000 })
    expect(await page.locator('.ProseMirror').getAttribute('aria-label')).toBe(`Document ${next}`)
    expect(await page.locator('.quire').count()).toBe(1)
    expect(errors).toEqual([])
  })

  it('Vue <QuireEditor> edits the document and closes its socket when unmounted', async () => {
    const doc = `vue-${randomUUID().slice(0, 8)}`
    const other = await openDocPage(browser, server.url, doc, 'Ada')
    const { page, errors } = await newUser(browser)
    await page.goto(`${pagesUrl}/vue.html?url=${encodeURIComponent(server.wsUrl)}&doc=${doc}`)
    await page.locator('[data-quire="status"][data-state="connected"]').waitFor({ timeout: 15_000 })
    await until(async () => expect(await presenceNames(other.page)).toEqual(['Ada (you)', 'Vue app']))
    await page.locator('.ProseMirror').click()
    await page.keyboard.type('From Vue.')
    await until(async () => expect(await editorText(other.page)).toBe('From Vue.'))

    await page.evaluate(() => ((window as unknown as { shown: { value: boolean } }).shown.value = false))
    await until(async () => expect(await openSockets(page)).toBe(0))
    expect(await page.locator('.quire').count()).toBe(0)
    await until(async () => expect(await presenceNames(other.page)).toEqual(['Ada (you)']))
    expect(errors).toEqual([])
  })

  it('Vue <QuireEditor> re-rendered with an equal user sends no presence update', async () => {
    const { page, errors } = await newUser(browser)
    await page.goto(`${pagesUrl}/vue.html?url=${encodeURIComponent(server.wsUrl)}&doc=vue-${randomUUID().slice(0, 8)}`)
    await page.locator('[data-quire="status"][data-state="connected"]').waitFor({ timeout: 15_000 })
    const updates = await page.evaluate(async () => {
      const w = window as unknown as { editor: import('@quire/editor').Editor; state: { renders: number } }
      let sent = 0
      w.editor.awareness.on('update', (_: unknown, origin: unknown) => void (origin === 'local' && sent++))
      w.state.renders += 1
      await new Promise((resolve) => requestAnimationFrame(resolve))
      return sent
    })
    expect(await page.locator('output').getAttribute('data-renders')).toBe('1')
    expect(updates).toBe(0)
    expect(errors).toEqual([])
  })

  it('Vue <QuireEditor> given an invalid doc reports only that, and opens again with a valid one', async () => {
    const doc = `vue-${randomUUID().slice(0, 8)}`
    const { page, errors } = await newUser(browser)
    await page.goto(`${pagesUrl}/vue.html?url=${encodeURIComponent(server.wsUrl)}&doc=${doc}`)
    await page.locator('[data-quire="status"][data-state="connected"]').waitFor({ timeout: 15_000 })
    const set = (change: Record<string, unknown>) => page.evaluate((c) => Object.assign((window as unknown as { state: object }).state, c), change)
    await set({ doc: '' })
    await until(async () => expect(errors).toEqual([expect.stringContaining('options.doc: document name is empty')]))
    expect(await page.locator('.quire').count()).toBe(0)
    await set({ name: 'Vue app renamed', readOnly: true })
    await set({ doc })
    await page.locator('.quire[data-readonly] [data-quire="status"][data-state="connected"]').waitFor({ timeout: 15_000 })
    expect(await page.evaluate(() => (window as unknown as { editor: import('@quire/editor').Editor }).editor.awareness.getLocalState()?.user.name)).toBe('Vue app renamed')
    expect(errors).toHaveLength(1)
  })
})
