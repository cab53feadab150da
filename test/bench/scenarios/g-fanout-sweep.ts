/**
 * G. How fan-out latency grows with the readers of one document: A's measurement at 10, 50, 200
 * and 1,000 readers, each point on a fresh server. The stream is slower than A's (20 edits/s) and
 * the readers are load generators that parse rather than integrate, so that at 1,000 readers the
 * harness's core still keeps up with the 20,000 deliveries a second and the servers are what the
 * curve shows.
 */

import { type Scenario, sweepKey, sweepMetrics } from '../scenario.js'
import { SERVER_KINDS } from '../servers.js'
import { measureFanout } from './a-fanout.js'

const READERS = { full: [10, 50, 200, 1000], quick: [10, 50] }

export const fanoutSweep: Scenario = {
  id: 'G',
  title: 'fan-out latency against readers per document (1 writer, 20 edits/s)',
  kinds: SERVER_KINDS,
  bigDoc: false,
  metrics: sweepMetrics(
    [
      { key: 'p50', label: 'p50 latency', unit: 'ms', better: 'lower' },
      { key: 'p99', label: 'p99 latency', unit: 'ms', better: 'lower' },
    ],
    READERS.full,
    'readers',
  ),
  charts: [
    {
      file: 'fanout-readers.svg',
      title: 'Fan-out latency against readers per document (1 writer, 20 edits/s)',
      xLabel: 'readers of the document',
      yLabel: 'latency (ms)',
      series: [
        { key: 'p99', label: 'p99' },
        { key: 'p50', label: 'p50' },
      ],
    },
  ],
  async run(ctx) {
    const metrics: Record<string, number> = {}
    for (const readers of ctx.quick ? READERS.quick : READERS.full) {
      const server = await ctx.startServer(`g-${readers}`)
      try {
        const { p50, p99 } = await measureFanout(ctx, server, { readers, edits: ctx.quick ? 20 : 60, intervalMs: 50, replica: false })
        metrics[sweepKey('p50', readers)] = p50
        metrics[sweepKey('p99', readers)] = p99
      } finally {
        await server.stop()
      }
    }
    return metrics
  },
}
