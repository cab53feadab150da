/**
 * E. Durability: edits confirmed by a second client (it has received them), the server SIGKILLed
 * the moment the last one is confirmed, restarted, and the confirmed edits that did not survive
 * counted. Edits are pipelined a few at a time, as a fast typist's are.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { BenchClient } from '../client.js'
import type { Scenario } from '../scenario.js'
import { STATEFUL_KINDS } from '../servers.js'

const WINDOW = 10
/** How long the reloaded document must go without a change before it is counted. */
const QUIET_MS = 1_000

/** Edit `i`'s text: a bracketed number, so survivors can be read back out of the text. */
function token(i: number): string {
  return `[${i}]`
}

/** The edit numbers present in `text`. */
function tokens(text: string): Set<number> {
  return new Set(Array.from(text.matchAll(/\[(\d+)\]/g), (match) => Number(match[1])))
}

/** Resolves once `client` has received nothing for QUIET_MS: the reloaded state is complete. */
async function settled(client: BenchClient): Promise<void> {
  await client.synced
  while (performance.now() - client.lastReceivedAt < QUIET_MS) await sleep(100)
}

export const durability: Scenario = {
  id: 'E',
  title: 'durability (1,000 confirmed edits, SIGKILL at the last confirmation)',
  kinds: STATEFUL_KINDS,
  bigDoc: false,
  metrics: [
    { key: 'lost', label: 'confirmed edits lost', unit: '', better: 'lower' },
    { key: 'confirmMs', label: 'time to confirm all', unit: 'ms', better: 'lower' },
  ],
  async run(ctx) {
    const edits = ctx.quick ? 100 : 1000
    const server = await ctx.startServer('e')
    try {
      const writer = ctx.client(server, 'durable')
      const confirmer = ctx.client(server, 'durable')
      await Promise.all([writer.synced, confirmer.synced])

      const start = performance.now()
      let sent = 0
      const confirmed = (): number => tokens(confirmer.text.toString()).size
      await new Promise<void>((resolve) => {
        const pump = (): void => {
          const done = confirmed()
          if (done >= edits) {
            // Synchronously, in the same callback that saw the last confirmation.
            server.killNow()
            resolve()
            return
          }
          while (sent < edits && sent - done < WINDOW) writer.text.insert(writer.text.length, token(sent++))
        }
        confirmer.onReceive(pump)
        pump()
      })
      const confirmMs = performance.now() - start
      await server.stop('SIGKILL')
      await Promise.all([writer.close(), confirmer.close()])

      await server.restart()
      const reader = ctx.client(server, 'durable')
      await settled(reader)
      const survivors = tokens(reader.text.toString())
      await reader.close()
      let lost = 0
      for (let i = 0; i < edits; i++) if (!survivors.has(i)) lost++
      return { lost, confirmMs }
    } finally {
      await server.stop()
    }
  },
}
