/**
 * What a scenario is to the harness: an id, the metrics it reports, and a `run` that drives one
 * server kind and returns one number per metric. Scenarios start their own servers through the
 * context, so every server is started, loaded and measured by the same code.
 */
import type { BenchServer, ServerKind } from './servers.js'
import type { BenchClient } from './client.js'
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
  /** Starts a server of this kind on a fresh data dir (or `dataDir`), logging under the run's log dir. */
  startServer(label: string, dataDir?: string): Promise<BenchServer>
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
  /** False when the scenario needs state or disk, which the bare relay does not have. */
  relay: boolean
  /** True when the scenario loads the typed trace, which main prepares up front. */
  bigDoc: boolean
  run(ctx: RunContext): Promise<Record<string, number>>
}
