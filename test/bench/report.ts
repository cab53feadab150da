/**
 * Turns the runs of a bench into one table (median and range per metric and server, and the
 * ratios quire/peer), checks the targets of issues 6 and 13 against ratios measured in the same
 * run, and writes the JSON and Markdown forms and the sweeps' SVG charts.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { type Line, renderChart } from './chart.js'
import { type Metric, type Scenario, sweepKey, sweepX } from './scenario.js'
import { SERVER_KINDS, type ServerKind } from './servers.js'
import { summarize } from './stats.js'

/** One scenario run against one server kind. */
export interface Run {
  scenario: string
  kind: ServerKind
  repeat: number
  metrics: Record<string, number>
  error?: string
}

export interface BenchResult {
  command: string
  startedAt: string
  conditions: string
  repeat: number
  runs: Run[]
}

/** The harness's own CPU, added to every run because it shares the 2 cores with the server. */
export const HARNESS_CPU: Metric = { key: 'harnessCpu', label: 'harness CPU (of one core)', unit: '%', better: 'lower' }

/** Median and range of one metric of one server over the repeats. */
type Stats = (scenario: string, metric: string, kind: ServerKind) => ReturnType<typeof summarize>

/** A target from the issue: what it says and whether quire meets it (undefined when unmeasured). */
interface Target {
  text: string
  check(stats: Stats, perRun: PerRun): boolean | undefined
}

/** quire's median divided by a peer's, undefined when either is missing. */
function ratio(stats: Stats, scenario: string, metric: string, peer: ServerKind): number | undefined {
  const value = stats(scenario, metric, 'quire').median / stats(scenario, metric, peer).median
  return Number.isFinite(value) ? value : undefined
}

function atMost(scenario: string, metric: string, peer: ServerKind, bound: number): Target {
  return {
    text: `${scenario} ${metric}: quire ≤ ${bound}× ${peer}`,
    check: (stats) => {
      const r = ratio(stats, scenario, metric, peer)
      return r === undefined ? undefined : r <= bound
    },
  }
}

/** quire/peer ratios of one metric, repeat by repeat (each pair measured in the same repeat). */
type PerRun = (scenario: string, metric: string, peer: ServerKind) => number[]

/** A target that must hold in every repeat, not only for the medians. */
function everyRun(scenario: string, metric: string, peer: ServerKind, holds: (ratio: number) => boolean, bound: string): Target {
  return {
    text: `${scenario} ${metric}: quire ${bound}× ${peer} in every run`,
    check: (_stats, perRun) => {
      const ratios = perRun(scenario, metric, peer)
      return ratios.length === 0 ? undefined : ratios.every(holds)
    },
  }
}

const TARGETS: Target[] = [
  atMost('A', 'p99', 'reference', 1),
  atMost('A', 'p99', 'relay', 1.5),
  everyRun('B', 'updatesPerSec', 'reference', (r) => r >= 1.5, '≥ 1.5'),
  atMost('C', 'rssPerConn', 'reference', 0.75),
  {
    text: 'C memory returns: quire retains ≤ half of its peak growth 5 s after 1,000 docs closed',
    check: (stats) => {
      const retained = stats('C', 'docsRetainedMb', 'quire').median
      const peak = stats('C', 'docsPeakMb', 'quire').median
      return Number.isFinite(retained) && Number.isFinite(peak) ? retained <= peak / 2 : undefined
    },
  },
  atMost('D', 'loadMs', 'reference', 0.5),
  atMost('D', 'diskKb', 'reference', 0.5),
  {
    text: 'E lost: quire loses 0 confirmed edits (in every repeat)',
    check: (stats) => {
      const worst = stats('E', 'lost', 'quire').max
      return Number.isFinite(worst) ? worst === 0 : undefined
    },
  },
  everyRun('F', 'allJoinedMs', 'reference', (r) => r <= 0.5, '≤ 0.5'),
  atMost('K', 'idleRssMb', 'reference', 1),
]

function format(value: number): string {
  if (!Number.isFinite(value)) return '–'
  const abs = Math.abs(value)
  const digits = abs >= 100 || value === Math.round(value) ? 0 : abs >= 10 ? 1 : 2
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 })
}

