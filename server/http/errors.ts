import type { ErrorRequestHandler } from 'express'
import { DocsError, type DocsErrorKind } from '../docs.js'
import { AccessError } from '../guard/access.js'
import type { Logger } from '../log.js'
import { StoreError } from '../store/store.js'
import type { SyncEvents } from '../sync/events.js'
import { accessStatus } from './api-access.js'
import { errorPage } from './error-page.js'
import { HttpError } from './http-error.js'

const STATUS: Record<DocsErrorKind, number> = { 'not-found': 404, deleted: 404, conflict: 409, invalid: 400, 'too-large': 413, denied: 403, busy: 503, failed: 500 }

/** What an error answers, and the problem kind it is counted and logged under if it is a refusal. */
interface Answer {
  status: number
  message: string
  problem: string | null
  /** A deleted document says when, so a page can tell "deleted" from "never existed" and say so. */
  extra?: { deletedAt: string; renamedTo?: string }
}

type ExpressError = Error & { status?: number; expose?: boolean }

/**
 * Messages of quire's own errors are meant for users and are sent; anything unexpected is a 500
 * with a generic message. Refusals (a guard's `HttpError`, a refused token, a body or document
 * over a limit) name their problem kind.
 */
function answerOf(error: ExpressError): Answer {
  if (error instanceof HttpError) return { status: error.status, message: error.message, problem: error.problem }
  if (error instanceof AccessError) return { status: accessStatus(error), message: error.message, problem: 'access' }
  if (error instanceof DocsError) {
    const extra = error.deletedAt === null ? undefined : { deletedAt: error.deletedAt, ...(error.renamedTo === null ? {} : { renamedTo: error.renamedTo }) }
    return { status: STATUS[error.kind], message: error.message, problem: error.kind === 'too-large' ? 'too-large' : null, extra }
  }
  if (error instanceof StoreError) return { status: error.kind === 'unavailable' ? 503 : error.kind === 'deleted' ? 409 : 500, message: error.message, problem: null }
  // express's router could not percent-decode the name in the path (`%ZZ`, bytes that are not UTF-8).
  if (error instanceof URIError) return { status: 400, message: 'document name has an undecodable % escape', problem: null }
  // http-errors of express's body parsers and file sending: a body over its route's limit (413), a charset it cannot read (415)...
  if (error.expose && typeof error.status === 'number') return { status: error.status, message: error.message, problem: error.status === 413 ? 'too-large' : null }
  return { status: 500, message: 'internal error', problem: null }
}

/**
 * The one place where the HTTP side turns errors into answers: `{"error": "<message>"}` with its
 * status, or, for a browser navigating to an app address, an HTML page. A refusal is reported as
 * a `problem` (counted in `quire_errors_total{kind}`, logged once per kind and 10 s), as the
 * WebSocket side reports its own; anything else at 500 or over that is not a refusal is logged as
 * an error to look into. Query strings stay out of what is reported: they may hold a token.
 */
export function errorAnswers(log: Logger, events: SyncEvents): ErrorRequestHandler {
  return (error: ExpressError, req, res, _next) => {
    const { status, message, problem, extra } = answerOf(error)
    if (problem !== null) events.emit('problem', { kind: problem, message: `${message} (${req.method} ${req.path} from ${req.socket.remoteAddress})` })
    else if (status >= 500) log.error('http.error', { method: req.method, path: req.path, error: error.message })
    if (!/^\/api(\/|$)/.test(req.path) && req.accepts(['json', 'html']) === 'html') {
      const why = error instanceof URIError ? 'This address is broken: it has a % escape that does not decode to text.' : message
      res.status(status).type('html').send(errorPage(status, why))
      return
    }
    res.status(status).json({ error: message, ...extra })
  }
}
