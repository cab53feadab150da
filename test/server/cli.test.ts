import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { prosemirrorToYXmlFragment } from 'y-prosemirror'
import { verifyToken } from '../../server/guard/access.js'
import { serverFilePath } from '../../server/server-file.js'
import { LevelStore } from '../../server/store/level.js'
import { storeDir } from '../../server/store/open.js'
import { FORMATS } from '../../shared/content/formats.js'
import { toNode } from '../../shared/content/ydoc.js'
import { CloseCode } from '../../shared/protocol.js'
import { writeDamagedStore } from '../fixtures/damaged-store.js'
import { b, sampleDoc } from '../fixtures/sample.js'
import { quire } from '../helpers/cli.js'
import { connectClient } from '../helpers/client.js'
import { startServer, type TestServer, tempDataDir } from '../helpers/server.js'
import { until } from '../helpers/until.js'
import { update } from './store/contract.js'

const ROOT = resolve(import.meta.dirname, '../..')
const fixture = (ext: string) => join(ROOT, 'test/fixtures', `sample.${ext}`)
const expected = (ext: string) => readFileSync(fixture(ext), 'utf8')

const lines = (text: string) => text.split('\n').filter((line) => line !== '')

// Each step spawns a real process (about a second on a busy 2-core machine), so specs that run
// several get more than the unit project's default time.
const SLOW = { timeout: 60_000 }

