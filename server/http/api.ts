import express, { type Request, type RequestHandler, type Router } from 'express'
import { DEFAULT_FORMAT, FORMAT_FILES, FORMAT_NAMES, type FormatName, isFormatName } from '../../shared/content/catalog.js'
import { docNameProblem, docNameToSegment } from '../../shared/doc-name.js'
import { type Docs, DocsError, importTooLarge } from '../docs.js'
import { mintToken } from '../guard/access.js'
import type { Logger } from '../log.js'
import { readServerFile } from '../server-file.js'
import { requireAccess, requireListingAccess } from './api-access.js'
import type { EventStreams } from './events.js'
import { HttpError } from './http-error.js'
import { jsonBody } from './json-body.js'
import type { ListEvents } from './list-events.js'
import { refuseOtherMethods } from './methods.js'
import { versionRoutes } from './versions.js'

/**
 * Imports that may be under way at the same time, counted from when their bodies have arrived;
 * more get 503. They are parsed one at a time anyway (`WorkerImporter`), and each holds its body in
 * memory while it waits, so a queue beyond this only costs memory.
 */
export const MAX_PENDING_IMPORTS = 4

/** How long a view-only link minted by `POST /api/docs/<doc>/share` works: `quire token`'s default. */
export const SHARE_TTL_SECONDS = 86_400

/** What the document API is built on. */
export interface ApiDeps {
  docs: Docs
  streams: EventStreams
  /** The document list's live stream (`GET /api/events`). */
  listStreams: ListEvents
  /** The access-token secret; `null` leaves the API open, as it leaves WebSockets open. */
  secret: string | null
  log: Logger
  /** The data dir, whose server file `GET /api/server` returns. */
  dataDir: string
  /** Largest import body; bigger ones get 413 before they are read to the end. */
  maxImportBytes: number
  /** `--private-listing`: the list, metadata and `/api/server` need a token like the content. */
  privateListing: boolean
}

/** The document a `/api/docs/:name…` route is about (express has already percent-decoded it). */
function docOf(req: Request): string {
  return String(req.params.name)
}

/** The new name of a rename (`{"to": "<name>"}`), checked as every document name in a path is. */
function renameTarget(req: Request): string {
  const to = (req.body as { to?: unknown }).to
  if (typeof to !== 'string') throw new DocsError('invalid', 'send the new name as {"to": "<name>"}')
  const problem = docNameProblem(to)
  if (problem !== null) throw new DocsError('invalid', `new name: ${problem}`)
  return to
}

function formatOf(req: Request): FormatName {
  const format = req.query.format ?? DEFAULT_FORMAT
  if (typeof format !== 'string' || !isFormatName(format)) {
    throw new DocsError('invalid', `unknown format ${JSON.stringify(format)}; use one of ${FORMAT_NAMES.join(', ')}`)
  }
  return format
}

/**
 * `/api/docs…`: thin adapters from HTTP to `Docs`. Document names are one percent-encoded path
 * segment (`/api/docs/notes%2F2024`), which express decodes into `req.params.name`.
 *
 * - `GET /api/docs`, `GET /api/docs/<doc>`: metadata (`[{name, bytes, updates, updatedAt, clients}]`);
 *   a deleted document answers 404 like an unknown one (the contract's promise to API clients),
 *   with `deletedAt` (and `renamedTo`) in the body, here and on every route below
 * - `GET /api/docs/<doc>/state`: `{exists, deletedAt, renamedTo}`, always 200, for the document page
 * - `GET /api/docs/<doc>/content?format=`: the rendered document
 * - `PUT /api/docs/<doc>/content?format=`: replace its content with the body (an import)
 * - `DELETE /api/docs/<doc>`: delete it, closing its connections with 4404
 * - `POST /api/docs/<doc>/rename` `{"to": "<name>"}`: rename it, history included (409 if `to` exists)
 * - `POST /api/docs/<doc>/compact`: merge its stored records
 * - `POST /api/docs/<doc>/share` `{"access":"read"}`: a view-only token and link, for a write token's holder
 * - `GET /api/docs/<doc>/events`: Server-Sent Events (see `events.ts`)
 * - `/api/docs/<doc>/versions…`: version history (see `versions.ts`)
 * - `GET /api/events`: Server-Sent Events for the document list (see `list-events.ts`), as open as the list
 * - `GET /api/server`: this server's entry in its data dir (`server-file.ts`), for the CLI to check
 *
 * Any other method on these paths gets 405 with `Allow`, any other `/api` path a 404, both JSON.
 */
