/**
 * The big document of scenarios D and F: the `automerge-paper` editing trace typed keystroke by
 * keystroke into one document through a client, then the server stopped so the data dir holds
 * only what the server persisted. Typing is bounded by a window against a second client, so the
 * server is never handed more than WINDOW edits it has not yet relayed.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import * as Y from 'yjs'
import type { BenchClient } from './client.js'
import type { RunContext } from './scenario.js'
import { measureFanout } from './scenarios/a-fanout.js'
import type { BenchServer } from './servers.js'

const TRACE = '/work/shared/data/editing-traces/automerge-paper.json.gz'
const WINDOW = 1_000
/**
 * Keystrokes per second, the same for every server. Typing is setup, not a measurement, but it
 * must stay under quire's default per-connection rate limit (2,000 messages/s sustained), over
 * which quire disconnects a client by design; the reference and the relay have no limit.
 */
const TYPING_RATE = 1_800
/** `quiesce` arguments for a server that may still be writing a backlog: 1 s windows, up to 10 min. */
export const WRITE_BACKLOG = [1_000, 0.05, 600_000] as const
/** The document name D and F use. */
export const BIG_DOC = 'automerge-paper'

type Patch = [pos: number, del: number, ins: string]

let parsed: { patches: Patch[]; endContent: string } | undefined

/** Every patch of the trace and its final text, parsed once per bench run. */
function wholeTrace(): { patches: Patch[]; endContent: string } {
  if (parsed === undefined) {
    const trace = JSON.parse(gunzipSync(readFileSync(TRACE)).toString('utf8')) as { endContent: string; txns: { patches: Patch[] }[] }
    parsed = { patches: trace.txns.flatMap((txn) => txn.patches), endContent: trace.endContent }
  }
  return parsed
}

/** The first `limit` patches of the trace and the text they produce. */
export function loadTrace(limit: number): { patches: Patch[]; text: string } {
  const { patches: all, endContent } = wholeTrace()
  if (limit >= all.length) return { patches: all, text: endContent }
  // A prefix has no recorded result, so replay it on a plain string (cheap for --quick's prefix).
  const patches = all.slice(0, limit)
  let text = ''
  for (const [pos, del, ins] of patches) text = text.slice(0, pos) + ins + text.slice(pos + del)
  return { patches, text }
}

/** A prefix of the trace applied to a local Y.Doc: what a client would hold after typing it. */
export interface TraceDoc {
  edits: number
  text: string
  /** The whole state as one update. */
  update: Uint8Array
  stateVector: Map<number, number>
}

/**
 * The first `limit` edits of the trace applied in the harness, one transaction each as typed, with
 * no server involved: a quick way to a document of a chosen size (see the document-size sweep).
 */
export function traceDoc(limit: number): TraceDoc {
  const patches = wholeTrace().patches.slice(0, limit)
  const doc = new Y.Doc()
  const text = doc.getText('text')
  for (const [pos, del, ins] of patches) {
    doc.transact(() => {
      if (del > 0) text.delete(pos, del)
      if (ins.length > 0) text.insert(pos, ins)
    })
  }
  const result = { edits: patches.length, text: text.toString(), update: Y.encodeStateAsUpdate(doc), stateVector: Y.decodeStateVector(Y.encodeStateVector(doc)) }
  doc.destroy()
  return result
}

/**
 * Data dirs holding the typed trace, ready for a server of the same kind to load. Runs never
 * start a server on them directly but on a copy, so every repeat starts from the same bytes.
 */
export interface BigDoc {
  /** As the typing server left it: what D's cold load reads. */
  dataDir: string
  /** After one more start, one full load and a clean stop (each server compacts by its own policy): what F's joiners meet. */
  loadedDir: string
  text: string
  /** The document's state vector (client → clock): what a joiner must receive to hold it all. */
  stateVector: Map<number, number>
  edits: number
  /** Seconds from the first keystroke sent until the server was idle (everything written). */
  typingSeconds: number
  /** Size of the data dir after the server stopped. */
  bytesOnDisk: number
  /** Delivery latency (ms) on another document of the server while the trace was typed. */
  bystander: { p99: number; max: number }
}

