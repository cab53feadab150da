import type { Command } from 'commander'
import { docName, type TargetFlags, targetOptions } from '../options.js'
import { withDocs } from '../target.js'

/**
 * `quire mv <from> <to>`: renames a document, keeping its content and version history (a copy
 * would lose the history); editors that have the old name open are closed and told the new one.
 */
export function registerMv(program: Command): void {
  targetOptions(
    program.command('mv').description('rename a document, keeping its history (connected editors are disconnected)').argument('<from>', 'document name', docName).argument('<to>', 'new name', docName),
  ).action(async (from: string, to: string, flags: TargetFlags) => {
    await withDocs(flags, { create: false }, (docs) => docs.rename(from, to))
    process.stdout.write(`renamed ${JSON.stringify(from)} to ${JSON.stringify(to)}\n`)
  })
}
