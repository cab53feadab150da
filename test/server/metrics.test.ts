import type { Request, Response } from 'express'
import { describe, expect, it } from 'vitest'
import { MetricCounts, metricsHandler } from '../../server/metrics.js'
import { SyncEvents } from '../../server/sync/events.js'

const update = (events: SyncEvents, persistMs: number) => events.emit('doc.update', { doc: 'doc', update: new Uint8Array(1), bytes: 1, persistMs, origin: 'local', user: null })

/** What `GET /metrics` answers, through the handler alone. */
async function scrape(handler: ReturnType<typeof metricsHandler>): Promise<string> {
  let body = ''
  const res = { type: () => res, send: (text: string) => (body = text) } as unknown as Response
  await handler({} as Request, res, (error?: unknown) => {
    throw error
  })
  return body
}

describe('metrics', () => {
  it('reports what was counted before the first scrape loaded the registry', async () => {
    const events = new SyncEvents()
    const counts = new MetricCounts(events)
    update(events, 0.3)
    update(events, 3)
    update(events, 3000)
    events.emit('problem', { kind: 'rate-limit', doc: 'doc', message: 'over' })
    events.emit('message.in', { bytes: 7 })
    const text = await scrape(metricsHandler(counts, { connections: () => 2, openDocuments: () => 1, eventStreams: () => 0, redisConnected: null }))
    expect(text).toContain('quire_update_persist_seconds_bucket{le="0.0005"} 1\n')
    expect(text).toContain('quire_update_persist_seconds_bucket{le="0.0025"} 1\n')
    expect(text).toContain('quire_update_persist_seconds_bucket{le="0.005"} 2\n')
    expect(text).toContain('quire_update_persist_seconds_bucket{le="2.5"} 2\n')
    expect(text).toContain('quire_update_persist_seconds_bucket{le="+Inf"} 3\n')
    expect(text).toContain('quire_update_persist_seconds_sum 3.0033\n')
    expect(text).toContain('quire_update_persist_seconds_count 3\n')
    expect(text).toContain('quire_document_updates_total 3\n')
    expect(text).toContain('quire_errors_total{kind="rate-limit"} 1\n')
    expect(text).toContain('quire_message_bytes_total{direction="in"} 7\n')
    expect(text).toContain('quire_connections 2\n')
  })

  it('keeps counting after the registry is made', async () => {
    const events = new SyncEvents()
    const handler = metricsHandler(new MetricCounts(events), { connections: () => 0, openDocuments: () => 0, eventStreams: () => 0, redisConnected: null })
    expect(await scrape(handler)).toContain('quire_compactions_total 0\n')
    events.emit('doc.compacted', { doc: 'doc', bytes: 10 })
    expect(await scrape(handler)).toContain('quire_compactions_total 1\n')
  })
})
