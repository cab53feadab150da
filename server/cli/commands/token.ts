import { type Command, InvalidArgumentError, Option } from 'commander'
import { resolveConfig } from '../../config.js'
import { ANY_DOC, mintToken } from '../../guard/access.js'
import { CommandError } from '../errors.js'
import { dataOption, docName } from '../options.js'

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 }

/** `30s`, `15m`, `1h`, `7d` → seconds; anything else is a usage error. */
export function parseDuration(text: string): number {
  const match = /^(\d+)([smhd])$/.exec(text.trim())
  const seconds = match ? Number(match[1]) * UNIT_SECONDS[match[2]!]! : 0
  if (seconds <= 0) throw new InvalidArgumentError('use a positive number and a unit: 30s, 15m, 1h, 7d')
  return seconds
}

/**
 * `quire token <doc> [--read-only] [--ttl 1h]`: prints an access token for `?token=`, signed with
 * `QUIRE_SECRET` (the server's secret) so the server accepts it. Needs no data dir or server,
 * though it takes `--data` as every command does.
 */
export function registerToken(program: Command): void {
  program
    .command('token')
    .description('print an access token for a document (needs QUIRE_SECRET)')
    .argument('<doc>', `document name, or ${ANY_DOC} for every document`, (raw: string) => (raw === ANY_DOC ? raw : docName(raw)))
    .option('--read-only', 'the token may read but not edit')
    .addOption(dataOption('data directory [QUIRE_DATA]; unused: a token depends only on QUIRE_SECRET'))
    .addOption(new Option('--ttl <duration>', 'how long the token is valid: 30s, 15m, 1h, 7d').default(86_400, '24h').argParser(parseDuration))
    .action(async (doc: string, flags: { readOnly?: boolean; ttl: number }) => {
      const { secret } = resolveConfig({})
      if (!secret) throw new CommandError('QUIRE_SECRET is not set: tokens are signed with the secret the server runs with')
      process.stdout.write(`${await mintToken(secret, { doc, write: !flags.readOnly, ttlSeconds: flags.ttl })}\n`)
    })
}
