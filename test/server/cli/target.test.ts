import { readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
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