describe.each(['stopped', 'running'] as const)('quire CLI with the server %s', SLOW, (mode) => {
  let dataDir: string
  let server: TestServer | null = null
  const run = (...args: string[]) => quire([...args, '--data', dataDir])

  beforeAll(async () => {
    dataDir = tempDataDir()
    if (mode === 'running') server = await startServer({ dataDir })
  })
  afterAll(async () => {
    await server?.stop()
  })

  it('imports Markdown, and shows it back in every format', async () => {
    const imported = await run('import', 'notes/2024', fixture('md'))
    expect(imported).toMatchObject({ code: 0, stdout: `imported ${fixture('md')} into "notes/2024"\n` })
    for (const [format, ext] of [
      ['markdown', 'md'],
      ['html', 'html'],
      ['text', 'txt'],
    ]) {
      expect((await run('show', 'notes/2024', '--format', format!)).stdout).toBe(expected(ext!))
    }
    const json = await run('show', 'notes/2024', '--format', 'json')
    expect(FORMATS.json.parse(json.stdout).eq(sampleDoc)).toBe(true)
  })

  it(`says with --verbose that it ${mode === 'running' ? 'goes through the server' : 'opens the data dir'}`, async () => {
    const { code, stderr } = await run('ls', '--verbose')
    expect(code).toBe(0)
    expect(stderr).toMatch(mode === 'running' ? /using the server at http:\/\/127\.0\.0\.1:\d+/ : /opening .* directly \(no server running\)/)
  })

  it('imports HTML and plain text files by their extension', async () => {
    expect((await run('import', 'from-html', fixture('html'))).code).toBe(0)
    expect((await run('show', 'from-html')).stdout).toBe(expected('md'))
    expect((await run('import', 'from-text', fixture('txt'))).code).toBe(0)
    expect((await run('show', 'from-text', '--format', 'text')).stdout).toBe(expected('txt'))
  })

  it('lists documents one line each (name, size, updates, last change) and as JSON', async () => {
    const table = lines((await run('ls')).stdout)
    expect(table.map((row) => row.split(/\s{2,}/)[0])).toEqual(['from-html', 'from-text', 'notes/2024'])
    expect(table[2]).toMatch(/^notes\/2024\s+\d+ B\s+\d+\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/)
    const json = JSON.parse((await run('ls', '--json')).stdout) as Array<Record<string, unknown>>
    expect(json.map((d) => d.name)).toEqual(['from-html', 'from-text', 'notes/2024'])
    for (const doc of json) {
      expect(Object.keys(doc)).toEqual(['name', 'bytes', 'updates', 'updatedAt'])
      expect(new Date(doc.updatedAt as string).toISOString()).toBe(doc.updatedAt)
    }
  })

  it('exports to a file in the format its extension names', async () => {
    const out = join(dataDir, '..', `${mode}-export.html`)
    const { code, stdout } = await run('export', 'notes/2024', '-o', out)
    expect(code).toBe(0)
    expect(stdout).toBe(`exported "notes/2024" to ${out} as html\n`)
    expect(readFileSync(out, 'utf8')).toBe(expected('html'))
  })

  it('compacts one document and every document', async () => {
    await run('import', 'notes/2024', fixture('html'))
    expect((await run('compact', 'notes/2024')).stdout).toMatch(/^compacted "notes\/2024": 1 record, \d+ B\n$/)
    expect(await run('compact')).toMatchObject({ code: 0, stdout: 'compacted 3 documents\n' })
    expect((await run('show', 'notes/2024')).stdout).toBe(expected('md'))
  })

  it('deletes a document, after which it is unknown', async () => {
    expect(await run('rm', 'from-text')).toMatchObject({ code: 0, stdout: 'deleted "from-text"\n' })
    expect(JSON.parse((await run('ls', '--json')).stdout).map((d: { name: string }) => d.name)).toEqual(['from-html', 'notes/2024'])
  })

  it('renames a document, keeping its content and versions; the old name then says where it went', async () => {
    expect((await run('checkpoint', 'from-html', '--label', 'Before the move')).code).toBe(0)
    const history = JSON.parse((await run('history', 'from-html', '--json')).stdout)
    expect(history[0]).toMatchObject({ label: 'Before the move' })
    expect(await run('mv', 'from-html', 'moved/html')).toMatchObject({ code: 0, stdout: 'renamed "from-html" to "moved/html"\n' })
    expect((await run('show', 'moved/html')).stdout).toBe(expected('md'))
    expect(JSON.parse((await run('history', 'moved/html', '--json')).stdout)).toEqual(history)
    expect(JSON.parse((await run('ls', '--json')).stdout).map((d: { name: string }) => d.name)).toEqual(['moved/html', 'notes/2024'])
    expect(await run('show', 'from-html')).toMatchObject({ code: 1, stderr: expect.stringMatching(/^quire: document "from-html" was renamed to "moved\/html" \(\d{4}-/) })
    expect(await run('mv', 'moved/html', 'notes/2024')).toMatchObject({ code: 1, stderr: 'quire: a document named "notes/2024" exists already\n' })
    expect(await run('mv', 'nope', 'other')).toMatchObject({ code: 1, stderr: 'quire: no document named "nope"\n' })
    expect((await run('mv', 'moved/html')).code).toBe(2)
  })

  it('exits 1 with one line naming an unknown document', async () => {
    for (const args of [
      ['show', 'nope'],
      ['export', 'nope'],
      ['rm', 'nope'],
      ['compact', 'nope'],
    ]) {
      expect(await run(...args)).toMatchObject({ code: 1, stdout: '', stderr: 'quire: no document named "nope"\n' })
    }
  })

  it('exits 2 with the usage for bad flags and missing arguments', async () => {
    for (const args of [['show', 'notes/2024', '--format', 'docx'], ['ls', '--bogus'], ['show'], ['import', 'only-a-name']]) {
      const { code, stderr } = await run(...args)
      expect(code).toBe(2)
      expect(stderr).toContain('Usage: quire')
    }
  })

  it('exits 1 naming a file it cannot import', async () => {
    const unknown = join(dataDir, '..', 'notes.docx')
    writeFileSync(unknown, 'x')
    expect(await run('import', 'x', unknown)).toMatchObject({ code: 1, stderr: expect.stringMatching(/^quire: cannot tell the format of .*notes\.docx: name it \.txt, \.md/) })
    expect(await run('import', 'x', '/no/such/file.md')).toMatchObject({ code: 1, stderr: expect.stringMatching(/^quire: cannot read \/no\/such\/file\.md: ENOENT/) })
  })

  it('merges a document of more than 64 KiB of records as it closes (on the merge thread of the built code) and keeps the text', async () => {
    const file = join(dataDir, '..', `${mode}-long.md`)
    const paragraphs = Array.from({ length: 2000 }, (_, i) => `Paragraph ${i} of a long document.`)
    writeFileSync(file, `${paragraphs.join('\n\n')}\n`)
    expect((await run('import', 'long', file)).code).toBe(0)
    // The second import replaces the text: its records and the first one's, merged, keep both.
    writeFileSync(file, `${[...paragraphs, 'The end.'].join('\n\n')}\n`)
    expect((await run('import', 'long', file)).code).toBe(0)
    const stored = async () => (JSON.parse((await run('ls', '--json')).stdout) as Array<{ name: string; bytes: number; updates: number }>).find((doc) => doc.name === 'long')!
    await until(async () => expect((await stored()).updates).toBe(1), { timeout: 20_000 })
    expect((await stored()).bytes).toBeGreaterThanOrEqual(64 * 1024)
    expect((await run('show', 'long')).stdout).toBe(readFileSync(file, 'utf8'))
  })
})

describe('quire CLI beside a running server', SLOW, () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startServer()
  })
  afterAll(async () => {
    await server.stop()
  })

  it('imports into a document a y-websocket client has open, and the client sees it live', async () => {
    const client = connectClient(server.wsUrl, 'live')
    try {
      await client.synced()
      prosemirrorToYXmlFragment(b.doc(b.p('typed in the editor')), client.doc.getXmlFragment('prosemirror'))
      await until(async () => expect((await quire(['show', 'live', '--data', server.dataDir])).stdout).toBe('typed in the editor\n'))
      expect((await quire(['import', 'live', fixture('md'), '--data', server.dataDir])).code).toBe(0)
      await until(() => expect(toNode(client.doc).eq(sampleDoc)).toBe(true))
    } finally {
      client.destroy()
    }
  })

  it('deletes a document a client has open, closing it with 4404', async () => {
    const client = connectClient(server.wsUrl, 'doomed')
    try {
      await client.synced()
      prosemirrorToYXmlFragment(b.doc(b.p('bye')), client.doc.getXmlFragment('prosemirror'))
      await until(async () => expect((await quire(['ls', '--json', '--data', server.dataDir])).stdout).toContain('"doomed"'))
      const closed = client.closed()
      expect((await quire(['rm', 'doomed', '--data', server.dataDir])).code).toBe(0)
      expect(await closed).toMatchObject({ code: CloseCode.documentDeleted })
    } finally {
      client.destroy()
    }
  })

  it('does not go through another server that now answers at a dead server’s address', async () => {
    const otherDir = tempDataDir()
    expect((await quire(['import', 'other', fixture('txt'), '--data', otherDir])).code).toBe(0)
    const live = JSON.parse(readFileSync(serverFilePath(server.dataDir), 'utf8'))
    // Same address and a live pid (as when a container restarts quire as the same pid), but not the writer.
    writeFileSync(serverFilePath(otherDir), JSON.stringify({ ...live, id: 'the-server-that-died' }))
    const { code, stderr, stdout } = await quire(['ls', '--json', '--verbose', '--data', otherDir])
    expect(code).toBe(0)
    expect(stderr).toContain(`stale server file: the server at ${server.url} is another one`)
    expect(JSON.parse(stdout).map((d: { name: string }) => d.name)).toEqual(['other'])
  })

  it('notices a server that is gone without removing its address, and opens the data dir itself', async () => {
    await server.kill('SIGKILL')
    expect(existsSync(serverFilePath(server.dataDir))).toBe(true)
    const { code, stderr, stdout } = await quire(['ls', '--json', '--verbose', '--data', server.dataDir])
    expect(code).toBe(0)
    expect(stderr).toMatch(/stale server file: pid \d+ is not running/)
    expect(JSON.parse(stdout).map((d: { name: string }) => d.name)).toEqual(['live'])
    await server.restart()
  })
})

