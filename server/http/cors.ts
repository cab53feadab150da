import type { RequestHandler } from 'express'
import { isOriginAllowed } from '../guard/origin.js'

/** The methods the API has, all of which a page of an allowed origin may call. */
const CORS_METHODS = 'GET, HEAD, PUT, POST, DELETE'

/**
 * The request headers such a page may send: its token (`Authorization`), the type of a body that
 * is not a simple one (`Content-Type: application/json`), and the `Last-Event-ID` an event stream
 * sends when it reconnects.
 */
const CORS_HEADERS = 'Authorization, Content-Type, Last-Event-ID'

/**
 * CORS for every `/api` route, preflights included: a page of an origin that may open a WebSocket
 * to quire (`isOriginAllowed`: `--allowed-origins`, else the server's own and loopback origins)
 * may read and edit documents over the API as well, as an editor embedded on another site does
 * (its History panel, imports, the document list), so its answers, errors included, name that
 * origin. A page of any other origin gets no CORS headers, so its browser shows it nothing, and
 * its preflights and changes are refused by the origin guard after this. The token still decides
 * what a request may do: no cookies are involved, so credentials are never allowed.
 */
export function apiCors(allowedOrigins: readonly string[]): RequestHandler {
  return (req, res, next) => {
    // Answers differ by Origin, so a cache must not hand one origin's answer to another.
    res.vary('Origin')
    const { origin } = req.headers
    if (origin === undefined || !isOriginAllowed(origin, allowedOrigins, req.headers.host)) return next()
    res.setHeader('Access-Control-Allow-Origin', origin)
    if (req.method !== 'OPTIONS' || req.headers['access-control-request-method'] === undefined) return next()
    res.setHeader('Access-Control-Allow-Methods', CORS_METHODS)
    res.setHeader('Access-Control-Allow-Headers', CORS_HEADERS)
    res.setHeader('Access-Control-Max-Age', '600')
    res.status(204).end()
  }
}
