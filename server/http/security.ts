import type { RequestHandler } from 'express'
import { isHostAllowed, isLoopbackHostname, isOriginAllowed } from '../guard/origin.js'
import { hostRefusal, originRefusal } from './refusals.js'

/**
 * Content-Security-Policy of the app pages (`/`, `/d/<doc>`): scripts, styles and connections only
 * from quire itself (`connect-src 'self'` covers its WebSocket), images from anywhere a document
 * may link them (http(s); the schema refuses other schemes), inline styles for remote carets'
 * colours, and no framing by any site, so a page elsewhere cannot overlay or clickjack the editor.
 */
export const APP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: https: http:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ')

/**
 * Content-Security-Policy of everything else quire answers (JSON, exports, events): nothing in it
 * may run or load, even an HTML export opened straight from the API.
 */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'; sandbox"

/** Headers every response carries; app pages replace the CSP with `APP_CSP`. */
export const securityHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader('Content-Security-Policy', API_CSP)
  res.setHeader('X-Content-Type-Options', 'nosniff')
  res.setHeader('X-Frame-Options', 'DENY')
  res.setHeader('Referrer-Policy', 'no-referrer')
  next()
}

/**
 * The DNS-rebinding defence of a server bound to `boundHost`: when that is a loopback address,
 * requests for any other Host get 421 (this server does not answer for that name). A server bound
 * to another interface is reached by whatever names its operator gave it, and lets all through.
 */
export function hostGuard(boundHost: string): RequestHandler {
  const loopback = isLoopbackHostname(boundHost)
  return (req, _res, next) => {
    next(!loopback || isHostAllowed(req.headers.host) ? undefined : hostRefusal())
  }
}

/**
 * Refuses API requests that change something (any method but GET and HEAD) from a web page of an
 * origin that may not connect (403), the same rule as WebSocket upgrades: a page on another site
 * cannot import into, compact or delete documents through the user's browser.
 */
export function originGuard(allowedOrigins: readonly string[]): RequestHandler {
  return (req, _res, next) => {
    const safe = req.method === 'GET' || req.method === 'HEAD' || isOriginAllowed(req.headers.origin, allowedOrigins, req.headers.host)
    next(safe ? undefined : originRefusal())
  }
}
