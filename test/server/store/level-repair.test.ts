import { readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Level } from 'level'
import { describe, expect, it } from 'vitest'
import { LevelStore } from '../../../server/store/level.js'
import { repairStore, storeDir } from '../../../server/store/open.js'
import { writeDamagedStore } from '../../fixtures/damaged-store.js'
import { tempDataDir } from '../../helpers/server.js'
import { lettersOf, update } from './contract.js'

/** The bytes stored under `key` in the data dir's LevelDB, read with the store closed. */
async function rawValue(dataDir: string, key: string): Promise<Uint8Array | undefined> {
  const db = new Level<string, Uint8Array>(storeDir(dataDir), { valueEncoding: 'view' })
  try {
    return await db.get(key)
  } finally {
    await db.close()
  }
}

describe('LevelDB store with damaged files', () => {
  it.each([
    ['records', false],
    ['the journal position', true],
  ])('refuses to open when the damaged table holds %s, naming the damage and the repair command, and releases the data dir', async (_held, journalPosition) => {
    const dataDir = tempDataDir()
    await writeDamagedStore(dataDir, { journalPosition })
    await expect(LevelStore.open(storeDir(dataDir), 'quire repair --data here')).rejects.toMatchObject({
      name: 'StoreError',
      kind: 'damaged',
      message: expect.stringMatching(/is damaged \(IO error: .*\.ldb: Invalid argument\): .*run: quire repair --data here$/),
    })
    const { readable } = await repairStore(dataDir)
    expect(readable).toEqual(['kept', 'orphan'])
    const store = await LevelStore.open(storeDir(dataDir))
    expect((await store.list()).map(({ name, updates }) => [name, updates])).toEqual([
      ['kept', 1],
      ['orphan', 1],
    ])
    await store.close()
  })

  it('keeps refusing a document it could not read, across reopens and later repairs, until it is removed', async () => {
    const dataDir = tempDataDir()
    await writeDamagedStore(dataDir)
    const lost = { name: 'victim', problem: 'lost: its records were in a damaged part of the store' }
    expect((await repairStore(dataDir)).unreadable).toEqual([lost])
    const metaOnDisk = await rawValue(dataDir, 'm:victim')

    for (let open = 0; open < 2; open++) {
      const store = await LevelStore.open(storeDir(dataDir))
      const refused = {
        kind: 'corrupt',
        message: 'document "victim": quire repair could not read it (lost: its records were in a damaged part of the store): restore it from a backup or delete it with quire rm',
      }
      await expect(store.load('victim')).rejects.toMatchObject(refused)
      await expect(store.stat('victim')).rejects.toMatchObject(refused)
      await expect(store.append('victim', update('typed into it'))).rejects.toMatchObject(refused)
      expect((await store.list()).map(({ name }) => name)).toEqual(['kept', 'orphan'])
      await store.close()
    }
    // Its metadata still says what it held: nothing recounted it into an empty document.
    expect(await rawValue(dataDir, 'm:victim')).toEqual(metaOnDisk)
    expect(await repairStore(dataDir)).toMatchObject({ readable: ['kept', 'orphan'], unreadable: [lost] })

    const store = await LevelStore.open(storeDir(dataDir))
    expect(await store.remove('victim')).toBe(true)
    expect(await store.load('victim')).toBeNull()
    await store.close()
    expect(await repairStore(dataDir)).toMatchObject({ readable: ['kept', 'orphan'], unreadable: [] })
  })

  it('reports each table file it could not read, on every repair until they are deleted', async () => {
    const dataDir = tempDataDir()
    await writeDamagedStore(dataDir)
    const lost = join(storeDir(dataDir), 'lost')
    const { lostTables } = await repairStore(dataDir)
    expect(lostTables).toEqual([expect.stringMatching(new RegExp(`^${lost}/\\d+\\.ldb$`))])
    expect((await repairStore(dataDir)).lostTables).toEqual(lostTables)
    rmSync(lost, { recursive: true })
    expect((await repairStore(dataDir)).lostTables).toEqual([])
    // A repair moves the manifest and logs it rebuilt the store from there too: they lost nothing.
    expect(readdirSync(lost)).not.toEqual([])
  })

  it('refuses to open a store whose manifest is damaged, naming the repair command, which rebuilds it', async () => {
    const dataDir = tempDataDir()
    const store = await LevelStore.open(storeDir(dataDir))
    await store.append('doc', update('kept'))
    await store.close()
    const manifest = readdirSync(storeDir(dataDir)).find((file) => file.startsWith('MANIFEST-'))!
    writeFileSync(join(storeDir(dataDir), manifest), new Uint8Array(64).fill(0xaa))
    await expect(LevelStore.open(storeDir(dataDir), 'quire repair --data here')).rejects.toMatchObject({
      kind: 'damaged',
      message: expect.stringMatching(/is damaged \(Corruption: .*\): stop quire, back up the data dir, then run: quire repair --data here$/),
    })
    expect(await repairStore(dataDir)).toEqual({ readable: ['doc'], unreadable: [], lostTables: [] })
    const repaired = await LevelStore.open(storeDir(dataDir))
    expect(lettersOf((await repaired.load('doc'))!.updates)).toBe('ekpt')
    await repaired.close()
  })

  it('never writes over the records of a document it could not read whose metadata is gone', async () => {
    const dataDir = tempDataDir()
    const raw = new Level<string, Uint8Array>(storeDir(dataDir), { valueEncoding: 'view' })
    await raw.put('u:headless\u00000000000000001', new Uint8Array([0xff, 0xff, 0xff]))
    await raw.close()
    expect((await repairStore(dataDir)).unreadable).toEqual([{ name: 'headless', problem: expect.stringMatching(/^record 1 of 1 is not a valid Yjs update/) }])

    const store = await LevelStore.open(storeDir(dataDir))
    await expect(store.append('headless', update('new'))).rejects.toMatchObject({ kind: 'corrupt' })
    await store.close()
    expect([...(await rawValue(dataDir, 'u:headless\u00000000000000001'))!]).toEqual([0xff, 0xff, 0xff])
  })

  it('lists a document whose record cannot be decoded, leaves its bytes as they were, and drops saved states', async () => {
    const dataDir = tempDataDir()
    const store = await LevelStore.open(storeDir(dataDir))
    const head = await store.append('fine', update('fine'))
    await store.saveState('fine', { head, update: update('fine'), stateVector: new Uint8Array([0]) })
    await store.append('bad', update('bad'))
    await store.close()
    const raw = new Level<string, Uint8Array>(storeDir(dataDir), { valueEncoding: 'view' })
    const badKey = 'u:bad\u00000000000000001'
    await raw.put(badKey, new Uint8Array([0xff, 0xff, 0xff]))
    await raw.close()

    expect(await repairStore(dataDir)).toEqual({ lostTables: [], readable: ['fine'], unreadable: [{ name: 'bad', problem: expect.stringMatching(/^record 1 of 1 is not a valid Yjs update/) }] })
    const check = new Level<string, Uint8Array>(storeDir(dataDir), { valueEncoding: 'view' })
    expect([...((await check.get(badKey)) ?? [])]).toEqual([0xff, 0xff, 0xff])
    await check.close()
    // Saved states are caches of records that a repair may have changed: they go.
    const repaired = await LevelStore.open(storeDir(dataDir))
    expect((await repaired.load('fine'))!.state).toBeUndefined()
    await repaired.close()
  })
})
