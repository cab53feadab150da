import * as Y from 'yjs'
import { StoreError } from './store.js'

/**
 * Merges stored records into one update for compaction, keeping deleted content (what version
 * history builds on), as `Y.mergeUpdates` does. The records are applied to a `Y.Doc` that does not
 * garbage-collect and its state encoded: that keeps every deleted item's content too, and so does
 * what the doc cannot integrate yet (records whose dependencies are missing: `encodeStateAsUpdate`
 * adds the doc's pending updates), but integration joins consecutive keystrokes into one item,
 * where `Y.mergeUpdates` keeps one item per keystroke. On the first 60,000 edits of the
 * automerge-paper trace, compacted every 500 records, that is 107 KB and 1 s of merging in all
 * against 882 KB and 6 s, and a load of 2 ms against 323 ms (a gc'ing doc: 95 KB and 1.7 s).
 *
 * Throws `StoreError('corrupt')` when a record is not a valid update, before anything is written,
 * so the stored bytes stay as they were.
 */
export function mergeRecords(name: string, records: Uint8Array[]): Uint8Array {
  const doc = new Y.Doc({ gc: false })
  try {
    Y.transact(doc, () => {
      for (const record of records) Y.applyUpdate(doc, record)
    })
    return Y.encodeStateAsUpdate(doc)
  } catch (error) {
    throw new StoreError('corrupt', `document "${name}": its records cannot be merged (${(error as Error).message})`, { cause: error })
  } finally {
    doc.destroy()
  }
}
