import { readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Level } from 'level'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LOCK_WAIT_MS } from '../../../server/cli/target.js'
import { storeDir } from '../../../server/store/open.js'
import { quire } from '../../helpers/cli.js'
import { startServer, type TestServer, tempDataDir } from '../../helpers/server.js'

const SLOW = { timeout: 60_000 }

describe('quire CLI beside a server with --secret and --private-listing', SLOW, () => {
  const SECRET = 'listing secret'
  let server: TestServer
  beforeAll(async () => {
    server = await startServer({ env: { QUIRE_SECRET: SECRET }, args: ['--private-listing'] })
  })
  afterAll(async () => {
    await server.stop()
  })

  it('exits 1 saying the server needs a token when it runs without the secret', async () => {
    for (const args of [['ls'], ['show', 'guarded']]) {
      expect(await quire([...args, '--data', server.dataDir])).toEqual({
        code: 1,
        stdout: '',
        stderr: `quire: missing token; the server at ${server.url} needs a token: run with its QUIRE_SECRET set\n`,
      })
    }
  })

  it('goes through the server when it has the secret', async () => {
    const { code, stderr } = await quire(['ls', '--verbose', '--data', server.dataDir], { QUIRE_SECRET: SECRET })
    expect(code).toBe(0)
    expect(stderr).toContain(`using the server at ${server.url}`)
  })
})

describe('quire CLI given a directory that holds no quire data', SLOW, () => {
  const READERS = [['ls'], ['show', 'notes'], ['export', 'notes'], ['history', 'notes'], ['diff', 'notes', '1'], ['compact'], ['rm', 'notes']]

  it.each([
    ['an empty directory', async () => tempDataDir()],
    [
      'the store inside a data dir (a typo: --data d1/docs)',
      async () => {
        const dataDir = tempDataDir()
        const file = join(dataDir, '..', 'notes.txt')
        writeFileSync(file, 'notes\n')
        expect((await quire(['import', 'notes', file, '--data', dataDir])).code).toBe(0)
        return storeDir(dataDir)
      },
    ],
  ])('refuses %s in one line for every command that only reads, and writes nothing into it', async (_, make) => {
    const dir = await make()
    const before = readdirSync(dir)
    for (const args of READERS) {
      expect({ args, ...(await quire([...args, '--data', dir])) }).toEqual({ args, code: 1, stdout: '', stderr: `quire: ${dir} holds no quire data (set the data dir with --data or QUIRE_DATA)\n` })
    }
    expect(readdirSync(dir)).toEqual(before)
  })

  it('lets import start a store in an empty directory', async () => {
    const dir = tempDataDir()
    const file = join(dir, '..', 'first.txt')
    writeFileSync(file, 'first words\n')
    expect((await quire(['import', 'first', file, '--data', dir])).code).toBe(0)
    expect(await quire(['show', 'first', '--format', 'text', '--data', dir])).toEqual({ code: 0, stdout: 'first words\n', stderr: '' })
  })
})

describe('quire CLI while another process has the data dir open', SLOW, () => {
  let dataDir: string
  beforeAll(async () => {
    dataDir = tempDataDir()
    const file = join(dataDir, '..', 'notes.txt')
    writeFileSync(file, 'notes\n')
    expect((await quire(['import', 'notes', file, '--data', dataDir])).code).toBe(0)
  }, SLOW.timeout)
  /** Opens the store as another quire command would, holding its lock until closed. */
  const hold = async () => {
    const db = new Level(storeDir(dataDir))
    await db.open()
    return db
  }

  it('waits for it to let go, then runs', async () => {
    const held = await hold()
    let released: Promise<void> | null = null
    const onStderr = (text: string) => {
      // Let go only once the command has found the store held and said it waits.
      if (released === null && text.includes('in use by another process; waiting up to 10 s')) released = held.close()
    }
    const run = await quire(['show', 'notes', '--format', 'text', '--verbose', '--data', dataDir], {}, { onStderr })
    expect(released).not.toBeNull()
    await released
    expect(run).toMatchObject({ code: 0, stdout: 'notes\n' })
  })

  it(`gives up after ${LOCK_WAIT_MS / 1000} s with one line`, async () => {
    const held = await hold()
    try {
      const started = Date.now()
      expect(await quire(['show', 'notes', '--data', dataDir])).toEqual({
        code: 1,
        stdout: '',
        stderr: `quire: data dir ${storeDir(dataDir)} is in use by another process (waited 10 s for it)\n`,
      })
      expect(Date.now() - started).toBeGreaterThanOrEqual(LOCK_WAIT_MS)
    } finally {
      await held.close()
    }
  })

  it('runs commands started together one after another, each to its end', async () => {
    const runs = await Promise.all([1, 2, 3, 4].map(() => quire(['show', 'notes', '--format', 'text', '--data', dataDir])))
    expect(runs).toEqual(Array(4).fill({ code: 0, stdout: 'notes\n', stderr: '' }))
  })
})
