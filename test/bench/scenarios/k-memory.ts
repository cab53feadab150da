/**
 * K. Memory at rest: the RSS of a server just started with no document open, the same once it
 * has answered one HTTP request (`GET /healthz`, which both servers answer: quire loads its HTTP
 * app on the first request, so a server that serves pages or is health-checked pays for it), and
 * how much the RSS grows while one client holds the automerge-paper document of D open (the cost
 * of one big open document). The bare relay is left out: it runs through tsx, whose loader its RSS would
 * mostly measure. Both are read after the server has been idle for a while, as V8 and the
 * allocator settle after startup and after a load.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { RunContext, Scenario } from '../scenario.js'
import { STATEFUL_KINDS } from '../servers.js'
import { BIG_DOC, readWhole } from '../trace.js'

const SETTLE_MS = 3_000
const MB = 1024 * 1024

async function idleRss(ctx: RunContext): Promise<{ idleRssMb: number; httpRssMb: number }> {
  const server = await ctx.startServer('k-idle')
  try {
    await sleep(SETTLE_MS)
    const idleRssMb = server.stats().rss / MB
    const answer = await fetch(`http://127.0.0.1:${server.port}/healthz`)
    if (!answer.ok) throw new Error(`GET /healthz answered ${answer.status}`)
    await answer.arrayBuffer()
    await sleep(SETTLE_MS)
    return { idleRssMb, httpRssMb: server.stats().rss / MB }
  } finally {
    await server.stop()
  }
}

async function bigDocRss(ctx: RunContext): Promise<number> {
  const big = await ctx.bigDoc()
  const server = await ctx.startServer('k-doc', ctx.copyDataDir(big.loadedDir))
  try {
    await sleep(SETTLE_MS)
    const before = server.stats().rss
    const client = ctx.client(server, BIG_DOC)
    await readWhole(client, big.text)
    await sleep(SETTLE_MS)
    const after = server.stats().rss
    await client.close()
    return (after - before) / MB
  } finally {
    await server.stop()
  }
}

export const memory: Scenario = {
  id: 'K',
  title: 'memory at rest (idle server just started, and after one HTTP request; the automerge-paper document open)',
  kinds: STATEFUL_KINDS,
  bigDoc: true,
  metrics: [
    { key: 'idleRssMb', label: 'RSS of an idle server just started', unit: 'MiB', better: 'lower' },
    { key: 'httpRssMb', label: 'RSS once it has answered one HTTP request', unit: 'MiB', better: 'lower' },
    { key: 'docOpenMb', label: 'RSS growth with the D document open', unit: 'MiB', better: 'lower' },
  ],
  async run(ctx) {
    return { ...(await idleRss(ctx)), docOpenMb: await bigDocRss(ctx) }
  },
}
