import type { NextFunction, Request, RequestHandler, Response } from 'express'
import { CloseCode } from '../../shared/protocol.js'
import { AccessError, verifyToken } from '../guard/access.js'

/**
 * Route guard for the per-document API (content, events, import, delete, compact) when the server
 * has a secret: the same tokens as WebSocket connections, from `Authorization: Bearer <token>` or
 * `?token=` (an `EventSource` cannot set headers). Reading needs any valid token for the document,
 * changing it a write token. Without a secret it lets everything through, as the WebSocket gate
 * does. Refusals reach the API's error mapping as `AccessError`s. The token's expiry is left in
 * `res.locals.expiresAt` (ms since the epoch) for routes whose response outlives the request.
 */
export function requireAccess(secret: string | null, need: 'read' | 'write'): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (secret === null) return next()
    const bearer = /^Bearer (.+)$/i.exec(req.get('authorization') ?? '')?.[1]
    const query = typeof req.query.token === 'string' ? req.query.token : undefined
    verifyToken(bearer ?? query, String(req.params.name), secret).then((access) => {
      if (need === 'write' && !access.write) return next(new AccessError(CloseCode.forbidden, 'this token is read-only'))
      // What stays open past this request (an event stream) ends when the token does.
      res.locals.expiresAt = access.expiresAt
      next()
    }, next)
  }
}

