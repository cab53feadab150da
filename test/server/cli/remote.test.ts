import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { quire } from '../../helpers/cli.js'
import { startServer, type TestServer } from '../../helpers/server.js'

// Names a URL parser takes for dot-segments (`.`, `..`) or next to one, each with its own text,
// beside the documents a removed dot-segment would lead to instead.
const DOCS = { content: 'the document named content', '.': 'the document named dot', '..': 'the document named dot dot', 'a/..': 'a slash dot dot', a: 'the document named a' }

describe('quire CLI through a running server, with names that are dot-segments', { timeout: 60_000 }, () => {
  let server: TestServer
  const run = (...args: string[]) => quire([...args, '--data', server.dataDir])

  beforeAll(async () => {
    server = await startServer()
    for (const [name, text] of Object.entries(DOCS)) {
      const file = join(server.dataDir, '..', `${encodeURIComponent(name)}.txt`)
      writeFileSync(file, `${text}\n`)
      expect(await run('import', name, file)).toMatchObject({ code: 0 })
    }
  }, 60_000)
  afterAll(async () => {
    await server.stop()
  })

  it('shows each document its own content, never another one’s', async () => {
    for (const [name, text] of Object.entries(DOCS)) {
      expect({ name, ...(await run('show', name, '--format', 'text')) }).toEqual({ name, code: 0, stdout: `${text}\n`, stderr: '' })
    }
  })

  it('lists, versions and deletes `.` and `..` by their own names', async () => {
    expect(JSON.parse((await run('ls', '--json')).stdout).map((d: { name: string }) => d.name)).toEqual(['.', '..', 'a', 'a/..', 'content'])
    expect(await run('checkpoint', '..', '--label', 'dots')).toMatchObject({ code: 0 })
    expect(JSON.parse((await run('history', '..', '--json')).stdout)[0]).toMatchObject({ label: 'dots' })
    expect(JSON.parse((await run('history', 'content', '--json')).stdout).map((v: { label: string | null }) => v.label)).not.toContain('dots')
    expect(await run('rm', '.')).toMatchObject({ code: 0, stdout: 'deleted "."\n' })
    expect(await run('show', '.')).toMatchObject({ code: 1, stderr: expect.stringMatching(/^quire: document "\." was deleted/) })
    expect((await run('show', 'content', '--format', 'text')).stdout).toBe(`${DOCS.content}\n`)
  })
})
