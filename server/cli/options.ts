import { type Command, InvalidArgumentError, Option } from 'commander'
import { FORMAT_NAMES } from '../../shared/content/catalog.js'
import { docNameProblem } from '../../shared/doc-name.js'
import { CONFIG_OPTIONS, type Config, ConfigError } from '../config.js'

/** Options every document command takes (see `targetOptions`), and settings some take besides. */
export interface TargetFlags {
  data?: string
  verbose?: boolean
  /** `import --max-import-bytes`: the limit an import without a server keeps to. */
  maxImportBytes?: string
}

/**
 * The flag of setting `key` from the one table of settings (`config.ts`), for `serve` and for a
 * command that takes the same setting; `description` replaces the table's where it means more there.
 */
export function configOption(key: keyof Config, description?: string): Option {
  const o = CONFIG_OPTIONS.find((option) => option.key === key)!
  const option = new Option(o.flag, `${description ?? o.description} [${o.env}]`)
  if (!option.required) return option
  // A value the setting refuses is a bad flag like any other: a usage error, with the usage. The
  // text itself is kept, for `resolveConfig` to read beside the environment.
  return option.argParser((raw: string) => {
    try {
      o.parse(raw, option.long!)
    } catch (error) {
      throw error instanceof ConfigError ? new InvalidArgumentError(error.message) : error
    }
    return raw
  })
}

/**
 * `--data <dir>`. Every command takes it (CONTRACT), one that needs no data dir too, so a script
 * can pass the same flags to all of them; `description` says so there.
 */
export function dataOption(description = 'data directory [QUIRE_DATA]'): Option {
  return new Option('--data <dir>', description)
}

/** Adds `--data` and `--verbose` to a command that works on documents. */
export function targetOptions(command: Command): Command {
  return command.addOption(dataOption()).addOption(new Option('--verbose', 'say whether a running server or the data dir itself is used'))
}

/** `--format`, limited to the registered formats so a typo is a usage error (exit 2). */
export function formatOption(what: string): Option {
  return new Option('--format <format>', what).choices(FORMAT_NAMES)
}

/**
 * Parses a document name argument. A name no document can have (empty, control characters, see
 * `docNameProblem`) is a bad value like any other, so a usage error (exit 2), found before anything
 * is opened, the same with or without a server.
 */
export function docName(raw: string): string {
  const problem = docNameProblem(raw)
  if (problem) throw new InvalidArgumentError(problem)
  return raw
}

/** Parses a version id argument; anything but a positive whole number is a usage error (exit 2). */
export function versionId(raw: string): number {
  const id = Number(raw)
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(id) || id < 1) throw new InvalidArgumentError('a version id is a positive whole number')
  return id
}

/** `--version <id>`: read a recorded version instead of the current content. */
export function versionOption(): Option {
  return new Option('--version <id>', 'a recorded version (see `quire history`) instead of the current content').argParser(versionId)
}