describe.each(['stopped', 'running'] as const)('quire compact with the server %s and a document it cannot merge', SLOW, (mode) => {
  let dataDir: string
  let server: TestServer | null = null

  beforeAll(async () => {
    dataDir = tempDataDir()
    const store = await LevelStore.open(storeDir(dataDir))
    await store.append('a-broken', update('fine'))
    await store.append('a-broken', new Uint8Array([0xff, 0xff, 0xff]))
    for (const letter of 'abcd') await store.append('zzz', update(letter))
    await store.close()
    if (mode === 'running') server = await startServer({ dataDir })
  })
  afterAll(async () => {
    await server?.stop()
  })

  it('compacts every other document, names the one it cannot in one line, and exits 1', async () => {
    const { code, stdout, stderr } = await quire(['compact', '--data', dataDir])
    expect({ code, stdout }).toEqual({ code: 1, stdout: 'compacted 1 document\n' })
    expect(lines(stderr)).toEqual([expect.stringMatching(/^quire: document "a-broken": record 2 of 2 is not a valid Yjs update/), 'quire: 1 document could not be compacted'])
    const listed = JSON.parse((await quire(['ls', '--json', '--data', dataDir])).stdout) as Array<{ name: string; updates: number }>
    expect(listed.map(({ name, updates }) => [name, updates])).toEqual([
      ['a-broken', 2],
      ['zzz', 1],
    ])
  })
})

