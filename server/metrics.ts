import type { RequestHandler } from 'express'
import type { SyncEvents } from './sync/events.js'

/** Live numbers the metrics read when scraped rather than count from events. */
export interface MetricSources {
  /** Open WebSocket connections right now. */
  connections: () => number
  /** Documents loaded in memory right now. */
  openDocuments: () => number
  /** Server-Sent Event streams open right now. */
  eventStreams: () => number
  /** 1 while the link to Redis is up, 0 while it is down; `null` outside cluster mode, where there is none. */
  redisConnected: (() => number) | null
}

/** Upper bounds (seconds) of the buckets of `quire_update_persist_seconds`. */
export const PERSIST_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] as const

/** A Prometheus histogram in plain numbers: observations per bucket (not cumulative), sum and count. */
export interface HistogramCounts {
  readonly bounds: readonly number[]
  /** One per bound, then one for +Inf. */
  readonly buckets: number[]
  sum: number
  count: number
}

/**
 * What quire's counters have counted since the server started, in plain numbers. They are fed by
 * the sync layer's observe-only events from the first moment; prom-client, which only a scrape
 * needs (with the modules it loads, about 2 MiB of every server's RSS), is loaded by the first
 * `GET /metrics` and reads these (`metrics-registry.ts`). Plain numbers also keep the per-frame
 * cost down: a labelled prom-client counter hashes its labels on every call.
 */
export class MetricCounts {
  readonly frames = { in: { messages: 0, bytes: 0 }, out: { messages: 0, bytes: 0 } }
  updates = 0
  readonly persist: HistogramCounts = { bounds: PERSIST_BUCKETS, buckets: new Array<number>(PERSIST_BUCKETS.length + 1).fill(0), sum: 0, count: 0 }
  compactions = 0
  /** Refusals and failures by kind. */
  readonly errors = new Map<string, number>()

  constructor(events: SyncEvents) {
    events.on('message.in', (m) => {
      this.frames.in.messages += 1
      this.frames.in.bytes += m.bytes
    })
    events.on('message.out', (m) => {
      this.frames.out.messages += 1
      this.frames.out.bytes += m.bytes
    })
    events.on('doc.update', ({ persistMs }) => {
      this.updates += 1
      observe(this.persist, persistMs / 1000)
    })
    events.on('doc.compacted', () => {
      this.compactions += 1
    })
    events.on('problem', ({ kind }) => this.error(kind))
    events.on('doc.failed', () => this.error('doc-load'))
  }

  private error(kind: string): void {
    this.errors.set(kind, (this.errors.get(kind) ?? 0) + 1)
  }
}

function observe(histogram: HistogramCounts, value: number): void {
  const bucket = histogram.bounds.findIndex((bound) => value <= bound)
  histogram.buckets[bucket === -1 ? histogram.bounds.length : bucket]! += 1
  histogram.sum += value
  histogram.count += 1
}

/**
 * `GET /metrics` in Prometheus text format. The registry (and prom-client) is made by the first
 * scrape; Node's process metrics (`collectDefaultMetrics`) start being sampled then too.
 */
export function metricsHandler(counts: MetricCounts, sources: MetricSources): RequestHandler {
  let registry: Promise<import('prom-client').Registry> | null = null
  return async (_req, res, next) => {
    try {
      registry ??= import('./metrics-registry.js').then(({ createRegistry }) => createRegistry(counts, sources))
      const loaded = await registry
      res.type(loaded.contentType).send(await loaded.metrics())
    } catch (error) {
      registry = null
      next(error)
    }
  }
}
