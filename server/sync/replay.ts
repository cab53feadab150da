import * as Y from 'yjs'
import { StoreError } from '../store/store.js'

/**
 * Applies stored records to `doc` in one transaction and returns their total size. Throws
 * `StoreError('corrupt')` naming the first record that is not a valid Yjs update, so a damaged
 * document is refused with the record to look at instead of being served half-loaded.
 */
export function replay(doc: Y.Doc, name: string, updates: Uint8Array[]): number {
  let bytes = 0
  Y.transact(doc, () => {
    for (const [index, update] of updates.entries()) {
      try {
        Y.applyUpdate(doc, update)
      } catch (error) {
        throw new StoreError('corrupt', `document "${name}": record ${index + 1} of ${updates.length} is not a valid Yjs update (${(error as Error).message})`, { cause: error })
      }
      bytes += update.byteLength
    }
  })
  return bytes
}
