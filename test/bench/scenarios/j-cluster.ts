/**
 * J. Cluster mode: A's fan-out with the writer on one quire instance and the readers on another,
 * both on one real `redis-server` (store and live relay), against the same load on one instance
 * of that same setup. The difference is what crossing instances through Redis pub/sub costs.
 * quire only: the reference has no cluster mode.
 */
import { startRedis } from '../../helpers/redis.js'
import type { Scenario } from '../scenario.js'
import { type FanoutLoad, measureFanout } from './a-fanout.js'

export const clusterFanout: Scenario = {
  id: 'J',
  title: 'cluster fan-out (1 writer, 50 readers, 100 edits/s; quire with Redis: one instance vs two)',
  kinds: ['quire'],
  bigDoc: false,
  metrics: [
    { key: 'p50One', label: 'p50 latency, one instance', unit: 'ms', better: 'lower' },
    { key: 'p99One', label: 'p99 latency, one instance', unit: 'ms', better: 'lower' },
    { key: 'p50Two', label: 'p50 latency, writer and readers on two instances', unit: 'ms', better: 'lower' },
    { key: 'p99Two', label: 'p99 latency, writer and readers on two instances', unit: 'ms', better: 'lower' },
  ],
  async run(ctx) {
    const redis = await startRedis()
    try {
      const env = { REDIS_URL: redis.url }
      const load: FanoutLoad = { readers: ctx.quick ? 10 : 50, edits: ctx.quick ? 200 : 1000, intervalMs: 10, replica: true }
      const first = await ctx.startServer('j-1', undefined, env)
      const second = await ctx.startServer('j-2', undefined, env)
      try {
        const two = await measureFanout(ctx, first, { ...load, docName: 'across', readerServer: second })
        const one = await measureFanout(ctx, first, { ...load, docName: 'within' })
        return { p50One: one.p50, p99One: one.p99, p50Two: two.p50, p99Two: two.p99 }
      } finally {
        await Promise.all([first.stop(), second.stop()])
      }
    } finally {
      await redis.stop()
    }
  },
}
