import { CloseCode } from '../../shared/protocol.js'

/** What a verified token lets its holder do: which document (`'*'` for all) and whether it may write. */
export interface Access {
  doc: string
  write: boolean
  /** When the token expires (ms since the epoch): what it opened is closed then. */
  expiresAt: number
}

/** The claim value that grants every document. */
export const ANY_DOC = '*'

/**
 * A token refused, with the close code the connection gets (CONTRACT "Access control"): 4401 when
 * it is missing, invalid or expired, 4403 when it is valid but for another document.
 */
export class AccessError extends Error {
  override name = 'AccessError'
  constructor(
    readonly code: typeof CloseCode.unauthorized | typeof CloseCode.forbidden,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

const ALG = 'HS256'

/** jose, loaded with the first token: a server without `QUIRE_SECRET` never needs it. */
const jose = () => import('jose')

function keyOf(secret: string): Uint8Array {
  return new TextEncoder().encode(secret)
}

/**
 * A signed token for `doc` (or `'*'`), read-only or read-write, valid for `ttlSeconds`. Signed with
 * the UTF-8 bytes of `secret`, so any HS256 JWT library holding `QUIRE_SECRET` can mint the same.
 */
export async function mintToken(secret: string, grant: { doc: string; write: boolean; ttlSeconds: number }): Promise<string> {
  const { SignJWT } = await jose()
  return new SignJWT({ doc: grant.doc, access: grant.write ? 'write' : 'read' })
    .setProtectedHeader({ alg: ALG })
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + grant.ttlSeconds)
    .sign(keyOf(secret))
}

/**
 * What `token` grants on document `docName`, or an `AccessError` (never another error) that says
 * why not. Only HS256 is accepted (no `alg: none` or key confusion), and `exp` is required so a
 * leaked token cannot live forever.
 */
export async function verifyToken(token: string | null | undefined, docName: string, secret: string): Promise<Access> {
  if (!token) throw new AccessError(CloseCode.unauthorized, 'missing token')
  const { errors, jwtVerify } = await jose()
  let payload: Record<string, unknown>
  try {
    ;({ payload } = await jwtVerify(token, keyOf(secret), { algorithms: [ALG], requiredClaims: ['exp'] }))
  } catch (error) {
    const why = error instanceof errors.JWTExpired ? 'expired token' : 'invalid token'
    throw new AccessError(CloseCode.unauthorized, why, { cause: error })
  }
  const { doc, access, exp } = payload
  if (typeof doc !== 'string' || (access !== 'read' && access !== 'write')) {
    throw new AccessError(CloseCode.unauthorized, 'invalid token: needs string "doc" and "access" of "read" or "write"')
  }
  if (doc !== ANY_DOC && doc !== docName) throw new AccessError(CloseCode.forbidden, 'token is for another document')
  // jose has checked that `exp` is a number in the future.
  return { doc, write: access === 'write', expiresAt: (exp as number) * 1000 }
}

// setTimeout takes at most 2^31-1 ms (24.8 days); a longer delay would fire at once.
const MAX_TIMEOUT_MS = 2 ** 31 - 1

/**
 * Calls `expire` once the time `expiresAt` (ms since the epoch) has passed, so that a connection
 * or event stream opened with a token ends with it. Returns a function that cancels the timer.
 * The timer does not keep the process alive.
 */
export function onExpiry(expiresAt: number, expire: () => void): () => void {
  let timer: NodeJS.Timeout
  const arm = () => {
    const delay = expiresAt - Date.now()
    if (delay <= 0) return expire()
    timer = setTimeout(arm, Math.min(delay, MAX_TIMEOUT_MS))
    timer.unref()
  }
  arm()
  return () => clearTimeout(timer)
}
