/**
 * F. Join storm: many clients open the big document of D at the same moment on a freshly started
 * server: the time until every one holds the whole text, and the server's peak RSS meanwhile.
 */
import { closeAll } from '../client.js'
import { BIG_DOC } from '../trace.js'
import type { Scenario } from '../scenario.js'

const MB = 1024 * 1024

export const joinStorm: Scenario = {
  id: 'F',
  title: 'join storm (100 clients open the D document at once)',
  relay: false,
  bigDoc: true,
  metrics: [
    { key: 'allJoinedMs', label: 'all hold the whole text', unit: 'ms', better: 'lower' },
    { key: 'peakRssMb', label: 'server peak RSS', unit: 'MiB', better: 'lower' },
  ],
  async run(ctx) {
    const joiners = ctx.quick ? 10 : 100
    const big = await ctx.bigDoc()
    const server = await ctx.startServer('f', big.dataDir)
    try {
      const start = performance.now()
      // All sockets are created in the same tick: that is the storm.
      const clients = Array.from({ length: joiners }, () => ctx.client(server, BIG_DOC))
      await Promise.all(
        clients.map(async (client) => {
          await client.synced
          await client.until(() => client.text.length === big.text.length, 120_000, 'the whole text')
        }),
      )
      const allJoinedMs = performance.now() - start
      const peakRssMb = server.stats().peakRss / MB
      if (clients.some((client) => client.text.toString() !== big.text)) throw new Error('a joiner holds the wrong text')
      await closeAll(clients)
      return { allJoinedMs, peakRssMb }
    } finally {
      await server.stop()
    }
  },
}
