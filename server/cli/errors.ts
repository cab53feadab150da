import { ContentError } from '../../shared/content/limits.js'
import { ConfigError } from '../config.js'
import { DocsError } from '../docs.js'
import { StoreError } from '../store/store.js'

/** A command that cannot do what was asked for a reason that is not a document's (e.g. no secret set). */
export class CommandError extends Error {
  override name = 'CommandError'
}

/** Exit code of a mistake in how quire was called: bad flags, bad configuration values. */
export const USAGE = 2

/** Exit code of everything else that went wrong: unknown document, unreadable data dir or file. */
export const FAILURE = 1

/**
 * Exit code when standard output was closed before everything was written (`quire show | head -1`):
 * the status a shell reports for a Unix tool that SIGPIPE ended (128 + 13), so `set -o pipefail`
 * sees what it sees for `cat`.
 */
export const CLOSED_OUTPUT = 141

/**
 * The one mapping from errors to exit codes (and whether to print the message). Commander's own
 * errors have printed themselves with the usage already; help and version exit 0.
 */
export function exitCodeOf(error: unknown): { code: number; message: string | null } {
  const commanderCode = (error as { exitCode?: unknown; code?: unknown }).exitCode
  if (typeof commanderCode === 'number' && String((error as { code?: unknown }).code).startsWith('commander.')) {
    return { code: commanderCode === 0 ? 0 : USAGE, message: null }
  }
  if (error instanceof ConfigError) return { code: USAGE, message: error.message }
  if (error instanceof DocsError || error instanceof StoreError || error instanceof ContentError || error instanceof CommandError) {
    return { code: FAILURE, message: error.message }
  }
  return { code: FAILURE, message: `unexpected error: ${(error as Error).message ?? String(error)}` }
}

/**
 * Prints a failure as one `quire: <message>` line on stderr: what `main` does with the error that
 * ends a command, and what a command that goes on past failures (`compact`) does with each one.
 */
export function printFailure(message: string): void {
  process.stderr.write(`quire: ${message}\n`)
}
