/**
 * `node --import tsx test/bench/history-storage.ts [--edits N]`: what version history costs on disk.
 * The `automerge-paper` trace (259,778 edits) is typed over a simulated day of editing, one
 * version every 10 minutes (144 versions), into a real LevelDB store whose records are merged
 * (deleted content kept) as the server does; versions are recorded by the server's `History`.
 * Prints the document's bytes, the history's bytes and what the alternatives would have cost.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import * as Y from 'yjs'
import { History } from '../../server/history/history.js'
import { LevelStore } from '../../server/store/level.js'
import { encodeVersion } from '../../server/store/version-record.js'
import { loadTrace } from './trace.js'

const MINUTE = 60_000
const VERSIONS = 144 // a day of editing, one version every 10 minutes
const NAME = 'automerge-paper'

const { values } = parseArgs({ options: { edits: { type: 'string' } } })
const { patches } = loadTrace(values.edits === undefined ? Number.POSITIVE_INFINITY : Number(values.edits))
const dir = mkdtempSync(join(tmpdir(), 'quire-history-bench-'))
const store = await LevelStore.open(dir)
const doc = new Y.Doc()
const text = doc.getText('text')
let now = Date.UTC(2026, 0, 1, 8)
const history = new History(store, { storedSnapshot: async () => Y.snapshot(doc), apply: async () => {} }, () => now)

let stateVector = Y.encodeStateVector(doc)
let fullStates = 0
let fullSnapshots = 0
let recordMs = 0
const stalls: number[] = []
const perVersion = Math.ceil(patches.length / VERSIONS)
for (let start = 0; start < patches.length; start += perVersion) {
  for (const [pos, del, ins] of patches.slice(start, start + perVersion)) {
    doc.transact(() => {
      if (del > 0) text.delete(pos, del)
      if (ins.length > 0) text.insert(pos, ins)
    })
  }
  await store.append(NAME, Y.encodeStateAsUpdate(doc, stateVector))
  stateVector = Y.encodeStateVector(doc)
  await store.compact(NAME)
  now += 10 * MINUTE
  // How long recording keeps the event loop (and so every relay) from running, apart from the
  // time it waits for the store: the longest delay a 1 ms timer sees while it runs.
  const loop = monitorEventLoopDelay({ resolution: 1 })
  loop.enable()
  const started = performance.now()
  await history.record(NAME, { label: null, auto: true, authors: [{ name: 'Ada', color: '#e91e63' }], force: false })
  recordMs = Math.max(recordMs, performance.now() - started)
  loop.disable()
  stalls.push(loop.max / 1e6)
  fullStates += Y.encodeStateAsUpdate(doc).byteLength
  fullSnapshots += Y.encodeSnapshot(Y.snapshot(doc)).byteLength
}

const { versions } = await store.versions(NAME)
const historyBytes = versions.reduce((sum, v) => sum + encodeVersion(v).byteLength, 0)
const stored = (await store.stat(NAME))!.bytes
const gcState = Y.encodeStateAsUpdate(doc).byteLength
const readStarted = performance.now()
const first = await history.content(NAME, versions[0]!.id)
const readMs = performance.now() - readStarted
const expectedFirst = loadTrace(perVersion).text
if (first?.getText('text').toString() !== expectedFirst) throw new Error('the first version does not read back as the text typed by then')

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`
const rows: Array<[string, string]> = [
  ['edits typed', `${patches.length.toLocaleString('en')} over ${versions.length} versions`],
  ['document as stored (records merged, deleted content kept)', kib(stored)],
  ['document without deleted content (gc: true state)', kib(gcState)],
  ['history: version records (snapshot deltas + headers)', `${kib(historyBytes)} = ${(historyBytes / stored).toFixed(3)}× the stored document`],
  ['alternative: a full Y.snapshot per version', `${kib(fullSnapshots)} = ${(fullSnapshots / stored).toFixed(1)}×`],
  ['alternative: a full encoded state per version', `${kib(fullStates)} = ${(fullStates / stored).toFixed(1)}×`],
  ['slowest record of a version (mostly waiting for LevelDB)', `${recordMs.toFixed(1)} ms`],
  ['event-loop stall while recording: median, max', `${median(stalls).toFixed(1)} ms, ${Math.max(...stalls).toFixed(1)} ms`],
  ['reading the first version back', `${readMs.toFixed(0)} ms`],
]
for (const [what, value] of rows) console.log(`| ${what} | ${value} |`)
await store.close()
rmSync(dir, { recursive: true, force: true })
