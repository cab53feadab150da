import type { Command } from 'commander'
import { type DocInfo, type Docs, DocsError } from '../../docs.js'
import { humanBytes } from '../human.js'
import { docName, type TargetFlags, targetOptions } from '../options.js'
import { progress } from '../progress.js'
import { withDocs } from '../target.js'

const summary = (info: DocInfo) => `compacted ${JSON.stringify(info.name)}: ${info.updates} record${info.updates === 1 ? '' : 's'}, ${humanBytes(info.bytes)}`

async function compactAll(docs: Docs): Promise<number> {
  const all = await docs.list()
  const status = progress()
  let done = 0
  try {
    for (const [index, { name }] of all.entries()) {
      status.show(`compacting ${index + 1}/${all.length}: ${name}`)
      try {
        await docs.compact(name)
        done += 1
      } catch (error) {
        // Deleted since it was listed: nothing left to compact.
        if (!(error instanceof DocsError && (error.kind === 'not-found' || error.kind === 'deleted'))) throw error
      }
    }
  } finally {
    status.done()
  }
  return done
}

/** `quire compact [<doc>]`: merges the stored updates of one document, or of every document, into one record each. */
export function registerCompact(program: Command): void {
  targetOptions(program.command('compact').description("merge documents' stored updates into one record each").argument('[doc]', 'document name (default: every document)', docName)).action(
    async (doc: string | undefined, flags: TargetFlags) => {
      if (doc !== undefined) {
        const info = await withDocs(flags, { create: false }, (docs) => docs.compact(doc))
        process.stdout.write(`${summary(info)}\n`)
        return
      }
      const count = await withDocs(flags, { create: false }, compactAll)
      process.stdout.write(`compacted ${count} document${count === 1 ? '' : 's'}\n`)
    },
  )
}
