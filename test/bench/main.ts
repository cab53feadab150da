/**
 * `npm run bench [-- --quick] [--repeat N] [--servers quire,reference,relay] [--scenarios A,B,...]
 * [--out DIR] [--profile]`: runs each scenario against each server, every server as its own process on a
 * fresh data dir and driven by the same clients, and prints one table with quire/peer ratios.
 * Results go to `test/bench/results/` (a full run also rewrites the committed `latest.md`);
 * server logs (and, with --profile, the servers' `.cpuprofile`s) to `test/out/bench/<timestamp>/`.
 * The sweeps' charts go to `docs/bench/` when every server ran without --quick and --out (the
 * README shows them), else beside the results.
 *
 * Within a repeat the servers take turns scenario by scenario, with the order rotated between
 * repeats, so slow drift on the shared machine spreads over all of them rather than one.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { BenchClient } from './client.js'
import { type BenchResult, HARNESS_CPU, type Run, renderMarkdown, writeCharts, writeResult } from './report.js'
import type { RunContext, Scenario } from './scenario.js'
import { fanout } from './scenarios/a-fanout.js'
import { throughput } from './scenarios/b-throughput.js'
import { connections } from './scenarios/c-connections.js'
import { coldLoad } from './scenarios/d-cold-load.js'
import { durability } from './scenarios/e-durability.js'
import { joinAtOnce, joinStorm } from './scenarios/f-join-storm.js'
import { fanoutSweep } from './scenarios/g-fanout-sweep.js'
import { throughputSweep } from './scenarios/h-throughput-sweep.js'
import { joinSizeSweep } from './scenarios/i-join-size.js'
import { clusterFanout } from './scenarios/j-cluster.js'
import { memory } from './scenarios/k-memory.js'
import { BenchServer, isStateful, SERVER_KINDS, type ServerKind } from './servers.js'
import { BIG_DOC, type BigDoc, readWhole, typeBigDoc, WRITE_BACKLOG } from './trace.js'

const SCENARIOS: readonly Scenario[] = [fanout, throughput, connections, coldLoad, durability, joinStorm, fanoutSweep, throughputSweep, joinSizeSweep, clusterFanout, memory]
const ROOT = fileURLToPath(new URL('../../', import.meta.url))
/** Trace edits typed for D and F: all of them, or a prefix for --quick. */
const TRACE_EDITS = { full: Number.POSITIVE_INFINITY, quick: 10_000 }

function parseList<T extends string>(value: string | undefined, known: readonly T[], what: string): T[] {
  if (value === undefined) return [...known]
  const items = value.split(',').map((item) => item.trim())
  const unknown = items.filter((item) => !(known as readonly string[]).includes(item))
  if (unknown.length > 0) throw new Error(`unknown ${what}: ${unknown.join(', ')} (known: ${known.join(', ')})`)
  return items as T[]
}

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    repeat: { type: 'string', default: '1' },
    servers: { type: 'string' },
    scenarios: { type: 'string' },
    out: { type: 'string' },
    profile: { type: 'boolean', default: false },
  },
})
const quick = args.quick === true
const repeat = Number(args.repeat)
if (!Number.isInteger(repeat) || repeat < 1) throw new Error(`--repeat must be a positive integer, got ${args.repeat}`)
const kinds = parseList(args.servers, SERVER_KINDS, 'server')
const scenarioIds = parseList(
  args.scenarios,
  SCENARIOS.map((s) => s.id),
  'scenario',
)
const scenarios = SCENARIOS.filter((s) => scenarioIds.includes(s.id))

const startedAt = new Date().toISOString()
const stamp = startedAt.replace(/[:.]/g, '-')
const logDir = join(ROOT, 'test/out/bench', stamp)
const workDir = mkdtempSync(join(tmpdir(), 'quire-bench-'))
mkdirSync(logDir, { recursive: true })

let serverCount = 0
let copyCount = 0
const bigDocs = new Map<ServerKind, Promise<BigDoc>>()

function context(kind: ServerKind, tag: string): RunContext {
  const ctx: RunContext = {
    kind,
    quick,
    startServer: (label, dataDir, env) => {
      const name = `${tag}-${label}-${++serverCount}`
      return BenchServer.start(kind, dataDir ?? join(workDir, name), join(logDir, name), args.profile === true, env)
    },
    copyDataDir: (from) => {
      const to = join(workDir, `${tag}-copy-${++copyCount}`)
      cpSync(from, to, { recursive: true })
      return to
    },
    client: (server, docName, options) => new BenchClient(server.url, docName, { expectSync: isStateful(kind), replica: options?.replica ?? true }),
    bigDoc: () => {
      let big = bigDocs.get(kind)
      if (big === undefined) {
        big = prepareBigDoc(ctx)
        bigDocs.set(kind, big)
      }
      return big
    },
  }
  return ctx
}

