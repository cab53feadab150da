import { existsSync } from 'node:fs'
import type { Command } from 'commander'
import { resolveConfig } from '../../config.js'
import { repairStore, storeDir } from '../../store/open.js'
import { CommandError } from '../errors.js'
import { type TargetFlags, targetOptions } from '../options.js'

/**
 * `quire repair`: after a crash or a disk fault left a LevelDB table the store cannot read (quire
 * then refuses to start, saying so), rebuilds the store from what is still readable, keeps every
 * document that loads in full, and lists the ones that do not. It works on the data dir itself,
 * so it refuses while a server (or any process) holds the store's lock. Exit 0 when every document
 * is readable, else 1.
 */
export function registerRepair(program: Command): void {
  targetOptions(program.command('repair').description('rebuild a damaged data dir, keeping every document that can be read')).action(async (flags: TargetFlags) => {
    const { dataDir } = resolveConfig(flags.data === undefined ? {} : { dataDir: flags.data })
    if (!existsSync(storeDir(dataDir))) throw new CommandError(`no data dir store at ${storeDir(dataDir)} (set the data dir with --data or QUIRE_DATA)`)
    const { readable, unreadable } = await repairStore(dataDir)
    process.stdout.write(`repaired ${dataDir}: ${readable.length} document${readable.length === 1 ? '' : 's'} readable, ${unreadable.length} not\n`)
    for (const { name, problem } of unreadable) process.stdout.write(`cannot read ${JSON.stringify(name)}: ${problem}\n`)
    if (unreadable.length > 0) {
      throw new CommandError(
        `${unreadable.length} document${unreadable.length === 1 ? '' : 's'} could not be read: restore ${unreadable.length === 1 ? 'it' : 'them'} from a backup or delete with quire rm`,
      )
    }
  })
}
