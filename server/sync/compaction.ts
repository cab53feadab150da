import type { Compaction } from '../store/store.js'

/**
 * When a document's stored records are merged into one. Past `threshold` records, a merge also
 * waits until the bytes appended since the last merge reach half the merged size: rewriting a big
 * document every few hundred keystrokes would cost quadratic work and disk writes, while a load
 * still reads at most 1.5 times the state. Concurrent requests share one merge.
 */
export class CompactionPolicy {
  private appendedBytes = 0
  private compactedBytes = 0
  private running: Promise<void> | null = null

  constructor(
    private readonly threshold: number,
    /** Records the document has in the store. */
    private records: number,
    /** Resolves once every update taken so far is stored: a merge starts from there. */
    private readonly settled: () => Promise<void>,
    /** Has the store merge its records; `null` when nothing was merged. */
    private readonly merge: () => Promise<Compaction | null>,
    /** Called with the error of a merge nobody waits for (one started by the threshold). */
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Counts one stored record; starts a merge when the policy says it is due. */
  appended(bytes: number): void {
    this.records += 1
    this.appendedBytes += bytes
    if (this.due) void this.request().catch(this.onError)
  }

  /** Merges now, once everything taken is stored (or joins the merge that is running). */
  request(): Promise<void> {
    this.running ??= this.run().then(
      (merged) => {
        this.running = null
        // Records stored while this merge ran may have passed the threshold again, and no further
        // append may come to notice it.
        if (merged && this.due) void this.request().catch(this.onError)
      },
      (error: unknown) => {
        this.running = null
        throw error
      },
    )
    return this.running
  }

  private get due(): boolean {
    return this.records >= this.threshold && this.appendedBytes * 2 >= this.compactedBytes
  }

  private async run(): Promise<boolean> {
    await this.settled()
    if (this.records <= 1) return false
    const appended = this.appendedBytes
    const merged = await this.merge()
    if (!merged) return false
    // The store may have merged records other instances appended, which this room never counted.
    this.records = Math.max(1, this.records - merged.records + 1)
    this.appendedBytes -= appended
    this.compactedBytes = merged.bytes
    return true
  }
}
