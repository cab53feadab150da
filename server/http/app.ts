import { fileURLToPath } from 'node:url'
import express, { type Express } from 'express'
import type { Config } from '../config.js'
import { LocalDocs } from '../docs.js'
import type { PerKeyLimit } from '../guard/limits.js'
import type { VersionRecorder } from '../history/recorder.js'
import type { Importer } from '../imports/importer.js'
import type { Logger } from '../log.js'
import { type MetricCounts, metricsHandler } from '../metrics.js'
import type { DocStore } from '../store/store.js'
import type { Rooms } from '../sync/rooms.js'
import { apiRoutes } from './api.js'
import { requireListingAccess } from './api-access.js'
import { apiCors } from './cors.js'
import { errorAnswers } from './errors.js'
import { EVENT_STREAM_DEFAULTS, EventStreams } from './events.js'
import { ListEvents } from './list-events.js'
import { hostGuard, originGuard, securityHeaders } from './security.js'
import { staticRoutes } from './static.js'
import { StreamAdmission } from './stream-admission.js'

/** What the HTTP routes need: the same rooms and store the WebSocket side uses. */
export interface AppDeps {
  config: Config
  rooms: Rooms
  store: DocStore
  /** Version history of the same documents. */
  versions: VersionRecorder
  log: Logger
  /** Open WebSocket connections right now. */
  connections: () => number
  /** Where imports are parsed, off the event loop. */
  importer: Importer
  /** Connections per client IP, shared with the WebSocket gate. */
  perIp: PerKeyLimit
  /** What the metrics counted since the server started. */
  counts: MetricCounts
  /** Whether the link to Redis and the other instances is up now, in cluster mode (`null` otherwise). */
  redisConnected: (() => boolean) | null
}

/**
 * The express app: mounts the guards and the routes, and last `errorAnswers`, the one place its
 * errors become answers (and its refusals problems). Routes are thin adapters; what they do lives
 * in the modules they call.
 */
export function createApp(deps: AppDeps): Express {
  const app = express()
  app.disable('x-powered-by')
  // The headers first, so that refusals carry them too.
  app.use(securityHeaders, hostGuard(deps.config.host))
  // CORS first: its preflights are answered before the origin guard would refuse them as changes.
  app.use('/api', apiCors(deps.config.allowedOrigins), originGuard(deps.config.allowedOrigins))
  app.get('/healthz', (_req, res) => {
    // Still 200: the process is alive and says what it lacks. Without Redis it can serve no document.
    const redis = deps.redisConnected && (deps.redisConnected() ? 'connected' : 'disconnected')
    res.json({ ok: redis !== 'disconnected', documents: deps.rooms.count, connections: deps.connections(), ...(redis ? { redis } : {}) })
  })
  const admission = new StreamAdmission(deps.perIp, deps.config.maxEventStreams)
  const { redisConnected } = deps
  const sources = { connections: deps.connections, openDocuments: () => deps.rooms.count, eventStreams: () => admission.count, redisConnected: redisConnected && (() => Number(redisConnected())) }
  app.get('/metrics', requireListingAccess(deps.config.secret, deps.config.privateListing), metricsHandler(deps.counts, sources))
  app.use(
    apiRoutes({
      docs: new LocalDocs(deps.store, deps.rooms, deps.versions, deps.importer, deps.config.maxImportBytes),
      streams: new EventStreams(deps.rooms.events, EVENT_STREAM_DEFAULTS, admission),
      listStreams: new ListEvents(deps.rooms.events, admission),
      secret: deps.config.secret,
      log: deps.log,
      dataDir: deps.config.dataDir,
      maxImportBytes: deps.config.maxImportBytes,
      privateListing: deps.config.privateListing,
    }),
  )
  // This file runs compiled as dist/server/http/app.js, so dist/ (where Vite put the app) is two up.
  app.use(staticRoutes(fileURLToPath(new URL('../../', import.meta.url))))
  app.use(errorAnswers(deps.log, deps.rooms.events))
  return app
}
