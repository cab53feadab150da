import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { DEFAULTS } from '../../../../shared/defaults.js'
import { quire } from '../../../helpers/cli.js'
import { startServer, type TestServer, tempDataDir } from '../../../helpers/server.js'

const SLOW = { timeout: 60_000 }

/** A Markdown file of `bytes` bytes, one long paragraph. */
function fileOf(bytes: number): string {
  const file = join(tempDataDir(), `${bytes}.md`)
  writeFileSync(file, 'a'.repeat(bytes))
  return file
}

const tooLarge = (limit: number) => `quire: the import is larger than the limit of ${limit} bytes (--max-import-bytes or QUIRE_MAX_IMPORT_BYTES)\n`

describe.each(['stopped', 'running'] as const)('quire import over the size limit, with the server %s', SLOW, (mode) => {
  const servers: TestServer[] = []
  /** A data dir with one document, served when the server runs, with `env` for server and CLI alike. */
  const dataDirWith = async (env: Record<string, string>) => {
    const dataDir = tempDataDir()
    expect((await quire(['import', 'kept', fileOf(10), '--data', dataDir], env)).code).toBe(0)
    if (mode === 'running') servers.push(await startServer({ dataDir, env }))
    return dataDir
  }
  afterAll(async () => {
    for (const server of servers) await server.stop()
  })

  it('refuses a file over the default 8 MiB in one line naming the limit and its setting, and writes nothing', async () => {
    const dataDir = await dataDirWith({})
    expect(await quire(['import', 'big', fileOf(DEFAULTS.maxImportBytes + 1), '--data', dataDir])).toEqual({ code: 1, stdout: '', stderr: tooLarge(DEFAULTS.maxImportBytes) })
    expect(JSON.parse((await quire(['ls', '--json', '--data', dataDir])).stdout).map((d: { name: string }) => d.name)).toEqual(['kept'])
  })

  it('keeps to QUIRE_MAX_IMPORT_BYTES, and takes a file of exactly that size', async () => {
    const env = { QUIRE_MAX_IMPORT_BYTES: '2048' }
    const dataDir = await dataDirWith(env)
    expect(await quire(['import', 'big', fileOf(2049), '--data', dataDir], env)).toEqual({ code: 1, stdout: '', stderr: tooLarge(2048) })
    expect((await quire(['import', 'big', fileOf(2048), '--data', dataDir], env)).code).toBe(0)
  })
})

describe('quire import --max-import-bytes without a server', SLOW, () => {
  it('raises the limit for that import', async () => {
    const dataDir = tempDataDir()
    expect(await quire(['import', 'big', fileOf(DEFAULTS.maxImportBytes + 1), '--max-import-bytes', String(2 * DEFAULTS.maxImportBytes), '--data', dataDir])).toMatchObject({ code: 0 })
  })
})

describe('quire import of malformed JSON', () => {
  it('exits 1 with one line that does not echo the file', async () => {
    const file = join(tempDataDir(), 'malformed.json')
    writeFileSync(file, '{\n"type":\n"doc",\n"content":\n[\n}\n')
    expect(await quire(['import', 'mj', file, '--data', tempDataDir()])).toEqual({ code: 1, stdout: '', stderr: "quire: not a quire JSON document: unexpected token '}'\n" })
  })
})

describe('quire import of JSON that breaks the schema', () => {
  it.each([
    ['a list item directly in the doc', '{"type":"doc","content":[{"type":"list_item","content":[{"type":"paragraph"}]}]}', 'Invalid content for node doc: <list_item(paragraph)>'],
    ['a heading of level 9', '{"type":"doc","content":[{"type":"heading","attrs":{"level":9},"content":[{"type":"text","text":"x"}]}]}', 'heading level 9 is not a whole number from 1 to 6'],
  ])('refuses %s in one line and writes nothing', async (_, json, problem) => {
    const dataDir = tempDataDir()
    expect((await quire(['import', 'kept', fileOf(10), '--data', dataDir])).code).toBe(0)
    const file = join(tempDataDir(), 'bad.json')
    writeFileSync(file, json)
    expect(await quire(['import', 'bad', file, '--data', dataDir])).toEqual({ code: 1, stdout: '', stderr: `quire: not a quire JSON document: ${problem}\n` })
    expect(JSON.parse((await quire(['ls', '--json', '--data', dataDir])).stdout).map((d: { name: string }) => d.name)).toEqual(['kept'])
  })
})
