import { describe, expect, it } from 'vitest'
import { StoredGate } from '../../../server/sync/stored-gate.js'

/** A gate over a fake store: `land()` lands every append in flight. */
function gateOverFakeStore() {
  let unstored = 0
  let landed: Array<() => void> = []
  const errors: unknown[] = []
  const gate = new StoredGate(
    () => new Promise<void>((resolve) => landed.push(resolve)),
    () => unstored === 0,
    (error) => errors.push(error),
  )
  return {
    gate,
    errors,
    /** An update applied to the doc whose append is now in flight. */
    apply: () => void (unstored += 1),
    async land() {
      unstored = 0
      const waiting = landed
      landed = []
      for (const resolve of waiting) resolve()
      await new Promise((resolve) => setImmediate(resolve))
    },
  }
}

describe('StoredGate', () => {
  it('serves a reader at once when nothing is in flight', () => {
    const { gate } = gateOverFakeStore()
    const log: string[] = []
    gate.read(() => log.push('read'))
    gate.admit(() => log.push('change'))
    expect(log).toEqual(['read', 'change'])
  })

  it('holds changes that come while a reader waits, and applies them after it, in order', async () => {
    const fake = gateOverFakeStore()
    const log: string[] = []
    fake.apply()
    fake.gate.read(() => log.push('reader'))
    fake.gate.admit(() => log.push('change 1'))
    fake.gate.admit(() => log.push('change 2'))
    expect(log).toEqual([])
    expect(fake.gate.holding).toBe(true)
    await fake.land()
    expect(log).toEqual(['reader', 'change 1', 'change 2'])
    expect(fake.gate.holding).toBe(false)
  })

  it('answers a reader that comes while another waits only after the changes received before it are stored', async () => {
    const fake = gateOverFakeStore()
    const log: string[] = []
    fake.apply()
    fake.gate.read(() => log.push('first reader'))
    fake.gate.admit(() => {
      fake.apply()
      log.push('change')
    })
    fake.gate.read(() => log.push('second reader'))
    await fake.land()
    // The change is applied, its append is in flight: the second reader waits for it.
    expect(log).toEqual(['first reader', 'change'])
    await fake.land()
    expect(log).toEqual(['first reader', 'change', 'second reader'])
  })

  it('reports a callback that throws after waiting and opens again', async () => {
    const fake = gateOverFakeStore()
    const log: string[] = []
    fake.apply()
    fake.gate.read(() => {
      throw new Error('bad reader')
    })
    fake.gate.admit(() => log.push('change'))
    await fake.land()
    expect(fake.errors).toEqual([new Error('bad reader')])
    expect(log).toEqual(['change'])
    expect(fake.gate.holding).toBe(false)
  })
})
