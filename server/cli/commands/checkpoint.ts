import { type Command, InvalidArgumentError, Option } from 'commander'
import { labelProblem, MAX_LABEL_LENGTH } from '../../../shared/versions.js'
import { docName, type TargetFlags, targetOptions } from '../options.js'
import { withDocs } from '../target.js'

/** `--label`: one the server would refuse is a usage error (exit 2), found before anything is opened. */
function label(raw: string): string {
  const problem = labelProblem(raw)
  if (problem !== null) throw new InvalidArgumentError(problem)
  return raw
}

/** `quire checkpoint <doc> [--label <text>]`: records a version now and prints its id. */
export function registerCheckpoint(program: Command): void {
  targetOptions(program.command('checkpoint').description('record a version of a document now (named with --label)').argument('<doc>', 'document name', docName))
    .addOption(new Option('--label <text>', `name the version (one line, up to ${MAX_LABEL_LENGTH} characters); named versions are kept forever`).argParser(label))
    .action(async (doc: string, flags: TargetFlags & { label?: string }) => {
      const version = await withDocs(flags, { create: false }, (docs) => docs.checkpoint(doc, flags.label ?? null))
      process.stdout.write(`${version.id}\n`)
    })
}
