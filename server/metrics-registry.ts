import { Counter, collectDefaultMetrics, Gauge, type Metric, Registry } from 'prom-client'
import type { HistogramCounts, MetricCounts, MetricSources } from './metrics.js'

/**
 * Every quire metric, defined once, in a registry of its own (not prom-client's global one) so
 * that several servers in one process each report their own. Loaded by the first scrape: every
 * value is read at scrape time, from the counts kept since the start (`MetricCounts`) and from
 * `sources` for the gauges, so they are exact whenever the registry was made.
 */
export function createRegistry(counts: MetricCounts, sources: MetricSources): Registry {
  const registry = new Registry()
  const registers = [registry]
  collectDefaultMetrics({ register: registry, prefix: 'quire_' })

  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(read())
      },
    })
  gauge('quire_connections', 'Open WebSocket connections', sources.connections)
  gauge('quire_event_streams', 'Open Server-Sent Event streams', sources.eventStreams)
  gauge('quire_open_documents', 'Documents loaded in memory', sources.openDocuments)
  if (sources.redisConnected) gauge('quire_redis_connected', 'Whether the link to Redis (cluster mode) is up: 1, or down: 0', sources.redisConnected)

  const { frames } = counts
  const fromFrames = (key: 'messages' | 'bytes') =>
    function collect(this: Counter<'direction'>) {
      this.reset()
      this.inc({ direction: 'in' }, frames.in[key])
      this.inc({ direction: 'out' }, frames.out[key])
    }
  new Counter({ name: 'quire_messages_total', help: 'WebSocket messages, by direction', labelNames: ['direction'], registers, collect: fromFrames('messages') })
  new Counter({ name: 'quire_message_bytes_total', help: 'Bytes of WebSocket messages, by direction', labelNames: ['direction'], registers, collect: fromFrames('bytes') })
  const total = (name: string, help: string, read: () => number) =>
    new Counter({
      name,
      help,
      registers,
      collect() {
        this.reset()
        this.inc(read())
      },
    })
  total('quire_document_updates_total', 'Document updates stored and relayed', () => counts.updates)
  total('quire_compactions_total', 'Documents whose stored records were merged into one', () => counts.compactions)
  new Counter({
    name: 'quire_errors_total',
    help: 'Refusals and failures, by kind',
    labelNames: ['kind'],
    registers,
    collect() {
      this.reset()
      for (const [kind, count] of counts.errors) this.inc({ kind }, count)
    },
  })
  registry.registerMetric(histogram('quire_update_persist_seconds', 'Time from receiving a document update to having it on disk', counts.persist))
  return registry
}

/**
 * A histogram read from plain counts at scrape time. prom-client's `Histogram` can only be fed
 * one observation at a time, so this is the shape its registry reads from any metric (`get()`),
 * with the samples a prom-client histogram would give.
 */
function histogram(name: string, help: string, counts: HistogramCounts): Metric {
  const get = async () => {
    let cumulative = 0
    const values: Array<{ labels: Record<string, number | string>; value: number; metricName: string }> = []
    counts.buckets.forEach((count, i) => {
      cumulative += count
      values.push({ labels: { le: counts.bounds[i] ?? '+Inf' }, value: cumulative, metricName: `${name}_bucket` })
    })
    values.push({ labels: {}, value: counts.sum, metricName: `${name}_sum` }, { labels: {}, value: counts.count, metricName: `${name}_count` })
    return { name, help, type: 'histogram', aggregator: 'sum', values }
  }
  // The registry only calls `get()` and reads these fields; the cast is to prom-client's union of its own classes.
  return { name, help, type: 'histogram', aggregator: 'sum', get } as unknown as Metric
}
