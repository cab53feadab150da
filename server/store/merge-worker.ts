import { parentPort } from 'node:worker_threads'
import { mergeRecords } from './merge.js'
import { type MergeJob, type MergeReply, unpackRecords } from './merger.js'

// The thread of `Merger`: merges each job's records and answers with the update (transferred) or why it cannot.
parentPort!.on('message', ({ id, name, packed, ends }: MergeJob) => {
  let merged: Uint8Array
  try {
    merged = mergeRecords(name, unpackRecords(packed, ends))
  } catch (error) {
    parentPort!.postMessage({ id, corrupt: (error as Error).message } satisfies MergeReply)
    return
  }
  parentPort!.postMessage({ id, merged } satisfies MergeReply, [merged.buffer as ArrayBuffer])
})
