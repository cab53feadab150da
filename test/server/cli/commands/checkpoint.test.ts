import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { VersionInfo } from '../../../../shared/versions.js'
import { quire } from '../../../helpers/cli.js'
import { startServer, type TestServer, tempDataDir } from '../../../helpers/server.js'

describe.each(['stopped', 'running'] as const)('quire checkpoint --label, with the server %s', { timeout: 60_000 }, (mode) => {
  let dataDir: string
  let server: TestServer | null = null
  const run = (...args: string[]) => quire([...args, '--data', dataDir])
  const labels = async () => (JSON.parse((await run('history', 'notes', '--json')).stdout) as VersionInfo[]).map((v) => v.label)

  beforeAll(async () => {
    dataDir = tempDataDir()
    const file = join(dataDir, '..', 'notes.txt')
    writeFileSync(file, 'notes\n')
    expect((await quire(['import', 'notes', file, '--data', dataDir])).code).toBe(0)
    if (mode === 'running') server = await startServer({ dataDir })
  }, 60_000)
  afterAll(async () => {
    await server?.stop()
  })

  it('refuses a label of two lines with exit 2, one error line and the usage, recording nothing', async () => {
    const before = await labels()
    const { code, stderr } = await run('checkpoint', 'notes', '--label', 'a\nb')
    expect(code).toBe(2)
    expect(stderr.split('\n')[0]).toBe("error: option '--label <text>' argument 'a\\nb' is invalid. a version label is one line, without line breaks, tabs or other control characters")
    expect(stderr).toContain('Usage: quire checkpoint')
    expect(await labels()).toEqual(before)
  })

  it('refuses a label of 100 KB the same way', async () => {
    const { code, stderr } = await run('checkpoint', 'notes', '--label', 'x'.repeat(100_000))
    expect(code).toBe(2)
    expect(stderr).toContain('a version label is at most 200 characters; this one has 100000')
  })

  it('trims a label, and takes one of 200 characters', async () => {
    expect((await run('checkpoint', 'notes', '--label', '  Draft  ')).code).toBe(0)
    expect((await run('checkpoint', 'notes', '--label', 'y'.repeat(200))).code).toBe(0)
    expect((await labels()).slice(0, 2)).toEqual(['y'.repeat(200), 'Draft'])
  })
})
