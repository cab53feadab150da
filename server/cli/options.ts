import { type Command, Option } from 'commander'
import { FORMAT_NAMES } from '../../shared/content/formats.js'

/** Options every document command takes (see `targetOptions`). */
export interface TargetFlags {
  data?: string
  verbose?: boolean
}

/** Adds `--data` and `--verbose` to a command that works on documents. */
export function targetOptions(command: Command): Command {
  return command
    .addOption(new Option('--data <dir>', 'data directory [QUIRE_DATA]'))
    .addOption(new Option('--verbose', 'say whether a running server or the data dir itself is used'))
}

/** `--format`, limited to the registered formats so a typo is a usage error (exit 2). */
export function formatOption(what: string): Option {
  return new Option('--format <format>', what).choices(FORMAT_NAMES)
}
