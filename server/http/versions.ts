import express, { type Request, type RequestHandler, type Router } from 'express'
import { FORMAT_FILES, type FormatName } from '../../shared/content/catalog.js'
import { CURRENT } from '../../shared/versions.js'
import { type Docs, DocsError } from '../docs.js'
import { jsonBody } from './json-body.js'
import { refuseOtherMethods } from './methods.js'

/** What the version routes are built on: the documents and the API's two access guards. */
export interface VersionRouteDeps {
  docs: Docs
  read: RequestHandler
  write: RequestHandler
  formatOf: (req: Request) => FormatName
}

function idOf(raw: unknown): number {
  const id = Number(raw)
  if (typeof raw !== 'string' || !/^\d+$/.test(raw) || !Number.isSafeInteger(id) || id < 1) throw new DocsError('invalid', `not a version id: ${JSON.stringify(raw)}`)
  return id
}

/** The label sent, if any; what makes a label valid is `Docs.checkpoint`'s to say. */
function labelOf(body: { label?: unknown }): string | null {
  const { label } = body
  if (label === undefined || label === null) return null
  if (typeof label !== 'string') throw new DocsError('invalid', 'label must be a string')
  return label
}

/**
 * `/api/docs/<doc>/versions…` (CONTRACT "Version history"), thin adapters over `Docs`: reading
 * needs read access to the document, recording and restoring write access.
 *
 * - `GET .../versions`: the versions, newest first
 * - `POST .../versions` `{"label"?}`: record one now (201)
 * - `GET .../versions/<id>/content?format=`: that version rendered
 * - `GET .../versions/<id>/diff?to=<id>|current`: unified diff of the Markdown renderings
 * - `POST .../versions/<id>/restore`: make it the content; answers the version recorded just before
 */
export function versionRoutes({ docs, read, write, formatOf }: VersionRouteDeps): Router {
  const router = express.Router()
  const doc = (req: Request) => String(req.params.name)

  router.get('/api/docs/:name/versions', read, async (req, res) => {
    res.json(await docs.versions(doc(req)))
  })
  router.post('/api/docs/:name/versions', write, jsonBody('16kb'), async (req, res) => {
    res.status(201).json(await docs.checkpoint(doc(req), labelOf(req.body)))
  })
  router.get('/api/docs/:name/versions/:id/content', read, async (req, res) => {
    const format = formatOf(req)
    res.type(FORMAT_FILES[format].mime).send(await docs.versionContent(doc(req), idOf(req.params.id), format))
  })
  router.get('/api/docs/:name/versions/:id/diff', read, async (req, res) => {
    const to = req.query.to ?? CURRENT
    res.type('text/plain').send(await docs.diff(doc(req), idOf(req.params.id), to === CURRENT ? CURRENT : idOf(to)))
  })
  router.post('/api/docs/:name/versions/:id/restore', write, async (req, res) => {
    res.json(await docs.restore(doc(req), idOf(req.params.id)))
  })
  refuseOtherMethods(router)
  return router
}
