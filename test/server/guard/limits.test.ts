import { describe, expect, it } from 'vitest'
import { TokenBucket } from '../../../server/guard/limits.js'

describe('TokenBucket', () => {
  it('allows a burst, then refuses until time refills it at the rate', () => {
    let now = 0
    const bucket = new TokenBucket(10, 5, () => now)
    expect(Array.from({ length: 6 }, () => bucket.take())).toEqual([true, true, true, true, true, false])
    now += 100 // one token at 10 per second
    expect([bucket.take(), bucket.take()]).toEqual([true, false])
  })

  it('never holds more than its burst, however long it was idle', () => {
    let now = 0
    const bucket = new TokenBucket(10, 3, () => now)
    now += 60_000
    expect(bucket.take(3)).toBe(true)
    expect(bucket.take()).toBe(false)
  })
})