export function apiRoutes({ docs, streams, listStreams, secret, log, dataDir, maxImportBytes, privateListing }: ApiDeps): Router {
  const router = express.Router()
  const read = requireAccess(secret, 'read')
  const write = requireAccess(secret, 'write')
  const listing = requireListingAccess(secret, privateListing)
  const metadata = privateListing ? read : listing
  router.use(versionRoutes({ docs, read, write, formatOf }))

  // Every route with a document in its path refuses a bad name before anything else looks at it.
  router.param('name', (req, _res, next) => {
    const problem = docNameProblem(docOf(req))
    next(problem === null ? undefined : new DocsError('invalid', problem))
  })

  router.get('/api/docs', listing, async (_req, res) => {
    res.json(await docs.list())
  })
  router.get('/api/events', listing, (req, res) => {
    listStreams.serve(req, res)
  })
  router.get('/api/docs/:name', metadata, async (req, res) => {
    res.json(await docs.stat(docOf(req)))
  })
  // What the document page asks before it connects: always 200 (a 404 would be logged by
  // the browser as an error for every new name), so it can say "deleted, start it again" in any
  // browser instead of silently starting an empty document under a deleted name.
  router.get('/api/docs/:name/state', metadata, async (req, res) => {
    try {
      await docs.stat(docOf(req))
      res.json({ exists: true, deletedAt: null, renamedTo: null })
    } catch (error) {
      if (!(error instanceof DocsError) || (error.kind !== 'not-found' && error.kind !== 'deleted')) throw error
      res.json({ exists: false, deletedAt: error.deletedAt, renamedTo: error.renamedTo })
    }
  })
  router.get('/api/docs/:name/content', read, async (req, res) => {
    const format = formatOf(req)
    res.type(FORMAT_FILES[format].mime).send(await docs.content(docOf(req), format))
  })
  router.put('/api/docs/:name/content', write, importBody(maxImportBytes), pendingImports(MAX_PENDING_IMPORTS), async (req, res) => {
    // express.text leaves the body undefined when there was none.
    const text = typeof req.body === 'string' ? req.body : ''
    await docs.import(docOf(req), formatOf(req), text)
    log.info('doc.imported', { doc: docOf(req), format: formatOf(req), bytes: Buffer.byteLength(text) })
    res.json(await docs.stat(docOf(req)))
  })
  router.delete('/api/docs/:name', write, async (req, res) => {
    await docs.remove(docOf(req))
    log.info('doc.removed', { doc: docOf(req) })
    res.status(204).end()
  })
  // Renaming writes both names: the body is read first, so the guard can check the new one too.
  router.post('/api/docs/:name/rename', jsonBody('4kb'), write, requireAccess(secret, 'write', renameTarget), async (req, res) => {
    const to = renameTarget(req)
    const info = await docs.rename(docOf(req), to)
    log.info('doc.renamed', { doc: docOf(req), to })
    res.json(info)
  })
  router.post('/api/docs/:name/compact', write, async (req, res) => {
    res.json(await docs.compact(docOf(req)))
  })
  // The "Copy view-only link" of the document page: whoever may edit may let others read. The
  // token has the claims `quire token <doc> --read-only` gives ({doc, access: "read", exp}).
  router.post('/api/docs/:name/share', write, jsonBody('1kb'), async (req, res) => {
    if (secret === null) throw new DocsError('invalid', 'access control is off (no QUIRE_SECRET): the document link itself lets anyone read and edit')
    const access = (req.body as { access?: unknown }).access ?? 'read'
    if (access !== 'read') throw new DocsError('invalid', 'only view-only links can be shared: send {"access":"read"}')
    const doc = docOf(req)
    await docs.stat(doc)
    const token = await mintToken(secret, { doc, write: false, ttlSeconds: SHARE_TTL_SECONDS })
    res.status(201).json({ token, url: `/d/${docNameToSegment(doc)}?token=${encodeURIComponent(token)}` })
  })
  router.get('/api/docs/:name/events', read, async (req, res) => {
    await docs.stat(docOf(req))
    streams.serve(docOf(req), req, res, typeof res.locals.expiresAt === 'number' ? res.locals.expiresAt : null)
  })
  router.get('/api/server', listing, async (_req, res) => {
    const address = await readServerFile(dataDir)
    if (!address) throw new DocsError('not-found', 'this server has no server file')
    res.json(address)
  })
  refuseOtherMethods(router)
  router.use('/api', (req, _res, next) => next(new HttpError(404, `no API route ${req.originalUrl.replace(/\?.*$/s, '')}`)))
  return router
}

/**
/**
 * Reads an import's body as text, refusing one over `limit` bytes before it is read to the end
 * (413), with the same words as an import over the limit without a server (`importTooLarge`).
 */
function importBody(limit: number): RequestHandler {
  const text = express.text({ type: () => true, limit })
  return (req, res, next) => text(req, res, (error?: unknown) => next((error as { type?: unknown } | undefined)?.type === 'entity.too.large' ? importTooLarge(limit) : error))
}

/**
 * Lets at most `max` requests through at once, counting each until its response is finished; more
 * get 503. It goes after the body is read: the cap bounds the conversions waiting for the worker,
 * and a body still on its way holds no slot, or a client that sends a few bytes of `max` bodies
 * and then nothing would turn every other import away (the app's "New document" included) until
 * Node gave up on those requests, five minutes later.
 */
function pendingImports(max: number): RequestHandler {
  let pending = 0
  return (_req, res, next) => {
    if (pending >= max) {
      res.setHeader('Retry-After', '5')
      return next(new HttpError(503, `${max} imports are already under way; try again shortly`, 'import-cap'))
    }
    pending += 1
    res.once('close', () => (pending -= 1))
    next()
  }
}
