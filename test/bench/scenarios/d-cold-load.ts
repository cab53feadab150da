/**
 * D. Cold load of a big document: the `automerge-paper` trace typed into one document (once per
 * bench run, shared with F), the server restarted, then the time until a new client holds the
 * whole text, and the bytes the server keeps on disk for it. Every repeat loads a fresh copy of
 * the data dir as typed: a server that compacts on first load would otherwise be measured cold
 * only once. The typing's figures (its time, and what a bystander on another document waited
 * meanwhile) come from that one typing, so they repeat across repeats.
 */

import type { Scenario } from '../scenario.js'
import { STATEFUL_KINDS } from '../servers.js'
import { BIG_DOC, readWhole } from '../trace.js'

export const coldLoad: Scenario = {
  id: 'D',
  title: 'cold load of the automerge-paper trace (259,778 edits)',
  kinds: STATEFUL_KINDS,
  bigDoc: true,
  metrics: [
    { key: 'loadMs', label: 'cold load until whole text', unit: 'ms', better: 'lower' },
    { key: 'diskKb', label: 'bytes on disk', unit: 'KiB', better: 'lower' },
    { key: 'typingS', label: 'trace typed at 1,800/s until stored', unit: 's', better: 'lower' },
    { key: 'bystanderP99', label: 'p99 latency on another document while typed', unit: 'ms', better: 'lower' },
    { key: 'bystanderMax', label: 'max latency on another document while typed', unit: 'ms', better: 'lower' },
  ],
  async run(ctx) {
    const big = await ctx.bigDoc()
    const server = await ctx.startServer('d', ctx.copyDataDir(big.dataDir))
    try {
      const start = performance.now()
      const client = ctx.client(server, BIG_DOC)
      await readWhole(client, big.text)
      const loadMs = performance.now() - start
      await client.close()
      return { loadMs, diskKb: big.bytesOnDisk / 1024, typingS: big.typingSeconds, bystanderP99: big.bystander.p99, bystanderMax: big.bystander.max }
    } finally {
      await server.stop()
    }
  },
}