describe('quire CLI without a usable data dir', () => {
  it('exits 1 saying the data dir does not exist', async () => {
    expect(await quire(['ls', '--data', '/no/such/dir'])).toMatchObject({ code: 1, stderr: 'quire: no data dir at /no/such/dir (set it with --data or QUIRE_DATA)\n' })
  })

  it('exits 1 saying what is wrong with a data dir it cannot open', async () => {
    const file = join(tempDataDir(), 'not-a-dir')
    writeFileSync(file, 'x')
    // import, which may start a store where there is none, so the open itself is what fails.
    const { code, stderr } = await quire(['import', 'x', fixture('txt'), '--data', file])
    expect(code).toBe(1)
    expect(lines(stderr)).toHaveLength(1)
    expect(stderr).toMatch(/^quire: cannot open data dir /)
  })

  it('reads the data dir from QUIRE_DATA', async () => {
    expect(await quire(['ls'], { QUIRE_DATA: '/no/such/env-dir' })).toMatchObject({ code: 1, stderr: expect.stringContaining('/no/such/env-dir') })
  })
})

describe('quire with a damaged data dir', SLOW, () => {
  const damagedDataDir = async (options: { journalPosition?: boolean } = {}) => {
    const dataDir = tempDataDir()
    await writeDamagedStore(dataDir, options)
    return dataDir
  }
  // Every open reads the journal position first: the table holding it failing must say the same.
  const damagedTables = [
    ['records', false],
    ['the journal position', true],
  ] as const
  const repairLine = (dataDir: string) =>
    new RegExp(`^quire: the LevelDB store in ${storeDir(dataDir)} is damaged \\(IO error: .*\\.ldb: Invalid argument\\): stop quire, back up the data dir, then run: quire repair --data ${dataDir}\n$`)

  it.each(damagedTables)('says in one line that the data dir is damaged and how to repair it, and exits 1 (a table of %s damaged)', async (_held, journalPosition) => {
    const dataDir = await damagedDataDir({ journalPosition })
    const { code, stdout, stderr } = await quire(['ls', '--data', dataDir])
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' })
    expect(stderr).toMatch(repairLine(dataDir))
  })

  it.each(damagedTables)('does not start a server on it: logs why and exits 1 with the same line (a table of %s damaged)', async (_held, journalPosition) => {
    const dataDir = await damagedDataDir({ journalPosition })
    const { code, stdout, stderr } = await quire(['serve', '--port', '0', '--data', dataDir])
    expect(code).toBe(1)
    expect(stderr).toMatch(repairLine(dataDir))
    expect(lines(stdout).map((line) => JSON.parse(line) as { event: string; error?: string })).toContainEqual(
      expect.objectContaining({ event: 'server.start_failed', error: expect.stringContaining('is damaged') }),
    )
  })

  it('repairs it with quire repair: keeps every readable document, lists what it cannot read, until deleted', async () => {
    const dataDir = await damagedDataDir()
    const lost = join(storeDir(dataDir), 'lost')
    const tableLine = new RegExp(`^cannot read table file ${lost}/\\d+\\.ldb: documents held only there are missing from this report$`)
    const tableProblem = `1 table file could not be read, so documents may be missing: restore the data dir from a backup, or delete ${lost} to accept the loss`
    const repaired = await quire(['repair', '--data', dataDir])
    expect(repaired.code).toBe(1)
    expect(lines(repaired.stdout)).toEqual([
      `repaired ${dataDir}: 2 documents readable, 1 not`,
      'cannot read "victim": lost: its records were in a damaged part of the store',
      expect.stringMatching(tableLine),
    ])
    expect(repaired.stderr).toBe(`quire: 1 document could not be read: restore it from a backup or delete with quire rm; ${tableProblem}\n`)
    expect((await quire(['show', 'kept', '--format', 'text', '--data', dataDir])).stdout).toBe('kept text\n')
    expect((await quire(['show', 'orphan', '--format', 'text', '--data', dataDir])).stdout).toBe('orphan text\n')
    expect((await quire(['rm', 'victim', '--data', dataDir])).code).toBe(0)
    const again = await quire(['repair', '--data', dataDir])
    expect(again.code).toBe(1)
    expect(lines(again.stdout)).toEqual([`repaired ${dataDir}: 2 documents readable, 0 not`, expect.stringMatching(tableLine)])
    expect(again.stderr).toBe(`quire: ${tableProblem}\n`)
    rmSync(lost, { recursive: true })
    expect(await quire(['repair', '--data', dataDir])).toMatchObject({ code: 0, stdout: `repaired ${dataDir}: 2 documents readable, 0 not\n`, stderr: '' })
  })

  it('keeps refusing a document repair could not read, with a server or without, until it is deleted', async () => {
    const dataDir = await damagedDataDir()
    expect((await quire(['repair', '--data', dataDir])).code).toBe(1)
    const refusal = 'document "victim": quire repair could not read it (lost: its records were in a damaged part of the store): restore it from a backup or delete it with quire rm'
    const refused = { code: 1, stdout: '', stderr: `quire: ${refusal}\n` }
    const commands = [
      ['show', 'victim'],
      ['show', 'victim', '--version', '1'],
      ['history', 'victim'],
      ['import', 'victim', fixture('md')],
    ]
    for (const args of commands) expect(await quire([...args, '--data', dataDir])).toEqual(refused)
    expect(JSON.parse((await quire(['ls', '--json', '--data', dataDir])).stdout).map((d: { name: string }) => d.name)).toEqual(['kept', 'orphan'])

    const server = await startServer({ dataDir })
    try {
      for (const args of commands) expect(await quire([...args, '--data', dataDir])).toEqual(refused)
      for (const path of ['', '/content', '/versions']) {
        const res = await fetch(`${server.url}/api/docs/victim${path}`)
        expect({ status: res.status, body: await res.json() }).toEqual({ status: 500, body: { error: refusal } })
      }
      const editor = connectClient(server.wsUrl, 'victim')
      expect(await editor.closed()).toEqual({ code: 1011, reason: 'document could not be opened' })
      editor.destroy()
      expect(await quire(['rm', 'victim', '--data', dataDir])).toMatchObject({ code: 0, stdout: 'deleted "victim"\n' })
      expect(await quire(['import', 'victim', fixture('md'), '--data', dataDir])).toMatchObject({ code: 0 })
    } finally {
      await server.stop()
    }
    expect((await quire(['show', 'victim', '--data', dataDir])).stdout).toBe(expected('md'))
  })

  it('refuses to repair a data dir a server is using', async () => {
    const server = await startServer()
    try {
      const { code, stderr } = await quire(['repair', '--data', server.dataDir])
      expect(code).toBe(1)
      expect(stderr).toBe(`quire: the LevelDB store in ${storeDir(server.dataDir)} is in use by another process: stop it first\n`)
    } finally {
      await server.stop()
    }
  })
})

