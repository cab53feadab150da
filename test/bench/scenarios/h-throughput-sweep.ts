/**
 * H. How throughput holds up as documents are added: B's measurement with 10, 100 and 1,000 open
 * documents (four writers each), each point on a fresh server.
 */

import { type Scenario, sweepKey, sweepMetrics } from '../scenario.js'
import { SERVER_KINDS } from '../servers.js'
import { measureThroughput } from './b-throughput.js'

const DOCS = { full: [10, 100, 1000], quick: [10, 100] }

export const throughputSweep: Scenario = {
  id: 'H',
  title: 'throughput against open documents (4 writers each, window 16)',
  kinds: SERVER_KINDS,
  bigDoc: false,
  metrics: sweepMetrics([{ key: 'updatesPerSec', label: 'updates delivered', unit: '/s', better: 'higher' }], DOCS.full, 'docs'),
  charts: [
    {
      file: 'throughput-docs.svg',
      title: 'Updates delivered per second against open documents (4 writers each)',
      xLabel: 'open documents',
      yLabel: 'updates delivered per second',
      series: [{ key: 'updatesPerSec', label: 'updates/s' }],
    },
  ],
  async run(ctx) {
    const metrics: Record<string, number> = {}
    for (const docs of ctx.quick ? DOCS.quick : DOCS.full) {
      const server = await ctx.startServer(`h-${docs}`)
      try {
        metrics[sweepKey('updatesPerSec', docs)] = (await measureThroughput(ctx, server, docs, ctx.quick ? 2 : 5)).updatesPerSec
      } finally {
        await server.stop()
      }
    }
    return metrics
  },
}
