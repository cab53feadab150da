/**
 * What a scenario is to the harness: an id, the metrics it reports, and a `run` that drives one
 * server kind and returns one number per metric. Scenarios start their own servers through the
 * context, so every server is started, loaded and measured by the same code.
 */

import type { BenchClient } from './client.js'
import type { BenchServer, ServerKind } from './servers.js'
import type { BigDoc } from './trace.js'

/** Which way a metric is better, so the report can say whether a ratio is a win. */
export type Better = 'lower' | 'higher'

export interface Metric {
  key: string
  label: string
  unit: string
  better: Better
}

/** What a scenario gets for one run against one server kind. */
export interface RunContext {
  kind: ServerKind
  quick: boolean
  /**
   * Starts a server of this kind on a fresh data dir (or `dataDir`), logging under the run's log
   * dir, with `env` added to its environment.
   */
  startServer(label: string, dataDir?: string, env?: NodeJS.ProcessEnv): Promise<BenchServer>
  /** A private copy of a data dir, so a run can change it without changing what the next run reads. */
  copyDataDir(from: string): string
  /**
   * A client for this kind's server: the same client for every kind, only the sync expectation
   * differs. `replica: false` makes it a load generator (see `BenchClient`).
   */
  client(server: BenchServer, docName: string, options?: { replica: boolean }): BenchClient
  /** The `automerge-paper` trace typed into a stopped server's data dir, shared by D and F within a bench run. */
  bigDoc(): Promise<BigDoc>
}

export interface Scenario {
  id: string
  title: string
  metrics: readonly Metric[]
  /**
   * The server kinds the scenario means something for: not the bare relay when it needs state or
   * disk, quire alone for quire's own modes (cluster).
   */
  kinds: readonly ServerKind[]
  /** True when the scenario loads the typed trace, which main prepares up front. */
  bigDoc: boolean
  run(ctx: RunContext): Promise<Record<string, number>>
  /** Line charts drawn from this scenario's sweep metrics (see `ChartSpec`). */
  charts?: readonly ChartSpec[]
}

/**
 * One SVG chart of a sweep. A sweep names its metrics `<series>@<x>` (`p99@200`: p99 latency
 * with 200 readers); the chart draws, for every server kind and every series, the medians over x.
 */
export interface ChartSpec {
  /** File name under docs/bench/. */
  file: string
  title: string
  xLabel: string
  yLabel: string
  /** Metric key prefixes to draw, each a line per server kind (the first solid, later ones dashed). */
  series: readonly { key: string; label: string }[]
}

/** The metric key of sweep point `x` of `series` (see `ChartSpec`). */
export function sweepKey(series: string, x: number): string {
  return `${series}@${x}`
}

/** The x of `key` if it is a point of `series` (see `sweepKey`). */
export function sweepX(key: string, series: string): number | undefined {
  return key.startsWith(`${series}@`) ? Number(key.slice(series.length + 1)) : undefined
}

/** One metric per sweep point and series, in table order: all points of the first series first. */
export function sweepMetrics(series: readonly Metric[], xs: readonly number[], xUnit: string): Metric[] {
  return series.flatMap((metric) => xs.map((x) => ({ ...metric, key: sweepKey(metric.key, x), label: `${metric.label}, ${x.toLocaleString('en-US')} ${xUnit}` })))
}
