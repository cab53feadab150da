import { parentPort } from 'node:worker_threads'
import { ContentError, ContentLimitError } from '../../shared/content/limits.js'
import type { ImportJob, ImportResult } from './importer.js'
import { importUpdates } from './replacement.js'

// The thread of `WorkerImporter`: one job at a time, each answered with its updates or its failure.
parentPort!.on('message', ({ format, text, state }: ImportJob) => {
  let result: ImportResult
  try {
    result = { ok: true, updates: importUpdates(format, text, state) }
  } catch (error) {
    const refused = error instanceof ContentLimitError ? 'too-large' : error instanceof ContentError ? 'invalid' : 'failed'
    result = { ok: false, refused, message: (error as Error).message }
  }
  parentPort!.postMessage(result, result.ok ? result.updates.map((update) => update.buffer as ArrayBuffer) : [])
})
