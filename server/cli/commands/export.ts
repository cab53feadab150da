import { writeFile } from 'node:fs/promises'
import type { Command } from 'commander'
import { DEFAULT_FORMAT, type FormatName, formatOfFile } from '../../../shared/content/catalog.js'
import { CommandError } from '../errors.js'
import { docName, formatOption, type TargetFlags, targetOptions, versionOption } from '../options.js'
import { contentOf, withDocs } from '../target.js'

/** `quire export <doc> [--format] [--version <id>] [-o file]`: the rendered document (or one of its versions) into a file (or standard output). */
export function registerExport(program: Command): void {
  targetOptions(program.command('export').description('write a document to a file or standard output').argument('<doc>', 'document name', docName))
    .addOption(formatOption(`how to render it (default: from the output file's extension, else ${DEFAULT_FORMAT})`))
    .addOption(versionOption())
    .option('-o, --output <file>', 'file to write (default: standard output)')
    .action(async (doc: string, flags: TargetFlags & { format?: FormatName; output?: string; version?: number }) => {
      const format = flags.format ?? (flags.output === undefined ? undefined : formatOfFile(flags.output)?.name) ?? DEFAULT_FORMAT
      const text = await withDocs(flags, { create: false }, (docs) => contentOf(docs, doc, format, flags.version))
      if (flags.output === undefined) {
        process.stdout.write(text)
        return
      }
      await writeFile(flags.output, text).catch((error: Error) => {
        throw new CommandError(`cannot write ${flags.output}: ${error.message}`, { cause: error })
      })
      process.stdout.write(`exported ${JSON.stringify(doc)} to ${flags.output} as ${format}\n`)
    })
}
