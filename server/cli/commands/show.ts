import type { Command } from 'commander'
import { DEFAULT_FORMAT, type FormatName } from '../../../shared/content/catalog.js'
import { docName, formatOption, type TargetFlags, targetOptions, versionOption } from '../options.js'
import { contentOf, withDocs } from '../target.js'

/** `quire show <doc> [--format] [--version <id>]`: the document (or one of its versions), rendered, on standard output. */
export function registerShow(program: Command): void {
  targetOptions(program.command('show').description('print a document').argument('<doc>', 'document name', docName))
    .addOption(formatOption('how to render it').default(DEFAULT_FORMAT))
    .addOption(versionOption())
    .action(async (doc: string, flags: TargetFlags & { format: FormatName; version?: number }) => {
      process.stdout.write(await withDocs(flags, { create: false }, (docs) => contentOf(docs, doc, flags.format, flags.version)))
    })
}
