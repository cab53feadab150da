import express, { type RequestHandler } from 'express'
import { DocsError } from '../docs.js'

/**
 * Reads the JSON object body of a route that takes one (`{"label"}`, `{"to"}`, `{"access"}`), of
 * at most `limit` (`'4kb'`, else 413), into `req.body`, whatever its Content-Type says: a plain
 * `fetch(url, {method: 'POST', body: JSON.stringify(...)})` sends `text/plain`, and a route that
 * parsed only `application/json` saw no body and went on as if none was sent (a version recorded
 * without its label). No body at all reads as `{}`, since every field of these bodies is optional
 * or checked by its route; a body that is not JSON, or JSON but not an object, is a 400.
 */
export function jsonBody(limit: string): RequestHandler {
  // Not strict, so that `"x"` or `5` is refused as what it is (not an object), not as bad JSON.
  const parse = express.json({ type: () => true, limit, strict: false })
  return (req, res, next) => {
    parse(req, res, (error?: unknown) => {
      if (error !== undefined) return next(isParseFailure(error) ? new DocsError('invalid', `the body is not valid JSON: ${error.message}`) : error)
      req.body ??= {}
      const body: unknown = req.body
      next(typeof body === 'object' && body !== null && !Array.isArray(body) ? undefined : new DocsError('invalid', 'the body must be a JSON object'))
    })
  }
}

// body-parser's message for it is JSON.parse's alone ("Unexpected token..."), which does not say what it was about.
function isParseFailure(error: unknown): error is Error {
  return error instanceof Error && (error as { type?: unknown }).type === 'entity.parse.failed'
}
