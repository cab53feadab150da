/**
 * A. Fan-out latency: one writer and many readers of one document, a steady stream of small edits,
 * and the delay from the writer's edit to each reader seeing it. Every edit appends a token of
 * fixed length, so a reader knows which edits a change delivered from its text length alone, and
 * the writer and readers share one clock because they share the harness process.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { closeAll, connectMany } from '../client.js'
import { percentile } from '../stats.js'
import type { Scenario } from '../scenario.js'

const TOKEN_LENGTH = 8

/** Edit `i`'s text: its number, padded, so every edit has the same length. */
function token(i: number): string {
  return `${String(i).padStart(TOKEN_LENGTH - 1, '0')} `
}

export const fanout: Scenario = {
  id: 'A',
  title: 'fan-out latency (1 writer, 50 readers, 100 edits/s)',
  relay: true,
  bigDoc: false,
  metrics: [
    { key: 'p50', label: 'p50 latency', unit: 'ms', better: 'lower' },
    { key: 'p99', label: 'p99 latency', unit: 'ms', better: 'lower' },
    { key: 'max', label: 'max latency', unit: 'ms', better: 'lower' },
  ],
  async run(ctx) {
    const readerCount = ctx.quick ? 10 : 50
    const edits = ctx.quick ? 200 : 1000
    const intervalMs = 10
    const server = await ctx.startServer('a')
    try {
      const writer = ctx.client(server, 'fanout')
      await writer.synced
      const readers = await connectMany(readerCount, 10, () => ctx.client(server, 'fanout'))
      // Let the joins' sync chatter (which the relay broadcasts to everyone) die down first.
      await sleep(500)

      const sentAt: number[] = []
      const latencies: number[] = []
      for (const reader of readers) {
        let delivered = 0
        reader.onReceive(() => {
          const now = performance.now()
          const count = Math.floor(reader.text.length / TOKEN_LENGTH)
          for (; delivered < count; delivered++) latencies.push(now - (sentAt[delivered] ?? Number.NaN))
        })
      }

      // Open loop: edit i is due at start + i·interval whatever the server does, as a typist would be.
      const start = performance.now()
      for (let i = 0; i < edits; i++) {
        const wait = start + i * intervalMs - performance.now()
        if (wait > 0) await sleep(wait)
        sentAt.push(performance.now())
        writer.text.insert(writer.text.length, token(i))
      }
      const expected = writer.text.toString()
      await Promise.all(
        readers.map((reader) => reader.until(() => reader.text.length >= expected.length, 30_000, 'all edits')),
      )
      if (readers.some((reader) => reader.text.toString() !== expected)) throw new Error('readers diverged')
      await closeAll([writer, ...readers])

      const sorted = latencies.sort((a, b) => a - b)
      if (sorted.length !== edits * readerCount) throw new Error(`${sorted.length} deliveries, expected ${edits * readerCount}`)
      return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: percentile(sorted, 100) }
    } finally {
      await server.stop()
    }
  },
}
