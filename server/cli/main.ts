import { Command } from 'commander'
import { CONFIG_OPTIONS, type Config, resolveConfig } from '../config.js'
import { createLogger } from '../log.js'
import { registerCheckpoint } from './commands/checkpoint.js'
import { registerCompact } from './commands/compact.js'
import { registerDiff } from './commands/diff.js'
import { registerExport } from './commands/export.js'
import { registerHistory } from './commands/history.js'
import { registerImport } from './commands/import.js'
import { registerLs } from './commands/ls.js'
import { registerMv } from './commands/mv.js'
import { registerRepair } from './commands/repair.js'
import { registerRestore } from './commands/restore.js'
import { registerRm } from './commands/rm.js'
import { registerShow } from './commands/show.js'
import { registerToken } from './commands/token.js'
import { CLOSED_OUTPUT, exitCodeOf, FAILURE, printFailure } from './errors.js'
import { configOption } from './options.js'

/**
 * The `quire` command line. Every command reads the data dir from `--data` or `QUIRE_DATA`.
 * Usage mistakes exit 2 with the usage; failures exit 1 with one line saying what is wrong.
 */
export function createProgram(): Command {
  const program = new Command('quire')
    .description('quire: real-time collaborative documents')
    .showHelpAfterError()
    .exitOverride()
    // commander quotes the value it refuses; one with a line break (a label, a name) would break
    // its error line in two, so control characters are written as escapes (`\n`).
    .configureOutput({ outputError: (text, write) => write(`${text.trimEnd().replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => JSON.stringify(c).slice(1, -1))}\n`) })

  const serve = program.command('serve').description('serve the editor, the WebSocket endpoint and the HTTP API')
  const options = CONFIG_OPTIONS.map((o) => ({ key: o.key, option: configOption(o.key) }))
  for (const { option } of options) serve.addOption(option)
  serve.action(async (parsed: Record<string, string | boolean | undefined>) => {
    // commander names `--data` `data`; the config table names it `dataDir`.
    const flags: Partial<Record<keyof Config, string>> = {}
    for (const { key, option } of options) {
      const value: string | boolean | undefined = parsed[option.attributeName()]
      // A switch without a value (`--private-listing`) comes as `true`.
      if (value !== undefined) flags[key] = String(value)
    }
    const config = resolveConfig(flags)
    const log = createLogger(config.logLevel)
    // Loaded on demand: the HTTP and WebSocket stack would slow every other command's start.
    const { startServer } = await import('../main.js')
    const server = await startServer(config, log).catch((error: Error) => {
      // Logged beside everything else the server says; `main` then prints the one line and exits 1.
      log.error('server.start_failed', { error: error.message })
      throw error
    })
    let stopping = false
    const stop = (signal: string) => {
      if (stopping) return
      stopping = true
      log.info('server.stopping', { signal })
      server.close().then(
        () => process.exit(0),
        (error: Error) => {
          log.error('server.stop_failed', { error: error.message })
          process.exit(1)
        },
      )
    }
    process.on('SIGTERM', () => stop('SIGTERM'))
    process.on('SIGINT', () => stop('SIGINT'))
  })
  // Registered on `program` (not built apart and added) so they inherit its exit and help settings.
  for (const register of [
    registerLs,
    registerShow,
    registerExport,
    registerImport,
    registerRm,
    registerMv,
    registerCompact,
    registerRepair,
    registerToken,
    registerHistory,
    registerCheckpoint,
    registerDiff,
    registerRestore,
  ])
    register(program)
  return program
}

/** Runs the CLI with `argv`: the only place that exits (codes from `exitCodeOf`), printing the error that ended the command. */
export async function main(argv: string[]): Promise<void> {
  // Writes to standard output fail after the fact, as an 'error' event: without a listener, a
  // reader that went away (`| head -1`) would end the command with a stack trace.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') printFailure(`cannot write to standard output: ${error.message}`)
    process.exit(error.code === 'EPIPE' ? CLOSED_OUTPUT : FAILURE)
  })
  const program = createProgram()
  try {
    await program.parseAsync(argv)
  } catch (error) {
    const { code, message } = exitCodeOf(error)
    if (message !== null) printFailure(message)
    process.exit(code)
  }
}
