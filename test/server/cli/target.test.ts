import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { quire } from '../../helpers/cli.js'
import { startServer, type TestServer } from '../../helpers/server.js'

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
