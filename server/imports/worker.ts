import { parentPort } from 'node:worker_threads'
import { ContentError, ContentLimitError } from '../../shared/content/limits.js'
import type { WorkerJob, WorkerResult } from './importer.js'
import { renderState } from './render.js'
import { importUpdates } from './replacement.js'

// The thread of `WorkerImporter`: one job, answered with its updates or rendering, or its failure.
parentPort!.on('message', (job: WorkerJob) => {
  let result: WorkerResult
  try {
    result = job.kind === 'import' ? { ok: true, updates: importUpdates(job.format, job.text, job.state) } : { ok: true, text: renderState(job.format, job.state) }
  } catch (error) {
    const refused = error instanceof ContentLimitError ? 'too-large' : error instanceof ContentError ? 'invalid' : 'failed'
    result = { ok: false, refused, message: (error as Error).message }
  }
  parentPort!.postMessage(result, result.ok && 'updates' in result ? result.updates.map((update) => update.buffer as ArrayBuffer) : [])
})
