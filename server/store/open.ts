import { join } from 'node:path'
import { LevelStore } from './level.js'
import type { DocStore } from './store.js'

/** Where the LevelDB store lives inside a data dir. */
export const storeDir = (dataDir: string) => join(dataDir, 'docs')

/** Opens the store for a data dir: the one place that names a concrete store. */
export function openStore(dataDir: string): Promise<DocStore> {
  return LevelStore.open(storeDir(dataDir))
}
