import type { RequestHandler } from 'express'
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'
import type { SyncEvents } from './sync/events.js'

/** Live numbers the metrics read when scraped rather than count from events. */
export interface MetricSources {
  /** Open WebSocket connections right now. */
  connections: () => number
  /** Documents loaded in memory right now. */
  openDocuments: () => number
  /** Server-Sent Event streams open right now. */
  eventStreams: () => number
}

/**
 * Every quire metric, defined once, in a registry of its own (not prom-client's global one) so
 * that several servers in one process each report their own. Counters are fed by the sync
 * layer's observe-only events; gauges ask `sources` at scrape time, so they are always exact.
 */
export function createMetrics(events: SyncEvents, sources: MetricSources): Registry {
  const registry = new Registry()
  const registers = [registry]
  collectDefaultMetrics({ register: registry, prefix: 'quire_' })

  new Gauge({
    name: 'quire_connections',
    help: 'Open WebSocket connections',
    registers,
    collect() {
      this.set(sources.connections())
    },
  })
  new Gauge({
    name: 'quire_event_streams',
    help: 'Open Server-Sent Event streams',
    registers,
    collect() {
      this.set(sources.eventStreams())
    },
  })
  new Gauge({
    name: 'quire_open_documents',
    help: 'Documents loaded in memory',
    registers,
    collect() {
      this.set(sources.openDocuments())
    },
  })

  // Frames are counted in plain numbers and handed to prom-client at scrape time: these run for
  // every frame in and out, where a labelled prom-client counter hashes its labels on every call.
  const frames = { in: { messages: 0, bytes: 0 }, out: { messages: 0, bytes: 0 } }
  const fromFrames = (key: 'messages' | 'bytes') =>
    function collect(this: Counter<'direction'>) {
      this.reset()
      this.inc({ direction: 'in' }, frames.in[key])
      this.inc({ direction: 'out' }, frames.out[key])
    }
  new Counter({ name: 'quire_messages_total', help: 'WebSocket messages, by direction', labelNames: ['direction'], registers, collect: fromFrames('messages') })
  new Counter({ name: 'quire_message_bytes_total', help: 'Bytes of WebSocket messages, by direction', labelNames: ['direction'], registers, collect: fromFrames('bytes') })
  const updates = new Counter({ name: 'quire_document_updates_total', help: 'Document updates stored and relayed', registers })
  const persist = new Histogram({
    name: 'quire_update_persist_seconds',
    help: 'Time from receiving a document update to having it on disk',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers,
  })
  const compactions = new Counter({ name: 'quire_compactions_total', help: 'Documents whose stored records were merged into one', registers })
  const errors = new Counter({ name: 'quire_errors_total', help: 'Refusals and failures, by kind', labelNames: ['kind'], registers })

  events.on('message.in', (m) => {
    frames.in.messages += 1
    frames.in.bytes += m.bytes
  })
  events.on('message.out', (m) => {
    frames.out.messages += 1
    frames.out.bytes += m.bytes
  })
  events.on('doc.update', ({ persistMs }) => {
    updates.inc()
    persist.observe(persistMs / 1000)
  })
  events.on('doc.compacted', () => compactions.inc())
  events.on('problem', ({ kind }) => errors.inc({ kind }))
  events.on('doc.failed', () => errors.inc({ kind: 'doc-load' }))
  return registry
}

/** `GET /metrics`: the registry in Prometheus text format. */
export function metricsHandler(registry: Registry): RequestHandler {
  return async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics())
  }
}
