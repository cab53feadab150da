/**
 * F. Join storm: many clients open the big document of D at the same moment on a freshly started
 * server: the time until every one holds the whole text, and the server's peak RSS meanwhile.
 *
 * A hundred replicas integrating the whole trace kept the harness's core busy for the whole storm
 * and measured the harness, not the server (97 % harness CPU, the same time for every server). So
 * the joiners are load generators (`replica: false`): a joiner holds everything once the clock
 * ranges of what it received cover the document's state vector; the clock then stops, and every joiner's
 * bytes are applied to a Y.Doc and compared with the trace's text, so the content is still
 * checked in full.
 */
import { closeAll, type BenchClient } from '../client.js'
import { BIG_DOC } from '../trace.js'
import type { Scenario } from '../scenario.js'

const MB = 1024 * 1024

/** Whether `client` has received every item of a document with state vector `target`. */
function holdsAll(client: BenchClient, target: Map<number, number>): boolean {
  for (const [id, clock] of target) if (client.seenClock(id) < clock) return false
  return true
}

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
    const server = await ctx.startServer('f', ctx.copyDataDir(big.loadedDir))
    try {
      const start = performance.now()
      // All sockets are created in the same tick: that is the storm.
      const clients = Array.from({ length: joiners }, () => ctx.client(server, BIG_DOC, { replica: false }))
      await Promise.all(clients.map((client) => client.until(() => holdsAll(client, big.stateVector), 120_000, 'the whole document')))
      const allJoinedMs = performance.now() - start
      const peakRssMb = server.stats().peakRss / MB
      await closeAll(clients)
      if (clients.some((client) => client.receivedText() !== big.text)) throw new Error('a joiner holds the wrong text')
      return { allJoinedMs, peakRssMb }
    } finally {
      await server.stop()
    }
  },
}
