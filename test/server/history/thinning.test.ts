import { describe, expect, it } from 'vitest'
import { type Thinnable, versionsToDrop } from '../../../server/history/thinning.js'

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR
const NOW = 400 * DAY

/** Automatic versions every `step` from `from` to `to` ago (oldest first), ids in order. */
function every(step: number, from: number, to: number, start = 1): Thinnable[] {
  const out: Thinnable[] = []
  for (let ago = from; ago >= to; ago -= step) out.push({ id: start + out.length, at: NOW - ago, label: null, auto: true })
  return out
}

describe('version thinning', () => {
  it('keeps every version of the last 24 hours', () => {
    expect(versionsToDrop(every(10 * MINUTE, DAY - MINUTE, 0), NOW)).toEqual([])
  })

  it('keeps the newest version of each hour between a day and 30 days old', () => {
    const versions = every(10 * MINUTE, 3 * DAY, DAY + HOUR)
    const kept = versions.filter((v) => !versionsToDrop(versions, NOW).includes(v.id))
    const hours = kept.map((v) => Math.floor(v.at / HOUR))
    expect(new Set(hours).size).toBe(hours.length)
    expect(hours.length).toBeGreaterThanOrEqual(46)
    for (const v of kept) expect(versions.filter((o) => Math.floor(o.at / HOUR) === Math.floor(v.at / HOUR)).every((o) => o.at <= v.at)).toBe(true)
  })

  it('keeps one version per day beyond 30 days', () => {
    const versions = every(HOUR, 40 * DAY, 31 * DAY)
    const drop = versionsToDrop(versions, NOW)
    const kept = versions.filter((v) => !drop.includes(v.id))
    expect(new Set(kept.map((v) => Math.floor(v.at / DAY))).size).toBe(kept.length)
    expect(kept.length).toBeLessThanOrEqual(10)
  })

  it("never drops named versions, labelled ones or the newest version, which counts as its bucket's", () => {
    const versions: Thinnable[] = [
      { id: 1, at: NOW - 50 * DAY, label: 'Submitted draft', auto: false },
      { id: 2, at: NOW - 50 * DAY + 1, label: 'Before restoring version 1', auto: true },
      { id: 3, at: NOW - 50 * DAY + 2, label: null, auto: true },
      { id: 4, at: NOW - 50 * DAY + 3, label: null, auto: true },
    ]
    expect(versionsToDrop(versions, NOW)).toEqual([3])
    expect(versionsToDrop([...versions, { id: 5, at: NOW - 50 * DAY + 4, label: null, auto: true }], NOW)).toEqual([3, 4])
  })
})
