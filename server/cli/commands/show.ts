import type { Command } from 'commander'
import { DEFAULT_FORMAT, type FormatName } from '../../../shared/content/formats.js'
import { formatOption, type TargetFlags, targetOptions } from '../options.js'
import { withDocs } from '../target.js'

/** `quire show <doc> [--format]`: the document, rendered, on standard output. */
export function registerShow(program: Command): void {
  targetOptions(program.command('show').description('print a document').argument('<doc>', 'document name'))
    .addOption(formatOption('how to render it').default(DEFAULT_FORMAT))
    .action(async (doc: string, flags: TargetFlags & { format: FormatName }) => {
      process.stdout.write(await withDocs(flags, { create: false }, (docs) => docs.content(doc, flags.format)))
    })
}
