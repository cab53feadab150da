import type { SyncEvents } from './sync/events.js'

/** When the server releases memory (see `MemoryRelease`). */
export interface MemoryReleaseOptions {
  /** How long no message may come in before the server counts as quiet. */
  quietMs: number
  /** How much the RSS must have grown since the last release for another to be worth its pause. */
  minGrowthBytes: number
}

const DEFAULT_OPTIONS: MemoryReleaseOptions = { quietMs: 1000, minGrowthBytes: 8 * 1024 * 1024 }

/**
 * Gives memory back to the OS once the server has gone quiet after growing: after it started,
 * after a crowd connected, after documents closed.
 *
 * V8 keeps what it grew into: a young generation doubled while connections came in, old-space
 * pages emptied when documents closed. It returns them only when its memory reducer runs, many
 * seconds later or not at all, so an idle server sat at its peak (1,000 documents opened and
 * closed left 60 MiB). A memory-reducing GC (V8's `LowMemoryNotification`, reachable from JS only
 * through the in-process inspector's `HeapProfiler.collectGarbage`) takes about 10 ms; it runs
 * only when no message has come in for a second and the RSS grew by 8 MiB since the last one, so
 * nobody typing waits for it and a server at rest does it once.
 */
export class MemoryRelease {
  /** Whether a message came in since the last check. */
  private busy = false
  /** The RSS after the last release (0 before the first, which follows startup). */
  private baseline = 0
  private releasing = false
  private readonly timer: NodeJS.Timeout

  constructor(
    private readonly events: SyncEvents,
    /** Told of each release: the RSS before and after, and how long it took. */
    private readonly onRelease: (release: { beforeBytes: number; afterBytes: number; ms: number }) => void,
    private readonly options = DEFAULT_OPTIONS,
  ) {
    events.on('message.in', this.markBusy)
    this.timer = setInterval(this.check, options.quietMs).unref()
  }

  stop(): void {
    clearInterval(this.timer)
    this.events.off('message.in', this.markBusy)
  }

  private readonly markBusy = (): void => {
    this.busy = true
  }

  private readonly check = (): void => {
    if (this.busy) {
      this.busy = false
      return
    }
    const before = process.memoryUsage.rss()
    if (this.releasing || before - this.baseline < this.options.minGrowthBytes) return
    this.releasing = true
    const started = performance.now()
    releaseMemory().then(
      () => {
        this.releasing = false
        this.baseline = process.memoryUsage.rss()
        this.onRelease({ beforeBytes: before, afterBytes: this.baseline, ms: performance.now() - started })
      },
      // A Node built without the inspector cannot release early; V8's own reducer still runs.
      () => this.stop(),
    )
  }
}

/** Runs V8's memory-reducing GC through an in-process inspector session (no port is opened). */
async function releaseMemory(): Promise<void> {
  const { Session } = await import('node:inspector')
  const session = new Session()
  session.connect()
  try {
    await new Promise<void>((resolve, reject) => session.post('HeapProfiler.collectGarbage', (error) => (error ? reject(error) : resolve())))
  } finally {
    // Disconnecting from within the session's callback stalls the event loop (Node 20).
    setImmediate(() => session.disconnect())
  }
}