/**
 * Types the trace for D, then loads a copy once and stops cleanly for F (see `BigDoc`). The
 * loaded copy also meets an untimed join storm: the harness's own storm code (100 joiners each
 * parsing the whole state) is warm before F times one, or F measured the harness's JIT for
 * whichever server ran F first (0.76× the reference, against 0.23–0.33× in the later runs).
 */
async function prepareBigDoc(ctx: RunContext): Promise<BigDoc> {
  const typing = await ctx.startServer('bigdoc-type')
  const typed = await typeBigDoc(ctx, typing, quick ? TRACE_EDITS.quick : TRACE_EDITS.full)
  const loading = await ctx.startServer('bigdoc-load', ctx.copyDataDir(typed.dataDir))
  const client = ctx.client(loading, BIG_DOC)
  await readWhole(client, typed.text)
  await joinAtOnce(ctx, loading, quick ? 10 : 100, { docName: BIG_DOC, stateVector: typed.stateVector, text: typed.text })
  await client.close()
  await loading.quiesce(...WRITE_BACKLOG)
  await loading.stop()
  return { ...typed, loadedDir: loading.dataDir }
}

const runs: Run[] = []
const conditions = `${cpus().length}× ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, load average ${loadavg()[0]?.toFixed(2)} at start${quick ? ', --quick' : ''}`
console.log(`quire bench: ${conditions}; logs in ${logDir}`)
try {
  // Type the big document up front, so its minutes count against no scenario's harness CPU.
  if (scenarios.some((s) => s.bigDoc)) {
    for (const kind of kinds.filter(isStateful)) {
      const started = performance.now()
      // A failure is reported by the D and F runs of this kind, which get the same rejection.
      await context(kind, 'setup')
        .bigDoc()
        .then(
          (big) => console.log(`  ${kind}: typed ${big.edits} trace edits, stored in ${((performance.now() - started) / 1000).toFixed(1)} s`),
          (error: Error) => console.log(`  ${kind}: typing the trace failed: ${error.message}`),
        )
    }
  }
  for (let r = 1; r <= repeat; r++) {
    const order = kinds.map((_, i) => kinds[(i + r - 1) % kinds.length] as ServerKind)
    for (const scenario of scenarios) {
      for (const kind of order) {
        if (!scenario.kinds.includes(kind)) continue
        const cpuBefore = process.cpuUsage()
        const started = performance.now()
        const run: Run = { scenario: scenario.id, kind, repeat: r, metrics: {} }
        try {
          run.metrics = await scenario.run(context(kind, `${scenario.id}-${kind}-r${r}`))
          const cpu = process.cpuUsage(cpuBefore)
          run.metrics[HARNESS_CPU.key] = ((cpu.user + cpu.system) / 1000 / (performance.now() - started)) * 100
        } catch (error) {
          run.error = error instanceof Error ? error.message : String(error)
        }
        runs.push(run)
        const summary =
          run.error ??
          Object.entries(run.metrics)
            .map(([k, v]) => `${k}=${v.toFixed(1)}`)
            .join(' ')
        console.log(`  ${scenario.id} ${kind} #${r}: ${summary}`)
      }
    }
  }
} finally {
  rmSync(workDir, { recursive: true, force: true })
}

const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`
const result: BenchResult = { command, startedAt, conditions, repeat, runs }
const markdown = renderMarkdown(result, scenarios)
const full = !quick && args.servers === undefined && args.scenarios === undefined
const outDir = args.out ?? join(ROOT, 'test/bench/results')
// Only a full default run may replace the committed latest.md; partial runs write partial.md.
const jsonPath = writeResult(outDir, result, markdown, full ? 'latest.md' : 'partial.md')
const chartDir = !quick && args.servers === undefined && args.out === undefined ? join(ROOT, 'docs/bench') : join(outDir, 'charts')
const charts = writeCharts(chartDir, result, scenarios)
console.log(`\n${markdown}\nJSON: ${jsonPath}${charts.length > 0 ? `\nCharts: ${charts.join(', ')}` : ''}`)
// Exit explicitly: a failed scenario may leave sockets to a stopped server behind.
process.exit(runs.some((run) => run.error !== undefined) ? 1 : 0)
