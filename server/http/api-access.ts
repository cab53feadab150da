import type { NextFunction, Request, RequestHandler, Response } from 'express'
import { CloseCode } from '../../shared/protocol.js'
import { AccessError, ANY_DOC, verifyToken } from '../guard/access.js'

/**
 * Route guard for the per-document API (content, events, import, delete, compact) when the server
 * has a secret: the same tokens as WebSocket connections, from `Authorization: Bearer <token>` or
 * `?token=` (an `EventSource` cannot set headers). Reading needs any valid token for the document,
 * changing it a write token. Without a secret it lets everything through, as the WebSocket gate
 * does. Refusals reach the API's error mapping as `AccessError`s. The token's expiry is left in
 * `res.locals.expiresAt` (ms since the epoch) for routes whose response outlives the request.
 * `docOf` names the document a request is about: the `:name` in its path unless said otherwise.
 */
export function requireAccess(secret: string | null, need: 'read' | 'write', docOf: (req: Request) => string = (req) => String(req.params.name)): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (secret === null) return next()
    const bearer = /^Bearer (.+)$/i.exec(req.get('authorization') ?? '')?.[1]
    const query = typeof req.query.token === 'string' ? req.query.token : undefined
    verifyToken(bearer ?? query, docOf(req), secret).then((access) => {
      if (need === 'write' && !access.write) return next(new AccessError(CloseCode.forbidden, 'this token is read-only'))
      // What stays open past this request (an event stream) ends when the token does.
      res.locals.expiresAt = access.expiresAt
      next()
    }, next)
  }
}

/**
 * Route guard for what tells about all documents at once (the list, `/metrics`, `/api/server`)
 * under `--private-listing`: it needs a token for every document (`"doc": "*"`), read-only will
 * do. Without `--private-listing` these stay open, for the app's list page.
 */
export function requireListingAccess(secret: string | null, privateListing: boolean): RequestHandler {
  return privateListing ? requireAccess(secret, 'read', () => ANY_DOC) : (_req, _res, next) => next()
}

/** The HTTP status of a refused token: 401 when it is missing, invalid or expired, 403 when it does not reach far enough. */
export function accessStatus(error: AccessError): 401 | 403 {
  return error.code === CloseCode.unauthorized ? 401 : 403
}
