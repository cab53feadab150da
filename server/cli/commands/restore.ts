import type { Command } from 'commander'
import { docName, type TargetFlags, targetOptions, versionId } from '../options.js'
import { withDocs } from '../target.js'

/**
 * `quire restore <doc> <id>`: the content becomes that version's, as an edit (connected editors
 * see it); the content from just before is recorded as a version first, so it can be undone.
 */
export function registerRestore(program: Command): void {
  targetOptions(
    program.command('restore').description("make a document's content that of an earlier version").argument('<doc>', 'document name', docName).argument('<id>', 'version id', versionId),
  ).action(async (doc: string, id: number, flags: TargetFlags) => {
    const before = await withDocs(flags, { create: false }, (docs) => docs.restore(doc, id))
    process.stdout.write(`restored ${JSON.stringify(doc)} to version ${id}; the content before is version ${before.id}\n`)
  })
}
