import { existsSync } from 'node:fs'
import { dirname } from 'node:path'
import type { Command } from 'commander'
import { resolveConfig } from '../../config.js'
import { repairStore, storeDir } from '../../store/open.js'
import { CommandError } from '../errors.js'
import { counted } from '../human.js'
import { type TargetFlags, targetOptions } from '../options.js'

/**
 * `quire repair`: after a crash or a disk fault left a LevelDB table the store cannot read (quire
 * then refuses to start, saying so), rebuilds the store from what is still readable, keeps every
 * document that loads in full, and lists the ones that do not. It works on the data dir itself,
 * so it refuses while a server (or any process) holds the store's lock. Exit 0 only when every
 * document is readable and no table file of the store is lost (LevelDB's repair moves the ones it
 * cannot read to `lost/`, and documents held only there are missing from the lists), else 1.
 */
export function registerRepair(program: Command): void {
  targetOptions(program.command('repair').description('rebuild a damaged data dir, keeping every document that can be read')).action(async (flags: TargetFlags) => {
    const { dataDir } = resolveConfig(flags.data === undefined ? {} : { dataDir: flags.data })
    if (!existsSync(storeDir(dataDir))) throw new CommandError(`no data dir store at ${storeDir(dataDir)} (set the data dir with --data or QUIRE_DATA)`)
    const { readable, unreadable, lostTables } = await repairStore(dataDir)
    process.stdout.write(`repaired ${dataDir}: ${counted(readable.length, 'document')} readable, ${unreadable.length} not\n`)
    for (const { name, problem } of unreadable) process.stdout.write(`cannot read ${JSON.stringify(name)}: ${problem}\n`)
    for (const table of lostTables) process.stdout.write(`cannot read table file ${table}: documents held only there are missing from this report\n`)
    const failures: string[] = []
    if (unreadable.length > 0) failures.push(`${counted(unreadable.length, 'document')} could not be read: restore ${unreadable.length === 1 ? 'it' : 'them'} from a backup or delete with quire rm`)
    const [table] = lostTables
    if (table !== undefined) {
      failures.push(`${counted(lostTables.length, 'table file')} could not be read, so documents may be missing: restore the data dir from a backup, or delete ${dirname(table)} to accept the loss`)
    }
    if (failures.length > 0) throw new CommandError(failures.join('; '))
  })
}
