/**
 * A. Fan-out latency: one writer and many readers of one document, a steady stream of small edits,
 * and the delay from the writer's edit to each reader seeing it. Every edit appends a token of
 * fixed length, so a reader knows which edits a change delivered from the writer's clock it has
 * received, and the writer and readers share one clock because they share the harness process.
 * `measureFanout` is shared by the reader sweep (G) and the cluster row (J).
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { type BenchClient, closeAll, connectMany } from '../client.js'
import type { RunContext, Scenario } from '../scenario.js'
import { type BenchServer, SERVER_KINDS } from '../servers.js'
import { percentile } from '../stats.js'

const TOKEN_LENGTH = 8

/** Edit `i`'s text: its number, padded, so every edit has the same length. */
function token(i: number): string {
  return `${String(i).padStart(TOKEN_LENGTH - 1, '0')} `
}

/** How one fan-out measurement is driven. */
export interface FanoutLoad {
  /** The document; 'fanout' by default. */
  docName?: string
  readers: number
  edits: number
  intervalMs: number
  /**
   * Whether readers integrate what they receive (full replicas) or only parse its clock ranges:
   * a thousand replicas would measure the harness's core rather than the server.
   */
  replica: boolean
  /** The server the readers connect to; the writer's by default (another instance, in cluster mode). */
  readerServer?: BenchServer
}

/** Drives one writer on `server` and `load.readers` readers of the same document; latency percentiles in ms. */
export async function measureFanout(ctx: RunContext, server: BenchServer, load: FanoutLoad): Promise<{ p50: number; p99: number; max: number }> {
  const docName = load.docName ?? 'fanout'
  const writer = ctx.client(server, docName)
  const clients: BenchClient[] = [writer]
  try {
    await writer.synced
    const readers = await connectMany(load.readers, 10, () => ctx.client(load.readerServer ?? server, docName, { replica: load.replica }))
    clients.push(...readers)
    // Let the joins' sync chatter (which the relay broadcasts to everyone) die down first.
    await sleep(500)

    const sentAt: number[] = []
    const latencies: number[] = []
    for (const reader of readers) {
      let delivered = 0
      reader.onReceive(() => {
        const now = performance.now()
        const count = Math.floor(reader.seenClock(writer.id) / TOKEN_LENGTH)
        for (; delivered < count; delivered++) latencies.push(now - (sentAt[delivered] ?? Number.NaN))
      })
    }

    // Open loop: edit i is due at start + i·interval whatever the server does, as a typist would be.
    const start = performance.now()
    for (let i = 0; i < load.edits; i++) {
      const wait = start + i * load.intervalMs - performance.now()
      if (wait > 0) await sleep(wait)
      sentAt.push(performance.now())
      writer.text.insert(writer.text.length, token(i))
    }
    const expected = writer.text.toString()
    const all = load.edits * TOKEN_LENGTH
    await Promise.all(readers.map((reader) => reader.until(() => reader.seenClock(writer.id) >= all, 30_000, 'all edits')))
    await closeAll(clients)
    // Checked off the clock: non-replica readers rebuild their text from the bytes they kept.
    if (readers.some((reader) => (load.replica ? reader.text.toString() : reader.receivedText()) !== expected)) throw new Error('readers diverged')

    const sorted = latencies.sort((a, b) => a - b)
    if (sorted.length !== load.edits * load.readers) throw new Error(`${sorted.length} deliveries, expected ${load.edits * load.readers}`)
    return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: percentile(sorted, 100) }
  } finally {
    await closeAll(clients)
  }
}

export const fanout: Scenario = {
  id: 'A',
  title: 'fan-out latency (1 writer, 50 readers, 100 edits/s)',
  kinds: SERVER_KINDS,
  bigDoc: false,
  metrics: [
    { key: 'p50', label: 'p50 latency', unit: 'ms', better: 'lower' },
    { key: 'p99', label: 'p99 latency', unit: 'ms', better: 'lower' },
    { key: 'max', label: 'max latency', unit: 'ms', better: 'lower' },
  ],
  async run(ctx) {
    const server = await ctx.startServer('a')
    try {
      return await measureFanout(ctx, server, { readers: ctx.quick ? 10 : 50, edits: ctx.quick ? 200 : 1000, intervalMs: 10, replica: true })
    } finally {
      await server.stop()
    }
  },
}
