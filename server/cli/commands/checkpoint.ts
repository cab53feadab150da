import type { Command } from 'commander'
import { type TargetFlags, targetOptions } from '../options.js'
import { withDocs } from '../target.js'

/** `quire checkpoint <doc> [--label <text>]`: records a version now and prints its id. */
export function registerCheckpoint(program: Command): void {
  targetOptions(program.command('checkpoint').description('record a version of a document now (named with --label)').argument('<doc>', 'document name'))
    .option('--label <text>', 'name the version; named versions are kept forever')
    .action(async (doc: string, flags: TargetFlags & { label?: string }) => {
      const version = await withDocs(flags, { create: false }, (docs) => docs.checkpoint(doc, flags.label ?? null))
      process.stdout.write(`${version.id}\n`)
    })
}
