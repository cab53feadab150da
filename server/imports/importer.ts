import { Worker } from 'node:worker_threads'
import type { FormatName } from '../../shared/content/formats.js'
import { ContentError, ContentLimitError } from '../../shared/content/limits.js'

/** One import for the worker: the text, its format, and the state of the document it replaces. */
export interface ImportJob {
  format: FormatName
  text: string
  state: Uint8Array
}

/** One export for the worker: the state of a document and the format to render it in. */
export interface RenderJob {
  format: FormatName
  state: Uint8Array
}

/** What the worker is asked: an import or an export. */
export type WorkerJob = ({ kind: 'import' } & ImportJob) | ({ kind: 'render' } & RenderJob)

/** The worker's answer: the updates or the rendering, or why there are none. */
export type WorkerResult = { ok: true; updates: Uint8Array[] } | { ok: true; text: string } | { ok: false; refused: 'too-large' | 'invalid' | 'failed'; message: string }

/**
 * Turns imported text into Yjs updates (`importUpdates`), and renders big documents
 * (`renderState`), somewhere other than the caller's thread. Rejects with `ContentLimitError` for text over the import limits (or one that needs
 * more memory than an import may use) and `ContentError` for text that is not its format.
 */
export interface Importer {
  updates(job: ImportJob): Promise<Uint8Array[]>
  /** Renders a document's state (for exports of documents too big to render on the event loop). */
  render(job: RenderJob): Promise<string>
  /** Stops the worker; an import still running is rejected. */
  close(): Promise<void>
}

/**
 * Memory an import may use, in MiB: the worker's heap limit. An import that needs more ends
 * only its worker, with 413, instead of the whole server with "heap out of memory".
 */
export const IMPORT_HEAP_MB = 1024

/**
 * An `Importer` on worker threads. Parsing megabytes of Markdown or HTML and building the Yjs
 * items takes seconds of CPU and hundreds of MiB; off the event loop, every socket and request
 * (and `/healthz`) is answered meanwhile. Jobs run one at a time, in order, so two big imports
 * never hold their memory at once, each on a fresh worker that ends with it: its memory goes
 * back at once, and one that ran out of it leaves nothing behind.
 */
export class WorkerImporter implements Importer {
  private queue: Promise<unknown> = Promise.resolve()
  private current: Worker | null = null

  async updates(job: ImportJob): Promise<Uint8Array[]> {
    const result = await this.enqueue({ kind: 'import', ...job })
    return 'updates' in result ? result.updates : []
  }

  async render(job: RenderJob): Promise<string> {
    const result = await this.enqueue({ kind: 'render', ...job })
    return 'text' in result ? result.text : ''
  }

  private enqueue(job: WorkerJob): Promise<WorkerResult & { ok: true }> {
    const run = this.queue.then(() => this.run(job))
    this.queue = run.catch(() => undefined)
    return run
  }

  async close(): Promise<void> {
    await this.current?.terminate()
  }

  private run(job: WorkerJob): Promise<WorkerResult & { ok: true }> {
    // Compiled, this file and the worker sit side by side in dist/server/imports/.
    const worker = new Worker(new URL('./worker.js', import.meta.url), { resourceLimits: { maxOldGenerationSizeMb: IMPORT_HEAP_MB } })
    this.current = worker
    return new Promise<WorkerResult & { ok: true }>((resolve, reject) => {
      worker.once('message', (result: WorkerResult) => {
        if (result.ok) resolve(result)
        else reject(result.refused === 'too-large' ? new ContentLimitError(result.message) : result.refused === 'invalid' ? new ContentError(result.message) : new Error(result.message))
      })
      worker.once('error', (error: Error & { code?: string }) => {
        reject(error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? new ContentLimitError(`the import needs more than the ${IMPORT_HEAP_MB} MiB of memory an import may use`) : error)
      })
      // After an answer this changes nothing; before one, the worker was stopped (by `close`).
      worker.once('exit', () => reject(new Error('the import worker stopped')))
      worker.postMessage(job)
    }).finally(() => {
      this.current = null
      void worker.terminate()
    })
  }
}
