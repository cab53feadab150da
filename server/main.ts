import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { openBackend } from './backend.js'
import { markDataDir } from './cluster-mark.js'
import type { Config } from './config.js'
import { PerKeyLimit } from './guard/limits.js'
import { loadOnFirstRequest } from './http/load-on-first-request.js'
import { acceptWebSockets } from './http/upgrade.js'
import type { Logger } from './log.js'
import { LogSummary } from './log-summary.js'
import { MemoryRelease } from './memory-release.js'
import { MetricCounts } from './metrics.js'
import { removeServerFile, writeServerFile } from './server-file.js'
import type { SyncEvents } from './sync/events.js'

/** A listening quire server. */
export interface RunningServer {
  url: string
  port: number
  /** Stops accepting, closes every socket with 1001, stores and compacts every open document, closes the store. */
  close(): Promise<void>
}

/**
 * The composition root: config → backend (store, rooms, versions, cluster bus: `backend.ts`, shared
 * with the CLI) → HTTP app + WebSocket gate → listen. It holds no logic of its own, so reading it
 * tells how the pieces fit.
 */
export async function startServer(config: Config, log: Logger): Promise<RunningServer> {
  const backend = await openBackend(config, log)
  const { store, rooms, versions, importer, bus } = backend
  logSyncEvents(rooms.events, log)
  let connections = () => 0
  const perIp = new PerKeyLimit(config.maxConnectionsPerIp)
  // Counted from the start, whenever the HTTP app (and /metrics with it) is first loaded.
  const counts = new MetricCounts(rooms.events)
  const deps = { config, rooms, store, versions, log, connections: () => connections(), importer, perIp, counts, redisConnected: bus && (() => bus.connected()) }
  const server = createServer(loadOnFirstRequest(() => import('./http/app.js').then(({ createApp }) => createApp(deps)), log))
  const gate = acceptWebSockets(server, { rooms, config, log, perIp })
  connections = () => gate.connections

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(config.port, config.host, resolve)
  })
  const { port } = server.address() as AddressInfo
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`
  await markDataDir(config.dataDir, config.redisUrl)
  await writeServerFile(config.dataDir, { pid: process.pid, url })
  log.info('server.listening', { url, port, host: config.host, dataDir: config.dataDir })
  const memory = new MemoryRelease(rooms.events, ({ beforeBytes, afterBytes, ms }) =>
    log.debug('memory.released', { beforeMb: Math.round(beforeBytes / 2 ** 20), afterMb: Math.round(afterBytes / 2 ** 20), ms: Math.round(ms) }),
  )

  return {
    url,
    port,
    async close() {
      await removeServerFile(config.dataDir, process.pid)
      memory.stop()
      gate.close()
      server.close()
      await backend.close()
      server.closeAllConnections()
      log.info('server.stopped', {})
    },
  }
}

function logSyncEvents(events: SyncEvents, log: Logger): void {
  events.on('doc.loaded', ({ doc, ms, bytes }) => log.debug('doc.loaded', { doc, ms: Math.round(ms), bytes }))
  events.on('doc.unloaded', ({ doc }) => log.debug('doc.unloaded', { doc }))
  events.on('doc.failed', ({ doc, error }) => log.error('doc.failed', { doc, error: error.message }))
  events.on(
    'doc.version',
    ({ doc, version, origin }) => origin === 'local' && log.info('doc.version', { doc, id: version.id, auto: version.auto, label: version.label, authors: version.authors.length }),
  )
  events.on('doc.compacted', ({ doc, bytes }) => log.debug('doc.compacted', { doc, bytes }))
  events.on('conn.opened', ({ doc, id }) => log.debug('conn.opened', { doc, id }))
  events.on('conn.closed', ({ doc, id, code, reason }) => log.debug('conn.closed', { doc, id, code, reason }))
  // Anyone can cause problems (refused tokens, malformed frames): repeats are counted, not each logged.
  const problems = new LogSummary(log)
  events.on('problem', ({ kind, doc, message }) => problems.warn(kind, 'problem', { kind, doc, message }))
}
