import type { Command } from 'commander'
import { docName, type TargetFlags, targetOptions } from '../options.js'
import { withDocs } from '../target.js'

/** `quire rm <doc>`: deletes a document; editors that have it open are told it was deleted (4404). */
export function registerRm(program: Command): void {
  targetOptions(program.command('rm').description('delete a document (connected editors are disconnected)').argument('<doc>', 'document name', docName)).action(
    async (doc: string, flags: TargetFlags) => {
      await withDocs(flags, { create: false }, (docs) => docs.remove(doc))
      process.stdout.write(`deleted ${JSON.stringify(doc)}\n`)
    },
  )
}