/** Sum of the sizes of every file under `dir`. */
export function diskBytes(dir: string): number {
  let total = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    total += entry.isDirectory() ? diskBytes(path) : statSync(path).size
  }
  return total
}

/**
 * Types `patches` through `writer` and resolves once `observer` holds `text`. Each patch is its own
 * transaction, hence its own update message, as an editor sends keystrokes.
 */
export function typeTrace(writer: BenchClient, observer: BenchClient, patches: Patch[], text: string): Promise<void> {
  // Every trace edit inserts or deletes exactly one character, so the observer's received
  // insertions plus deletions count the edits it has.
  const applied = (): number => observer.seenClock(writer.id) + observer.deletedSeen
  let sent = 0
  let paced: NodeJS.Timeout | undefined
  const start = performance.now()
  const pump = (): void => {
    const due = Math.min(patches.length, Math.ceil(((performance.now() - start) / 1000) * TYPING_RATE))
    while (sent < due && sent - applied() < WINDOW) {
      const [pos, del, ins] = patches[sent++] as Patch
      if (del > 0) writer.text.delete(pos, del)
      if (ins.length > 0) writer.text.insert(pos, ins)
    }
    // Held back by the clock rather than by the window: nothing received will wake us, a timer must.
    if (sent < patches.length && sent - applied() < WINDOW) {
      paced ??= setTimeout(() => {
        paced = undefined
        pump()
      }, 10)
    }
  }
  const unsubscribe = observer.onReceive(pump)
  pump()
  return Promise.race([observer.until(() => applied() >= patches.length, 600_000, 'the typed trace'), writer.dropped()]).then(
    () => {
      unsubscribe()
      if (observer.text.toString() !== text) throw new Error('the typed document differs from the trace')
    },
    (error: Error) => {
      unsubscribe()
      clearTimeout(paced)
      throw error
    },
  )
}

/** Resolves once `client` (on BIG_DOC) holds exactly `text`. */
export async function readWhole(client: BenchClient, text: string): Promise<void> {
  await client.synced
  await client.until(() => client.text.length === text.length && client.text.toString() === text, 120_000, 'the whole text')
}

/** How often the bystander edits its own document while the trace is typed. */
const BYSTANDER_INTERVAL_MS = 20

/**
 * Types the trace into a fresh `server` (document BIG_DOC), then stops it gracefully. Meanwhile a
 * bystander edits another document of the same server, one writer and one reader: whatever the
 * server does for the long document on its event loop (relaying, storing, compacting it as it
 * grows) is a wait for them, and their delivery latency shows it.
 */
export async function typeBigDoc(ctx: RunContext, server: BenchServer, edits: number): Promise<Omit<BigDoc, 'loadedDir'>> {
  const { patches, text } = loadTrace(edits)
  const writer = ctx.client(server, BIG_DOC)
  const observer = ctx.client(server, BIG_DOC)
  await Promise.all([writer.synced, observer.synced])
  const start = performance.now()
  // Its clients connect and settle for about a second (see `measureFanout`), so it stops editing about when the typing ends.
  const bystanderEdits = Math.floor((patches.length / TYPING_RATE - 1) * (1000 / BYSTANDER_INTERVAL_MS))
  const bystander = measureFanout(ctx, server, { docName: 'bystander', readers: 1, edits: bystanderEdits, intervalMs: BYSTANDER_INTERVAL_MS, replica: true })
  await typeTrace(writer, observer, patches, text)
  const stateVector = Y.decodeStateVector(Y.encodeStateVector(observer.doc))
  await Promise.all([writer.close(), observer.close()])
  const { p99, max } = await bystander
  // The reference writes after it relays and never acknowledges, so wait until it is idle: for
  // the full trace its write queue takes minutes to drain after the last edit was relayed.
  await server.quiesce(...WRITE_BACKLOG)
  const typingSeconds = (performance.now() - start) / 1000
  await server.stop()
  return { dataDir: server.dataDir, text, stateVector, edits: patches.length, typingSeconds, bytesOnDisk: diskBytes(server.dataDir), bystander: { p99, max } }
}
