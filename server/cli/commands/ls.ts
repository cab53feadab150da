import type { Command } from 'commander'
import type { DocInfo } from '../../docs.js'
import { columns, humanBytes, localTime } from '../human.js'
import { type TargetFlags, targetOptions } from '../options.js'
import { withDocs } from '../target.js'

const HEADER = ['NAME', 'SIZE', 'UPDATES', 'LAST CHANGE']

/** Aligned columns, one line per document, with a header line when `header` is set. */
function table(docs: DocInfo[], header: boolean): string {
  return columns([...(header ? [HEADER] : []), ...docs.map((d) => [d.name, humanBytes(d.bytes), String(d.updates), localTime(d.updatedAt)])])
}

/**
 * `quire ls [--json]`: every stored document, as a table or as `[{name, bytes, updates, updatedAt}]`.
 * The table is one line per document (CONTRACT); the header and the "no documents" note are
 * for people, so they are printed only to a terminal and never reach a pipe or a script.
 */
export function registerLs(program: Command): void {
  targetOptions(program.command('ls').description('list documents: name, size, stored updates, last change'))
    .option('--json', 'print a JSON array of {name, bytes, updates, updatedAt}')
    .action(async (flags: TargetFlags & { json?: boolean }) => {
      const docs = await withDocs(flags, { create: false }, (d) => d.list())
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(docs.map(({ name, bytes, updates, updatedAt }) => ({ name, bytes, updates, updatedAt })))}\n`)
        return
      }
      const person = process.stdout.isTTY === true
      if (docs.length === 0) {
        if (person) process.stdout.write('no documents\n')
        return
      }
      process.stdout.write(table(docs, person))
    })
}
