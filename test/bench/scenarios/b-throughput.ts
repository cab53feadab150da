/**
 * B. Throughput: many documents, four clients each, every client writing as fast as the server
 * lets it. "Lets it" is a bounded in-flight window: a writer may be at most WINDOW edits ahead of
 * the slowest of its room's other clients, so a slow server slows its writers instead of letting
 * queues grow. Delivered edits are counted from the received document state, not from frames, so
 * a server that batches several edits into one message is credited for each of them. The clients
 * are load generators (`replica: false`): 400 integrating replicas saturated the harness's core
 * and capped every server, the bare relay included, near the same figure. `measureThroughput`
 * is shared with the open-documents sweep (H).
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { type BenchClient, closeAll, connectMany } from '../client.js'
import type { RunContext, Scenario } from '../scenario.js'
import type { BenchServer } from '../servers.js'
import { SERVER_KINDS } from '../servers.js'

const CLIENTS_PER_DOC = 4
const WINDOW = 16
/** Characters per edit; clocks advance by this much per edit. */
const EDIT = 'abcd'

/** Edits of `writer` that `reader` has received. */
function received(reader: BenchClient, writer: BenchClient): number {
  return reader.seenClock(writer.id) / EDIT.length
}

/** Runs `docs` rooms of writers on `server` for `seconds`: updates delivered per second and the server's CPU. */
export async function measureThroughput(ctx: RunContext, server: BenchServer, docs: number, seconds: number): Promise<{ updatesPerSec: number; serverCpu: number; cpuPerK: number }> {
  let running = true
  const rooms: BenchClient[][] = []
  try {
    for (let d = 0; d < docs; d++) {
      rooms.push(await connectMany(CLIENTS_PER_DOC, CLIENTS_PER_DOC, () => ctx.client(server, `doc-${d}`, { replica: false })))
    }
    await sleep(500)

    for (const room of rooms) {
      const pump = (): void => {
        for (const writer of room) {
          let sent = writer.clock / EDIT.length
          const slowest = (): number => Math.min(...room.filter((c) => c !== writer).map((reader) => received(reader, writer)))
          while (running && sent - slowest() < WINDOW) {
            writer.text.insert(writer.text.length, EDIT)
            sent++
          }
        }
      }
      for (const client of room) client.onReceive(pump)
      pump()
    }

    const deliveredSoFar = (): number => {
      let delivered = 0
      for (const room of rooms) {
        for (const reader of room) for (const writer of room) if (writer !== reader) delivered += received(reader, writer)
      }
      return delivered
    }
    const deliveredBefore = deliveredSoFar()
    const cpuBefore = server.stats().cpu
    const started = performance.now()
    await sleep(seconds * 1000)
    // Snapshot before stopping the writers, so edits still in flight after the window don't count.
    // The window is timed, not assumed: a harness flooded with deliveries (a thousand documents)
    // runs its timer late, and dividing by the nominal length overstated the rate there.
    const delivered = deliveredSoFar() - deliveredBefore
    const elapsed = (performance.now() - started) / 1000
    const serverCpu = server.stats().cpu - cpuBefore
    return { updatesPerSec: delivered / elapsed, serverCpu, cpuPerK: (serverCpu * 1000 * 1000) / delivered }
  } finally {
    running = false
    await closeAll(rooms.flat())
  }
}

export const throughput: Scenario = {
  id: 'B',
  title: 'throughput (100 docs × 4 writers, window 16)',
  kinds: SERVER_KINDS,
  bigDoc: false,
  metrics: [
    { key: 'updatesPerSec', label: 'updates delivered', unit: '/s', better: 'higher' },
    { key: 'serverCpu', label: 'server CPU time', unit: 's', better: 'lower' },
    { key: 'cpuPerK', label: 'server CPU per 1k delivered', unit: 'ms', better: 'lower' },
  ],
  async run(ctx) {
    const server = await ctx.startServer('b')
    try {
      return await measureThroughput(ctx, server, ctx.quick ? 10 : 100, ctx.quick ? 2 : 10)
    } finally {
      await server.stop()
    }
  },
}
