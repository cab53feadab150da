import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { quire } from '../../helpers/cli.js'
import { startServer, type TestServer, tempDataDir } from '../../helpers/server.js'

const firstLine = (text: string) => text.split('\n')[0]

describe.each(['stopped', 'running'] as const)('quire given a bad value, with the server %s', { timeout: 60_000 }, (mode) => {
  let dataDir: string
  let server: TestServer | null = null
  const run = (...args: string[]) => quire([...args, '--data', dataDir], { QUIRE_SECRET: 'secret' })

  beforeAll(async () => {
    dataDir = tempDataDir()
    if (mode === 'running') server = await startServer({ dataDir, env: { QUIRE_SECRET: 'secret' } })
  })
  afterAll(async () => {
    await server?.stop()
  })

  const badNames = [
    ['show', ''],
    ['export', 'a\u0001b'],
    ['rm', ''],
    ['history', ''],
    ['checkpoint', ''],
    ['diff', '', '1'],
    ['restore', '', '1'],
    ['compact', ''],
    ['import', '', 'notes.md'],
    ['mv', 'notes', ''],
    ['token', ''],
  ]
  it.each(badNames.map((args) => [args[0], args] as const))('refuses an invalid document name for %s with exit 2, one error line and the usage', async (command, args) => {
    const { code, stdout, stderr } = await run(...args)
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' })
    expect(firstLine(stderr)).toMatch(/^error: command-argument value '.*' is invalid for argument '(doc|to)'\. document name (is empty|contains control characters)$/)
    expect(stderr).toContain(`Usage: quire ${command}`)
  })

  it('refuses a version id the same way', async () => {
    const { code, stderr } = await run('diff', 'notes', 'one')
    expect(code).toBe(2)
    expect(firstLine(stderr)).toBe("error: command-argument value 'one' is invalid for argument 'from'. a version id is a positive whole number")
    expect(stderr).toContain('Usage: quire diff')
  })
})

describe('quire serve given a bad value', () => {
  it.each([
    [['--port', 'abc'], "error: option '--port <port>' argument 'abc' is invalid. --port must be a whole number from 0 to 65535, got \"abc\""],
    [['--redis-url', 'notaurl'], "error: option '--redis-url <url>' argument 'notaurl' is invalid. --redis-url must be a redis:// or rediss:// URL, got \"notaurl\""],
  ])('refuses %j with exit 2, one error line and the usage, before starting', async (flags, line) => {
    const { code, stdout, stderr } = await quire(['serve', ...flags, '--data', tempDataDir()])
    expect({ code, stdout, firstLine: firstLine(stderr) }).toEqual({ code: 2, stdout: '', firstLine: line })
    expect(stderr).toContain('Usage: quire serve')
  })

  it('refuses a bad value of an environment variable with exit 2 and the one line naming it', async () => {
    expect(await quire(['serve', '--data', tempDataDir()], { PORT: 'abc' })).toEqual({ code: 2, stdout: '', stderr: 'quire: PORT must be a whole number from 0 to 65535, got "abc"\n' })
  })
})
