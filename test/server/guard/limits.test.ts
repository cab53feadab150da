import { describe, expect, it } from 'vitest'
import { PerKeyLimit, TokenBucket } from '../../../server/guard/limits.js'

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

describe('PerKeyLimit', () => {
  it('refuses a key at its cap until one of its connections is released, and counts keys apart', () => {
    const limit = new PerKeyLimit(2)
    const first = limit.acquire('10.0.0.1')!
    expect(limit.acquire('10.0.0.1')).not.toBeNull()
    expect(limit.acquire('10.0.0.1')).toBeNull()
    expect(limit.acquire('10.0.0.2')).not.toBeNull()
    first()
    first() // releasing twice frees only one
    expect(limit.acquire('10.0.0.1')).not.toBeNull()
    expect(limit.acquire('10.0.0.1')).toBeNull()
  })

  it('forgets keys with nothing open', () => {
    const limit = new PerKeyLimit(1)
    limit.acquire('a')!()
    expect(limit.keys).toBe(0)
  })
})
