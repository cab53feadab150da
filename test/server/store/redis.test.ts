import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RedisStore } from '../../../server/store/redis.js'
import { startRedis, type TestRedis } from '../../helpers/redis.js'
import { describeStore, lettersOf, update } from './contract.js'

let redis: TestRedis
beforeAll(async () => {
  redis = await startRedis()
})
afterAll(async () => {
  await redis.stop()
})

let run = 0
describeStore(
  'Redis',
  () => {
    // A fresh prefix per test: an empty store, and `open` again reaches the same one.
    const prefix = `test${++run}`
    return { open: () => RedisStore.open(redis.url, prefix) }
  },
  { shared: true },
)

describe('Redis store, compactions racing other instances', () => {
  /** Holds the next compaction swap of `store` (its Lua script) until `release`. */
  function holdSwap(store: RedisStore) {
    // reason: the swap is a private Redis call; the race needs it held between the read and it.
    const redis = (store as unknown as { redis: { eval: (...args: unknown[]) => Promise<unknown> } }).redis
    const original = redis.eval.bind(redis)
    let reached!: () => void
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const held = new Promise<void>((resolve) => (reached = resolve))
    redis.eval = async (...args: unknown[]) => {
      if (!String(args[0]).includes('LTRIM')) return original(...args)
      redis.eval = original
      reached()
      await gate
      return original(...args)
    }
    return { held, release }
  }

  let run = 0
  const openPair = async () => {
    const prefix = `race${++run}`
    return [await RedisStore.open(redis.url, prefix), await RedisStore.open(redis.url, prefix)] as const
  }

  it('swaps only the records it read when another instance appends between its read and its swap', async () => {
    const [a, b] = await openPair()
    await a.append('doc', update('a'))
    await a.append('doc', update('b'))
    const { held, release } = holdSwap(a)
    const compacting = a.compact('doc')
    await held
    await b.append('doc', update('c'))
    release()
    expect(await compacting).toMatchObject({ records: 2 })
    const loaded = await b.load('doc')
    expect(loaded!.updates).toHaveLength(2)
    expect(lettersOf(loaded!.updates)).toBe('abc')
    await Promise.all([a.close(), b.close()])
  })

  it('reads again when another instance compacted between its read and its swap', async () => {
    const [a, b] = await openPair()
    for (const letter of 'abc') await a.append('doc', update(letter))
    const { held, release } = holdSwap(a)
    const compacting = a.compact('doc')
    await held
    await b.append('doc', update('d'))
    expect(await b.compact('doc')).toMatchObject({ records: 4 })
    await b.append('doc', update('e'))
    release()
    expect(await compacting).toMatchObject({ records: 2 })
    const loaded = await a.load('doc')
    expect(loaded!.updates).toHaveLength(1)
    expect(lettersOf(loaded!.updates)).toBe('abcde')
    expect(await a.stat('doc')).toMatchObject({ updates: 1, bytes: loaded!.updates[0]!.byteLength })
    await Promise.all([a.close(), b.close()])
  })
  it('does not bring back a document another instance deleted between its read and its swap', async () => {
    const [a, b] = await openPair()
    for (const letter of 'ab') await a.append('doc', update(letter))
    const { held, release } = holdSwap(a)
    const compacting = a.compact('doc')
    await held
    expect(await b.remove('doc')).toBe(true)
    release()
    expect(await compacting).toBeNull()
    expect(await a.load('doc')).toBeNull()
    expect(await a.list()).toEqual([])
    await Promise.all([a.close(), b.close()])
  })
})
