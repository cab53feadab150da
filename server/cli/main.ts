import { Command, Option } from 'commander'
import { CONFIG_OPTIONS, type Config, ConfigError, resolveConfig } from '../config.js'
import { createLogger } from '../log.js'
import { startServer } from '../main.js'

/**
 * The `quire` command line. Every command reads the data dir from `--data` or `QUIRE_DATA`.
 * Usage mistakes exit 2 with the usage; failures exit 1 with one line saying what is wrong.
 */
export function createProgram(): Command {
  const program = new Command('quire').description('quire: real-time collaborative documents').showHelpAfterError().exitOverride()

  const serve = program.command('serve').description('serve the editor, the WebSocket endpoint and the HTTP API')
  const options = CONFIG_OPTIONS.map((o) => ({ key: o.key, option: new Option(o.flag, `${o.description} [${o.env}]`) }))
  for (const { option } of options) serve.addOption(option)
  serve.action(async (parsed: Record<string, string | undefined>) => {
    // commander names `--data` `data`; the config table names it `dataDir`.
    const flags: Partial<Record<keyof Config, string>> = {}
    for (const { key, option } of options) {
      const value = parsed[option.attributeName()]
      if (value !== undefined) flags[key] = value
    }
    const config = resolveConfig(flags)
    const log = createLogger(config.logLevel)
    const server = await startServer(config, log)
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
  return program
}

/** Runs the CLI with `argv`, mapping errors to exit codes in this one place. */
export async function main(argv: string[]): Promise<void> {
  const program = createProgram()
  try {
    await program.parseAsync(argv)
  } catch (error) {
    const code = (error as { exitCode?: number }).exitCode
    if (typeof code === 'number') process.exit(code === 0 ? 0 : 2)
    if (error instanceof ConfigError) {
      process.stderr.write(`quire: ${error.message}\n`)
      process.exit(2)
    }
    process.stderr.write(`quire: ${(error as Error).message}\n`)
    process.exit(1)
  }
}
