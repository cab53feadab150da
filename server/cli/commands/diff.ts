import type { Command } from 'commander'
import { CURRENT } from '../../../shared/versions.js'
import { docName, type TargetFlags, targetOptions, versionId } from '../options.js'
import { withDocs } from '../target.js'

/** `quire diff <doc> <from> [<to>]`: unified diff of the Markdown from one version to another or to now. */
export function registerDiff(program: Command): void {
  targetOptions(
    program
      .command('diff')
      .description('show what changed between two versions of a document (Markdown, unified diff)')
      .argument('<doc>', 'document name', docName)
      .argument('<from>', 'version id', versionId)
      .argument('[to]', 'version id (default: the current content)', versionId),
  ).action(async (doc: string, from: number, to: number | undefined, flags: TargetFlags) => {
    process.stdout.write(await withDocs(flags, { create: false }, (docs) => docs.diff(doc, from, to ?? CURRENT)))
  })
}
