import { describe, expect, it } from 'vitest'
import { verifyToken } from '../../../../server/guard/access.js'
import { quire } from '../../../helpers/cli.js'
import { tempDataDir } from '../../../helpers/server.js'

describe('quire token', () => {
  it('takes --data as every command does, and signs the same token with it', async () => {
    const { code, stdout, stderr } = await quire(['token', 'notes', '--data', tempDataDir()], { QUIRE_SECRET: 's3cret' })
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' })
    await expect(verifyToken(stdout.trim(), 'notes', 's3cret')).resolves.toMatchObject({ doc: 'notes', write: true })
  })
})
