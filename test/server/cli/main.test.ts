import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ClosedOutput, quire } from '../../helpers/cli.js'
import { startServer, type TestServer, tempDataDir } from '../../helpers/server.js'

describe.each(['stopped', 'running'] as const)('quire writing to a closed standard output, with the server %s', { timeout: 60_000 }, (mode) => {
  let dataDir: string
  let server: TestServer | null = null
  const run = (args: string[], closed: ClosedOutput = 'at-once') => quire([...args, '--data', dataDir], { QUIRE_SECRET: 'secret' }, { closeOutput: closed })

  beforeAll(async () => {
    dataDir = tempDataDir()
    // About 1 MiB of text: far more than a pipe holds, so `| head -1` leaves most of it unwritten.
    const file = join(dataDir, '..', 'huge.md')
    writeFileSync(file, Array.from({ length: 20_000 }, (_, i) => `Paragraph ${i} of a document too long for one pipe.`).join('\n\n'))
    expect((await quire(['import', 'huge', file, '--data', dataDir])).code).toBe(0)
    writeFileSync(join(dataDir, '..', 'small.md'), 'A few words.\n')
    expect((await quire(['import', 'small', join(dataDir, '..', 'small.md'), '--data', dataDir])).code).toBe(0)
    expect((await quire(['checkpoint', 'small', '--data', dataDir])).code).toBe(0)
    if (mode === 'running') server = await startServer({ dataDir })
  }, 60_000)
  afterAll(async () => {
    await server?.stop()
  })

  it('ends `show | head -1` quietly, with the status of a tool ended by SIGPIPE', async () => {
    const { code, stdout, stderr } = await run(['show', 'huge'], 'after-first-chunk')
    expect(stdout).toMatch(/^Paragraph 0 of/)
    expect({ code, stderr }).toEqual({ code: 141, stderr: '' })
  })

  const commands = [
    ['ls'],
    ['ls', '--json'],
    ['show', 'small'],
    ['export', 'small', '--format', 'html'],
    ['history', 'small'],
    ['diff', 'small', '1'],
    ['checkpoint', 'small'],
    ['compact', 'small'],
    ['token', 'small'],
  ]
  it.each(commands.map((args) => [args.join(' '), args] as const))('ends `quire %s` quietly when nothing reads its output', async (_, args) => {
    expect(await run([...args])).toEqual({ code: 141, stdout: '', stderr: '' })
  })
})

describe('quire serve with a Redis it cannot use', () => {
  it('refuses a REDIS_URL that is not a redis:// URL before starting, in one line', async () => {
    expect(await quire(['serve', '--port', '0', '--data', tempDataDir()], { REDIS_URL: 'notaurl' })).toEqual({
      code: 2,
      stdout: '',
      stderr: 'quire: REDIS_URL must be a redis:// or rediss:// URL, got "notaurl"\n',
    })
  })

  it('says in one line why it cannot reach Redis, with no stack trace, and exits 1', async () => {
    const { code, stderr } = await quire(['serve', '--port', '0', '--redis-url', 'redis://127.0.0.1:1', '--data', tempDataDir()])
    expect({ code, stderr }).toEqual({ code: 1, stderr: 'quire: cannot connect to Redis at redis://127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1\n' })
  })
})
