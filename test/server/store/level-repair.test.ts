import { mkdirSync } from 'node:fs'
import { Level } from 'level'
import { describe, expect, it } from 'vitest'
import { LevelStore } from '../../../server/store/level.js'
import { repairStore, storeDir } from '../../../server/store/open.js'
import { writeDamagedStore } from '../../fixtures/damaged-store.js'
import { tempDataDir } from '../../helpers/server.js'
import { update } from './contract.js'

describe('LevelDB store with damaged files', () => {
  it('refuses to open, naming the damage and the repair command, and releases the data dir', async () => {
    const dataDir = tempDataDir()
    mkdirSync(storeDir(dataDir))
    await writeDamagedStore(dataDir)
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
      ['victim', 0],
    ])
    await store.close()
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

    expect(await repairStore(dataDir)).toEqual({ readable: ['fine'], unreadable: [{ name: 'bad', problem: expect.stringMatching(/^record 1 of 1 is not a valid Yjs update/) }] })
    const check = new Level<string, Uint8Array>(storeDir(dataDir), { valueEncoding: 'view' })
    expect([...((await check.get(badKey)) ?? [])]).toEqual([0xff, 0xff, 0xff])
    await check.close()
    // Saved states are caches of records that a repair may have changed: they go.
    const repaired = await LevelStore.open(storeDir(dataDir))
    expect((await repaired.load('fine'))!.state).toBeUndefined()
    await repaired.close()
  })
})
