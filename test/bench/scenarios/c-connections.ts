/**
 * C. Connections and memory. First, many idle synced connections spread over documents: the
 * server's RSS growth per connection and the time to connect them all. Then, on a fresh server,
 * many documents each opened once (a little text written) and closed: whether the memory comes
 * back. V8 returns memory lazily, so "after" is read once the server has been idle for a while.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { closeAll, connectMany } from '../client.js'
import type { RunContext, Scenario } from '../scenario.js'
import { SERVER_KINDS } from '../servers.js'

/** Connections opening at once: enough to be a burst, few enough to stay under the listen backlog. */
const PARALLEL = 50
const IDLE_SETTLE_MS = 2_000
const MB = 1024 * 1024

async function idleConnections(ctx: RunContext): Promise<Record<string, number>> {
  const connections = ctx.quick ? 100 : 1000
  const docs = connections / 10
  const server = await ctx.startServer('c-idle')
  try {
    await sleep(IDLE_SETTLE_MS)
    const before = server.stats().rss
    const start = performance.now()
    const clients = await connectMany(connections, PARALLEL, (i) => ctx.client(server, `doc-${i % docs}`))
    const connectMs = performance.now() - start
    await sleep(IDLE_SETTLE_MS)
    const after = server.stats().rss
    await closeAll(clients)
    return { rssPerConn: (after - before) / connections / 1024, connectMs }
  } finally {
    await server.stop()
  }
}

async function documentsClosed(ctx: RunContext): Promise<Record<string, number>> {
  const docs = ctx.quick ? 100 : 1000
  const server = await ctx.startServer('c-docs')
  try {
    await sleep(IDLE_SETTLE_MS)
    const before = server.stats().rss
    await connectMany(docs, PARALLEL, (i) => {
      const client = ctx.client(server, `closed-${i}`)
      void client.synced.then(async () => {
        for (let k = 0; k < 20; k++) client.text.insert(client.text.length, `line ${k} of document ${i}\n`)
        await client.close()
      })
      return client
    })
    await sleep(5_000)
    const { rss: after, peakRss: peak } = server.stats()
    return {
      docsPeakMb: (peak - before) / MB,
      docsRetainedMb: (after - before) / MB,
    }
  } finally {
    await server.stop()
  }
}

export const connections: Scenario = {
  id: 'C',
  title: 'connections and memory (1,000 idle over 100 docs; 1,000 docs opened and closed)',
  kinds: SERVER_KINDS,
  bigDoc: false,
  metrics: [
    { key: 'rssPerConn', label: 'RSS per idle connection', unit: 'KiB', better: 'lower' },
    { key: 'connectMs', label: 'time to connect all', unit: 'ms', better: 'lower' },
    { key: 'docsPeakMb', label: 'RSS growth while opening docs', unit: 'MiB', better: 'lower' },
    { key: 'docsRetainedMb', label: 'RSS retained 5 s after docs closed', unit: 'MiB', better: 'lower' },
  ],
  async run(ctx) {
    return { ...(await idleConnections(ctx)), ...(await documentsClosed(ctx)) }
  },
}
