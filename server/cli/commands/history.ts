import type { Command } from 'commander'
import type { VersionInfo } from '../../../shared/versions.js'
import { columns, localTime } from '../human.js'
import { docName, type TargetFlags, targetOptions } from '../options.js'
import { withDocs } from '../target.js'

const HEADER = ['ID', 'RECORDED', 'BY', 'LABEL']

/** One line per version: id, time, authors and label (`(auto)` for unnamed automatic ones). */
function table(versions: VersionInfo[], header: boolean): string {
  const rows = versions.map((v) => [String(v.id), localTime(v.at), v.authors.map((a) => a.name).join(', ') || '-', v.label ?? (v.auto ? '(auto)' : '')])
  return columns([...(header ? [HEADER] : []), ...rows])
}

/** `quire history <doc> [--json]`: a document's versions, newest first. */
export function registerHistory(program: Command): void {
  targetOptions(program.command('history').description("list a document's versions, newest first").argument('<doc>', 'document name', docName))
    .option('--json', 'print a JSON array of {id, at, label, auto, authors}')
    .action(async (doc: string, flags: TargetFlags & { json?: boolean }) => {
      const versions = await withDocs(flags, { create: false }, (docs) => docs.versions(doc))
      if (flags.json) process.stdout.write(`${JSON.stringify(versions)}\n`)
      else if (versions.length > 0) process.stdout.write(table(versions, process.stdout.isTTY === true))
    })
}
