import { readFile } from 'node:fs/promises'
import type { Command } from 'commander'
import { FORMAT_FILES, type FormatName, formatOfFile } from '../../../shared/content/catalog.js'
import { CommandError } from '../errors.js'
import { humanBytes } from '../human.js'
import { configOption, docName, formatOption, type TargetFlags, targetOptions } from '../options.js'
import { progress } from '../progress.js'
import { withDocs } from '../target.js'

const EXTENSIONS = Object.values(FORMAT_FILES).flatMap((f) => f.extensions)

async function readUtf8(file: string): Promise<string> {
  const bytes = await readFile(file).catch((error: Error) => {
    throw new CommandError(`cannot read ${file}: ${error.message}`, { cause: error })
  })
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch (error) {
    throw new CommandError(`${file} is not UTF-8 text`, { cause: error })
  }
}

/**
 * `quire import <doc> <file>`: replaces the document's content with the file's, as an ordinary
 * edit (editors connected through a running server see it happen; concurrent edits merge).
 */
export function registerImport(program: Command): void {
  targetOptions(
    program
      .command('import')
      .description(`replace a document's content with a file (${EXTENSIONS.join(', ')}); creates the document if needed`)
      .argument('<doc>', 'document name', docName)
      .argument('<file>', 'file to read'),
  )
    .addOption(formatOption('how to read the file (default: from its extension)'))
    .addOption(configOption('maxImportBytes', 'largest file imported without a server; a running server keeps to its own'))
    .action(async (doc: string, file: string, flags: TargetFlags & { format?: FormatName }) => {
      const format = flags.format ?? formatOfFile(file)?.name
      if (!format) throw new CommandError(`cannot tell the format of ${file}: name it ${EXTENSIONS.join(', ')} or pass --format`)
      const text = await readUtf8(file)
      const status = progress()
      status.show(`importing ${file} (${humanBytes(Buffer.byteLength(text))}, ${format}) into ${JSON.stringify(doc)}…`)
      try {
        await withDocs(flags, { create: true }, (docs) => docs.import(doc, format, text))
      } finally {
        status.done()
      }
      process.stdout.write(`imported ${file} into ${JSON.stringify(doc)}\n`)
    })
}
