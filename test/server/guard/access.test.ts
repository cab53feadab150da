import { createHmac } from 'node:crypto'
import { SignJWT, UnsecuredJWT } from 'jose'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { AccessError, mintToken, onExpiry, verifyToken } from '../../../server/guard/access.js'
import { CloseCode } from '../../../shared/protocol.js'

const secret = 'correct horse battery staple'
const hour = 3600

/** An HS256 JWT built by hand, as any other service holding `QUIRE_SECRET` could. */
function handMade(payload: object, key = secret): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url')
  const body = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(payload)}`
  return `${body}.${createHmac('sha256', Buffer.from(key, 'utf8')).update(body).digest('base64url')}`
}

async function refusal(promise: Promise<unknown>): Promise<AccessError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(AccessError)
  return error as AccessError
}

describe('access tokens', () => {
  it('grants write on the document a write token names', async () => {
    const token = await mintToken(secret, { doc: 'notes/2024', write: true, ttlSeconds: hour })
    await expect(verifyToken(token, 'notes/2024', secret)).resolves.toMatchObject({ doc: 'notes/2024', write: true })
  })

  it('grants read only for a read token', async () => {
    const token = await mintToken(secret, { doc: 'a', write: false, ttlSeconds: hour })
    await expect(verifyToken(token, 'a', secret)).resolves.toMatchObject({ doc: 'a', write: false })
  })

  it('lets a "*" token open any document', async () => {
    const token = await mintToken(secret, { doc: '*', write: true, ttlSeconds: hour })
    await expect(verifyToken(token, 'anything at all', secret)).resolves.toMatchObject({ doc: '*', write: true })
  })

  it('accepts a token signed elsewhere with the UTF-8 bytes of the secret', async () => {
    const token = handMade({ doc: 'a', access: 'read', exp: Math.floor(Date.now() / 1000) + hour })
    await expect(verifyToken(token, 'a', secret)).resolves.toMatchObject({ doc: 'a', write: false })
  })

  it('refuses a token for another document with 4403', async () => {
    const token = await mintToken(secret, { doc: 'a', write: true, ttlSeconds: hour })
    expect((await refusal(verifyToken(token, 'b', secret))).code).toBe(CloseCode.forbidden)
  })

  it('refuses a missing, expired, forged or malformed token with 4401', async () => {
    const now = Math.floor(Date.now() / 1000)
    // Tokens, not verdicts: each is verified only when awaited, so no rejection goes unhandled.
    const tokens: Array<string | undefined> = [
      undefined,
      '',
      'not.a.jwt',
      await mintToken(secret, { doc: 'a', write: true, ttlSeconds: -60 }),
      await mintToken('another secret', { doc: 'a', write: true, ttlSeconds: hour }),
      new UnsecuredJWT({ doc: 'a', access: 'write' }).setExpirationTime('1h').encode(),
      handMade({ doc: 'a', access: 'write' }),
      handMade({ doc: 'a', access: 'admin', exp: now + hour }),
      handMade({ access: 'write', exp: now + hour }),
    ]
    for (const token of tokens) expect((await refusal(verifyToken(token, 'a', secret))).code).toBe(CloseCode.unauthorized)
  })

  it('says whether a refused token had expired', async () => {
    const token = await new SignJWT({ doc: 'a', access: 'write' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(new TextEncoder().encode(secret))
    expect((await refusal(verifyToken(token, 'a', secret))).message).toBe('expired token')
  })
})

describe('token expiry', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('says when a token expires, from its exp claim', async () => {
    const exp = Math.floor(Date.now() / 1000) + hour
    const token = handMade({ doc: 'a', access: 'read', exp })
    expect((await verifyToken(token, 'a', secret)).expiresAt).toBe(exp * 1000)
  })

  it('calls back once the expiry has passed, also beyond setTimeout’s 24.8-day range', () => {
    vi.useFakeTimers({ now: 0 })
    const expired: number[] = []
    onExpiry(40 * 24 * 3600 * 1000, () => expired.push(Date.now()))
    vi.advanceTimersByTime(30 * 24 * 3600 * 1000)
    expect(expired).toEqual([])
    vi.advanceTimersByTime(10 * 24 * 3600 * 1000)
    expect(expired).toEqual([40 * 24 * 3600 * 1000])
  })

  it('calls back at once for a time already past, and never once cancelled', () => {
    vi.useFakeTimers({ now: 1000 })
    const calls: string[] = []
    onExpiry(500, () => calls.push('past'))
    const cancel = onExpiry(2000, () => calls.push('cancelled'))
    cancel()
    vi.advanceTimersByTime(5000)
    expect(calls).toEqual(['past'])
  })
})
