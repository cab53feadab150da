import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { Level } from 'level'
import * as Y from 'yjs'
import {
  decodeMeta,
  decodeProblem,
  encodeMeta,
  encodeProblem,
  META,
  META_RANGE,
  type MetaRecord,
  metaKey,
  RECORDS_RANGE,
  recordName,
  recordRange,
  recount,
  STATE_RANGE,
  UNREADABLE,
  UNREADABLE_RANGE,
  unreadableKey,
} from './level-keys.js'
import { StoreError } from './store.js'

/** What `repairLevelStore` found, document by document. */
export interface RepairReport {
  /** Documents that load in full, sorted by name. */
  readable: string[]
  /** Documents that are gone or load only in part, with why; sorted by name. */
  unreadable: Array<{ name: string; problem: string }>
  /**
   * Paths of the table files in `lost/`, sorted: LevelDB's repair moves there each table it
   * cannot read in full (this time or an earlier one). Documents whose every key was in one are
   * in neither list above, so while any is there, the lists may not be every document there was.
   */
  lostTables: string[]
}

/**
 * `quire repair` for the LevelDB store in `dir`, which must not be open anywhere. LevelDB's own
 * repair rebuilds the table index from whatever table blocks and logs it can still read (the rest
 * goes to `lost/`). Then every document is checked: metadata missing or unreadable is rebuilt from
 * its records, stale metadata is recounted, and a document whose records cannot all be read,
 * decoded and integrated is listed and marked unreadable (`UNREADABLE`), its bytes left as they
 * are, for a backup or `quire rm`: the store then refuses it rather than serve what is left, and
 * later repairs list it again without looking at it. Saved states are dropped.
 *
 * Documents that lost every key are only known if their names could be read before the repair:
 * a damaged table stops LevelDB's iteration where it is, so the names are read up to there. The
 * tables that held them are reported instead (`lostTables`), on every repair until deleted.
 */
export async function repairLevelStore(dir: string): Promise<RepairReport> {
  const before = await namesBeforeRepair(dir)
  // reason: in Node `level` is `classic-level`, which has the static repair; the browser half of its type union hides it.
  await (Level as unknown as { repair(location: string): Promise<void> }).repair(dir)
  const db = new Level<string, Uint8Array>(dir, { valueEncoding: 'view' })
  await db.open()
  try {
    // Saved states are caches of the records; after a repair they may speak for records that are
    // gone, so they go (the next close of each document saves a fresh one).
    await db.clear(STATE_RANGE)
    const metas = new Map<string, Uint8Array>()
    for await (const [key, value] of db.iterator(META_RANGE)) metas.set(key.slice(META.length), value)
    const withRecords = new Set<string>()
    for await (const key of db.keys(RECORDS_RANGE)) withRecords.add(recordName(key))
    const marked = new Map<string, string>()
    for await (const [key, value] of db.iterator(UNREADABLE_RANGE)) marked.set(key.slice(UNREADABLE.length), decodeProblem(value))
    const report: RepairReport = { readable: [], unreadable: [], lostTables: lostTables(dir) }
    for (const name of [...new Set([...before, ...metas.keys(), ...withRecords, ...marked.keys()])].sort()) {
      const problem = marked.get(name) ?? (await checkDocument(db, name, metas.get(name), withRecords.has(name)))
      if (!problem) {
        report.readable.push(name)
        continue
      }
      report.unreadable.push({ name, problem })
      if (!marked.has(name)) await db.put(unreadableKey(name), encodeProblem(problem))
    }
    return report
  } finally {
    await db.close()
  }
}

/**
 * The table files in `dir`'s `lost/`. Every repair also moves the old manifest and logs there,
 * after rebuilding the store from them, so only tables (`.ldb`, or `.sst` from older LevelDB
 * versions) mean a file was not recovered. (Records of a damaged log that LevelDB skips leave no
 * such trace.)
 */
function lostTables(dir: string): string[] {
  const lost = join(dir, 'lost')
  try {
    return readdirSync(lost)
      .filter((file) => /\.(ldb|sst)$/.test(file))
      .sort()
      .map((file) => join(lost, file))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw error
  }
}

/** Names of the documents the damaged store holds, as far as they can be read; fails if it is in use. */
async function namesBeforeRepair(dir: string): Promise<Set<string>> {
  const db = new Level<string, Uint8Array>(dir, { valueEncoding: 'view' })
  try {
    await db.open({ createIfMissing: false })
  } catch (error) {
    const code = (error as { cause?: { code?: string } }).cause?.code
    if (code === 'LEVEL_LOCKED') throw new StoreError('locked', `the LevelDB store in ${dir} is in use by another process: stop it first`, { cause: error })
    // Damage that keeps LevelDB from opening at all is what the repair is for.
    return new Set()
  }
  const names = new Set<string>()
  try {
    for await (const key of db.keys(META_RANGE)) names.add(key.slice(META.length))
  } catch {
    // Read up to the damage: the names after it are found by the repair, or not at all.
  } finally {
    await db.close()
  }
  return names
}

/** Rebuilds what can be rebuilt of one document; the problem it is left with, or `null`. */
async function checkDocument(db: Level<string, Uint8Array>, name: string, rawMeta: Uint8Array | undefined, hasRecords: boolean): Promise<string | null> {
  if (!rawMeta && !hasRecords) return 'lost: its metadata and records were in a damaged part of the store'
  let meta: MetaRecord | null = null
  try {
    meta = rawMeta ? decodeMeta(rawMeta) : null
  } catch {
    // Rebuilt below from the records, which are what matters.
  }
  if (!hasRecords) return meta && meta.updates > 0 ? 'lost: its records were in a damaged part of the store' : null
  const records: Uint8Array[] = []
  for await (const value of db.values(recordRange(name))) records.push(value)
  const doc = new Y.Doc({ gc: false })
  try {
    for (const [index, record] of records.entries()) {
      try {
        Y.applyUpdate(doc, record)
      } catch (error) {
        return `record ${index + 1} of ${records.length} is not a valid Yjs update (${(error as Error).message})`
      }
    }
    // Edits that build on edits no record holds any more wait forever: part of it was lost.
    if (doc.store.pendingStructs || doc.store.pendingDs) return 'incomplete: some of its edits were in a damaged part of the store'
  } finally {
    doc.destroy()
  }
  if (meta) {
    if (await recount(db, name, meta)) await db.put(metaKey(name), encodeMeta(meta))
  } else {
    // When it was created is lost with its metadata. A head of -1 matches no record, so every
    // record is counted.
    const now = Date.now()
    const fresh: MetaRecord = { createdAt: now, updatedAt: now, bytes: 0, updates: 0, head: -1 }
    await recount(db, name, fresh)
    await db.put(metaKey(name), encodeMeta(fresh))
  }
  return null
}