/** The Markdown report: conditions, the table and the targets. */
export function renderMarkdown(result: BenchResult, scenarios: readonly Scenario[]): string {
  const values = (scenario: string, metric: string, kind: ServerKind): number[] =>
    result.runs.filter((run) => run.scenario === scenario && run.kind === kind && run.error === undefined).map((run) => run.metrics[metric] ?? Number.NaN)
  const stats: Stats = (scenario, metric, kind) => summarize(values(scenario, metric, kind))
  const perRun: PerRun = (scenario, metric, peer) => {
    const theirs = new Map(result.runs.filter((run) => run.scenario === scenario && run.kind === peer && run.error === undefined).map((run) => [run.repeat, run.metrics[metric]]))
    return result.runs
      .filter((run) => run.scenario === scenario && run.kind === 'quire' && run.error === undefined)
      .map((run) => (run.metrics[metric] ?? Number.NaN) / (theirs.get(run.repeat) ?? Number.NaN))
      .filter(Number.isFinite)
  }
  const kinds = SERVER_KINDS.filter((kind) => result.runs.some((run) => run.kind === kind))
  const peers = kinds.filter((kind) => kind !== 'quire')
  const showQuireRatios = kinds.includes('quire')

  const cell = (scenario: string, metric: string, kind: ServerKind): string => {
    const runs = result.runs.filter((run) => run.scenario === scenario && run.kind === kind)
    if (runs.length === 0) return 'n/a'
    if (runs.every((run) => run.error !== undefined)) return 'error'
    const { median: mid, min, max } = stats(scenario, metric, kind)
    return result.repeat > 1 ? `${format(mid)} (${format(min)}–${format(max)})` : format(mid)
  }

  const header = ['scenario', 'metric', 'unit', ...kinds, ...(showQuireRatios ? peers.map((peer) => `quire/${peer}`) : [])]
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`]
  for (const scenario of scenarios) {
    for (const metric of [...scenario.metrics, HARNESS_CPU]) {
      const ratios = showQuireRatios
        ? peers.map((peer) => {
            const r = ratio(stats, scenario.id, metric.key, peer)
            return r === undefined ? '–' : `${r.toFixed(2)}×`
          })
        : []
      const row = [scenario.id, metric.label, metric.unit, ...kinds.map((kind) => cell(scenario.id, metric.key, kind)), ...ratios]
      lines.push(`| ${row.join(' | ')} |`)
    }
  }

  const errors = result.runs.filter((run) => run.error !== undefined)
  const targets = showQuireRatios
    ? TARGETS.map((target) => {
        const met = target.check(stats, perRun)
        return `- ${met === undefined ? '➖ not measured' : met ? '✅ met' : '❌ missed'}: ${target.text}`
      })
    : []
  return [
    '# quire benchmarks',
    '',
    `Command: \`${result.command}\``,
    `Started: ${result.startedAt}; ${result.conditions}`,
    result.repeat > 1 ? `Each cell: median (min–max) of ${result.repeat} runs.` : 'Each cell: one run.',
    `Scenarios: ${scenarios.map((s) => `${s.id}. ${s.title}`).join('; ')}.`,
    '',
    ...lines,
    '',
    ...(targets.length > 0 ? ['## Targets', '', ...targets, ''] : []),
    ...(errors.length > 0 ? ['## Errors', '', ...errors.map((run) => `- ${run.scenario}/${run.kind} #${run.repeat}: ${run.error}`), ''] : []),
  ].join('\n')
}

/** Writes `<dir>/<timestamp>.json` and `<dir>/<markdownName>`; returns the JSON path. */
export function writeResult(dir: string, result: BenchResult, markdown: string, markdownName: string): string {
  mkdirSync(dir, { recursive: true })
  const jsonPath = join(dir, `${result.startedAt.replace(/[:.]/g, '-')}.json`)
  writeFileSync(jsonPath, `${JSON.stringify(result, null, 2)}\n`)
  writeFileSync(join(dir, markdownName), markdown)
  return jsonPath
}

/** Line colours per server kind, the same in every chart. */
const COLORS: Record<ServerKind, string> = { quire: '#1f6fb4', reference: '#e5760e', relay: '#7a7a7a' }

/**
 * Draws every chart of the scenarios that ran into `dir` (medians over the repeats); returns the
 * files written. A chart whose sweep produced no numbers is not written.
 */
export function writeCharts(dir: string, result: BenchResult, scenarios: readonly Scenario[]): string[] {
  const written: string[] = []
  for (const scenario of scenarios) {
    for (const spec of scenario.charts ?? []) {
      const lines: Line[] = []
      for (const kind of SERVER_KINDS) {
        const runs = result.runs.filter((run) => run.scenario === scenario.id && run.kind === kind && run.error === undefined)
        spec.series.forEach((series, index) => {
          const xs = new Set(runs.flatMap((run) => Object.keys(run.metrics).flatMap((key) => sweepX(key, series.key) ?? [])))
          const points = [...xs].map((x) => [x, summarize(runs.map((run) => run.metrics[sweepKey(series.key, x)] ?? Number.NaN)).median] as const).filter(([, y]) => Number.isFinite(y))
          if (points.length > 0) lines.push({ name: spec.series.length > 1 ? `${kind} ${series.label}` : kind, color: COLORS[kind], dashed: index > 0, points })
        })
      }
      if (lines.length === 0) continue
      const runs = result.repeat > 1 ? `median of ${result.repeat} runs` : 'one run'
      mkdirSync(dir, { recursive: true })
      const path = join(dir, spec.file)
      writeFileSync(path, renderChart({ title: spec.title, xLabel: spec.xLabel, yLabel: spec.yLabel, lines, note: `${result.command}; ${runs}; ${result.conditions}` }))
      written.push(path)
    }
  }
  return written
}
