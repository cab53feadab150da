/**
 * F. Join storm: many clients open the big document of D at the same moment on a freshly started
 * server: the time until every one holds the whole text, and the server's peak RSS meanwhile.
 *
 * A hundred replicas integrating the whole trace kept the harness's core busy for the whole storm
 * and measured the harness, not the server (97 % harness CPU, the same time for every server). So
 * the joiners are load generators (`replica: false`): a joiner holds everything once the clock
 * ranges of what it received cover the document's state vector; the clock then stops, and every joiner's
 * bytes are applied to a Y.Doc and compared with the trace's text, so the content is still
 * checked in full. `joinAtOnce` is shared with the document-size sweep (I).
 */
import { type BenchClient, closeAll } from '../client.js'
import type { RunContext, Scenario } from '../scenario.js'
import { type BenchServer, STATEFUL_KINDS } from '../servers.js'
import { BIG_DOC } from '../trace.js'

const MB = 1024 * 1024

/** Whether `client` has received every item of a document with state vector `target`. */
function holdsAll(client: BenchClient, target: Map<number, number>): boolean {
  for (const [id, clock] of target) if (client.seenClock(id) < clock) return false
  return true
}

/** What a storm's joiners must end up holding. */
export interface JoinTarget {
  docName: string
  stateVector: Map<number, number>
  text: string
}

/** Opens `joiners` sockets to `target` on `server` in one tick; ms until every one holds the whole document. */
export async function joinAtOnce(ctx: RunContext, server: BenchServer, joiners: number, target: JoinTarget): Promise<number> {
  const start = performance.now()
  // All sockets are created in the same tick: that is the storm.
  const clients = Array.from({ length: joiners }, () => ctx.client(server, target.docName, { replica: false }))
  try {
    await Promise.all(clients.map((client) => client.until(() => holdsAll(client, target.stateVector), 120_000, 'the whole document')))
    const ms = performance.now() - start
    await closeAll(clients)
    if (clients.some((client) => client.receivedText() !== target.text)) throw new Error('a joiner holds the wrong text')
    return ms
  } finally {
    await closeAll(clients)
  }
}

export const joinStorm: Scenario = {
  id: 'F',
  title: 'join storm (100 clients open the D document at once)',
  kinds: STATEFUL_KINDS,
  bigDoc: true,
  metrics: [
    { key: 'allJoinedMs', label: 'all hold the whole text', unit: 'ms', better: 'lower' },
    { key: 'peakRssMb', label: 'server peak RSS', unit: 'MiB', better: 'lower' },
  ],
  async run(ctx) {
    const big = await ctx.bigDoc()
    const server = await ctx.startServer('f', ctx.copyDataDir(big.loadedDir))
    try {
      const allJoinedMs = await joinAtOnce(ctx, server, ctx.quick ? 10 : 100, { docName: BIG_DOC, ...big })
      return { allJoinedMs, peakRssMb: server.stats().peakRss / MB }
    } finally {
      await server.stop()
    }
  },
}