describe('quire token', () => {
  it('prints a token the server accepts, for the document and access asked for', async () => {
    const { code, stdout } = await quire(['token', 'notes/2024', '--read-only', '--ttl', '1h'], { QUIRE_SECRET: 's3cret' })
    expect(code).toBe(0)
    await expect(verifyToken(stdout.trim(), 'notes/2024', 's3cret')).resolves.toMatchObject({ doc: 'notes/2024', write: false })
  })

  it('exits 1 with a clear line when QUIRE_SECRET is not set', async () => {
    expect(await quire(['token', 'a'])).toMatchObject({ code: 1, stderr: expect.stringMatching(/^quire: QUIRE_SECRET is not set/) })
  })

  it('exits 2 with the usage for a malformed --ttl', async () => {
    const { code, stderr } = await quire(['token', 'a', '--ttl', 'soon'], { QUIRE_SECRET: 's' })
    expect(code).toBe(2)
    expect(stderr).toContain('30s, 15m, 1h, 7d')
  })
})

describe('quire --help', () => {
  it.each(['ls', 'show', 'export', 'import', 'rm', 'mv', 'compact', 'repair', 'token', 'serve'])('explains %s and exits 0', async (command) => {
    const { code, stdout } = await quire([command, '--help'])
    expect(code).toBe(0)
    expect(stdout).toContain(`Usage: quire ${command}`)
  })
})

describe('quire CLI beside a server with QUIRE_SECRET', SLOW, () => {
  const SECRET = 'cli secret'
  let server: TestServer
  beforeAll(async () => {
    server = await startServer({ env: { QUIRE_SECRET: SECRET } })
  })
  afterAll(async () => {
    await server.stop()
  })

  it('signs its requests with the same secret, so guarded commands work', async () => {
    expect((await quire(['import', 'guarded', fixture('txt'), '--data', server.dataDir], { QUIRE_SECRET: SECRET })).code).toBe(0)
    expect((await quire(['show', 'guarded', '--format', 'text', '--data', server.dataDir], { QUIRE_SECRET: SECRET })).stdout).toBe(expected('txt'))
  })

  it('exits 1 saying the server needs a token when it runs without the secret', async () => {
    const { code, stderr } = await quire(['rm', 'guarded', '--data', server.dataDir])
    expect(code).toBe(1)
    expect(stderr).toBe(`quire: missing token; the server at ${server.url} needs a token: run with its QUIRE_SECRET set\n`)
  })
})
