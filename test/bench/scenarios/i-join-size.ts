/**
 * I. How join-storm time grows with the document: prefixes of the automerge-paper trace, built in
 * the harness and sent to a fresh server as one update by one client, the server restarted (so
 * the document is cold), then F's storm of joiners. Each size is built once per bench run.
 */
import * as Y from 'yjs'
import { type Scenario, sweepKey, sweepMetrics } from '../scenario.js'
import { STATEFUL_KINDS } from '../servers.js'
import { readWhole, type TraceDoc, traceDoc, WRITE_BACKLOG } from '../trace.js'
import { joinAtOnce } from './f-join-storm.js'

/** Trace edits per point; 259,778 is the whole trace. */
const SIZES = { full: [10_000, 30_000, 100_000, 259_778], quick: [10_000, 30_000] }
const DOC = 'sized'
const docs = new Map<number, TraceDoc>()

function sized(edits: number): TraceDoc {
  let doc = docs.get(edits)
  if (doc === undefined) {
    doc = traceDoc(edits)
    docs.set(edits, doc)
  }
  return doc
}

export const joinSizeSweep: Scenario = {
  id: 'I',
  title: 'join storm against document size (100 joiners, cold document)',
  kinds: STATEFUL_KINDS,
  bigDoc: false,
  metrics: sweepMetrics([{ key: 'allJoinedMs', label: 'all hold the whole text', unit: 'ms', better: 'lower' }], SIZES.full, 'edits'),
  charts: [
    {
      file: 'join-storm-size.svg',
      title: 'Join storm: 100 clients open a cold document at once',
      xLabel: 'document size (automerge-paper trace edits)',
      yLabel: 'until all hold the whole text (ms)',
      series: [{ key: 'allJoinedMs', label: 'all joined' }],
    },
  ],
  async run(ctx) {
    const metrics: Record<string, number> = {}
    for (const edits of ctx.quick ? SIZES.quick : SIZES.full) {
      const doc = sized(edits)
      const server = await ctx.startServer(`i-${edits}`)
      try {
        const seeder = ctx.client(server, DOC)
        await seeder.synced
        Y.applyUpdate(seeder.doc, doc.update) // not the client's own origin, so it is sent
        // A second client holding the whole text proves the server has it before it is stopped.
        const observer = ctx.client(server, DOC)
        await readWhole(observer, doc.text)
        await Promise.all([seeder.close(), observer.close()])
        await server.quiesce(...WRITE_BACKLOG)
        await server.stop()
        await server.restart()
        metrics[sweepKey('allJoinedMs', edits)] = await joinAtOnce(ctx, server, ctx.quick ? 10 : 100, { docName: DOC, ...doc })
      } finally {
        await server.stop()
      }
    }
    return metrics
  },
}
