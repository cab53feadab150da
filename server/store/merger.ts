import { Worker } from 'node:worker_threads'
import { mergeRecords } from './merge.js'
import { StoreError } from './store.js'

/** A merge for the worker: the records back to back in one buffer (transferred, not copied), and where each ends. */
export interface MergeJob {
  id: number
  name: string
  packed: ArrayBuffer
  ends: number[]
}

/** The worker's answer to job `id`: the merged update, or why the records cannot be merged. */
export type MergeReply = { id: number; merged: Uint8Array } | { id: number; corrupt: string }

/**
 * Copies `records` into one buffer for the job to transfer. Posting the records themselves would
 * copy the whole buffer under each of them, and a store may hand out views into shared pools.
 */
export function packRecords(records: Uint8Array[]): { packed: ArrayBuffer; ends: number[] } {
  const packed = new Uint8Array(records.reduce((sum, record) => sum + record.byteLength, 0))
  const ends: number[] = []
  let end = 0
  for (const record of records) {
    packed.set(record, end)
    ends.push((end += record.byteLength))
  }
  return { packed: packed.buffer, ends }
}

/** The records of a packed job, as views into its buffer. */
export function unpackRecords(packed: ArrayBuffer, ends: number[]): Uint8Array[] {
  return ends.map((end, i) => new Uint8Array(packed, ends[i - 1] ?? 0, end - (ends[i - 1] ?? 0)))
}

/** Where merges run (see `Merger`). */
export interface MergerOptions {
  /** Records smaller than this, all together, are merged on the caller's thread. */
  inPlaceBytes: number
  /** How long the thread outlives its last merge before it ends and its memory goes back. */
  idleMs: number
}

const DEFAULTS: MergerOptions = { inPlaceBytes: 64 * 1024, idleMs: 30_000 }

/**
 * Runs a compaction's `mergeRecords` where it costs editors least. A merge applies every record
 * to a fresh document and encodes it, so its cost grows with the document: on the event loop,
 * merging a long one held every editor on the server for tens of milliseconds. Records of 64 KiB
 * and more are merged on a worker thread, which starts with the first such merge and ends once
 * idle for `idleMs`; smaller ones (a millisecond or two) are merged in place, since the thread
 * costs about 4 ms of the event loop to start and 16 MiB while it runs, and closing 1,000 small
 * documents would otherwise pay both for nothing. The thread keeps the process alive only while a
 * merge is pending, so a CLI command waits for its merge and an idle server exits as before.
 */
export class Merger {
  private worker: Worker | null = null
  private readonly pending = new Map<number, { resolve: (merged: Uint8Array) => void; reject: (error: Error) => void }>()
  private lastId = 0
  private idleTimer: NodeJS.Timeout | null = null

  constructor(private readonly options: MergerOptions = DEFAULTS) {}

  /** Whether the worker thread is running (not before the first big merge, nor once idle for `idleMs`). */
  get threadRunning(): boolean {
    return this.worker !== null
  }

  /** Merges `records` of document `name`; rejects with `StoreError('corrupt')` when one is not a valid update. */
  async merge(name: string, records: Uint8Array[]): Promise<Uint8Array> {
    const bytes = records.reduce((sum, record) => sum + record.byteLength, 0)
    return bytes < this.options.inPlaceBytes ? mergeRecords(name, records) : this.onThread(name, records)
  }

  private onThread(name: string, records: Uint8Array[]): Promise<Uint8Array> {
    const worker = this.worker ?? this.start()
    if (this.idleTimer) clearTimeout(this.idleTimer)
    this.idleTimer = null
    if (this.pending.size === 0) worker.ref()
    const id = ++this.lastId
    const { packed, ends } = packRecords(records)
    const merged = new Promise<Uint8Array>((resolve, reject) => this.pending.set(id, { resolve, reject }))
    worker.postMessage({ id, name, packed, ends } satisfies MergeJob, [packed])
    return merged
  }

  private start(): Worker {
    const worker = spawn()
    this.worker = worker
    worker.on('message', (reply: MergeReply) => {
      const job = this.pending.get(reply.id)
      this.pending.delete(reply.id)
      if ('merged' in reply) job?.resolve(reply.merged)
      else job?.reject(new StoreError('corrupt', reply.corrupt))
      if (this.pending.size === 0 && this.worker === worker) this.idle(worker)
    })
    // A worker that failed or ended takes its pending merges with it; the next merge starts another.
    const stopped = (error: Error) => {
      if (this.worker !== worker) return
      this.worker = null
      for (const job of this.pending.values()) job.reject(new StoreError('unavailable', `merging records failed: ${error.message}`, { cause: error }))
      this.pending.clear()
    }
    worker.on('error', stopped)
    worker.on('exit', (code) => stopped(new Error(`the merge thread exited (code ${code})`)))
    return worker
  }

  private idle(worker: Worker): void {
    worker.unref()
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null
      if (this.worker === worker) this.worker = null
      void worker.terminate()
    }, this.options.idleMs).unref()
  }
}

/**
 * Starts the worker. Compiled, its entry sits beside this file in `dist/`; run from source (as
 * the unit tests do) it is TypeScript, which a worker's own loader cannot read, so tsx loads it.
 */
function spawn(): Worker {
  const entry = new URL(`./merge-worker${import.meta.url.slice(import.meta.url.lastIndexOf('.'))}`, import.meta.url)
  if (entry.pathname.endsWith('.js')) return new Worker(entry)
  return new Worker(`import('tsx/esm/api').then(({ tsImport }) => tsImport(${JSON.stringify(entry.href)}, ${JSON.stringify(import.meta.url)}))`, { eval: true })
}

/** The process's merger, shared by its stores. */
export const merger = new Merger()
