import type { Command } from 'commander'
import { type DocInfo, type Docs, DocsError } from '../../docs.js'
import { StoreError } from '../../store/store.js'
import { CommandError, printFailure } from '../errors.js'
import { counted, humanBytes } from '../human.js'
import { docName, type TargetFlags, targetOptions } from '../options.js'
import { progress } from '../progress.js'
import { withDocs } from '../target.js'

const summary = (info: DocInfo) => `compacted ${JSON.stringify(info.name)}: ${counted(info.updates, 'record')}, ${humanBytes(info.bytes)}`

/**
 * Whether `error` is a failure of that one document (its records cannot be read or merged: a
 * `StoreError` here, a 500 through a server), after which the others may still compact. Anything
 * else (the store stopped, the server busy or refusing the CLI) would fail them all alike.
 */
function documentFailed(error: unknown): boolean {
  if (error instanceof StoreError) return error.kind === 'corrupt' || error.kind === 'damaged'
  return error instanceof DocsError && error.kind === 'failed'
}

/** Compacts every document it can, printing one line for each that fails; how many did and did not. */
async function compactAll(docs: Docs): Promise<{ done: number; failed: number }> {
  const all = await docs.list()
  const status = progress()
  let done = 0
  let failed = 0
  try {
    for (const [index, { name }] of all.entries()) {
      status.show(`compacting ${index + 1}/${all.length}: ${name}`)
      try {
        await docs.compact(name)
        done += 1
      } catch (error) {
        // Deleted since it was listed: nothing left to compact.
        if (error instanceof DocsError && (error.kind === 'not-found' || error.kind === 'deleted')) continue
        if (!documentFailed(error)) throw error
        status.done()
        printFailure((error as Error).message)
        failed += 1
      }
    }
  } finally {
    status.done()
  }
  return { done, failed }
}

/**
 * `quire compact [<doc>]`: merges the stored updates of one document, or of every document, into
 * one record each. A document that cannot be merged does not keep the others from being merged:
 * each is named on a line of its own, and the command exits 1 at the end.
 */
export function registerCompact(program: Command): void {
  targetOptions(program.command('compact').description("merge documents' stored updates into one record each").argument('[doc]', 'document name (default: every document)', docName)).action(
    async (doc: string | undefined, flags: TargetFlags) => {
      if (doc !== undefined) {
        const info = await withDocs(flags, { create: false }, (docs) => docs.compact(doc))
        process.stdout.write(`${summary(info)}\n`)
        return
      }
      const { done, failed } = await withDocs(flags, { create: false }, compactAll)
      process.stdout.write(`compacted ${counted(done, 'document')}\n`)
      if (failed > 0) throw new CommandError(`${counted(failed, 'document')} could not be compacted`)
    },
  )
}
