import { describe, expect, it } from 'vitest'
import { awarenessVerdict } from '../../../server/guard/awareness.js'

const limits = { maxStateBytes: 100, maxIdsPerConnection: 2 }
const state = (clientId: number, stateBytes = 50) => ({ clientId, stateBytes, removal: false })
const removal = (clientId: number) => ({ clientId, stateBytes: 4, removal: true })
const free = { ownsIt: false, heldByOther: false, stale: false, handedOver: false, idsOwned: 0 }
const mine = { ...free, ownsIt: true }
const theirs = { ...free, heldByOther: true }

describe('awarenessVerdict', () => {
  it('lets a connection introduce new ids and update or remove its own', () => {
    expect(awarenessVerdict(state(1), free, limits)).toBe('ok')
    expect(awarenessVerdict(state(1), { ...mine, idsOwned: 2 }, limits)).toBe('ok')
    expect(awarenessVerdict(removal(1), mine, limits)).toBe('ok')
  })

  it('refuses a state over the size limit, even for an id the connection owns', () => {
    expect(awarenessVerdict(state(1, 101), mine, limits)).toMatchObject({ kind: 'awareness-too-big' })
  })

  it('refuses a newer state or removal of an id another connection holds: no renaming or removing someone else', () => {
    expect(awarenessVerdict(state(7), theirs, limits)).toEqual({ kind: 'awareness-not-owned', reason: 'awareness client 7 belongs to another connection' })
    expect(awarenessVerdict(removal(7), theirs, limits)).toMatchObject({ kind: 'awareness-not-owned' })
  })

  it('ignores what honest clients send back of others: entries not ahead of the room, removals of states nobody holds', () => {
    expect(awarenessVerdict(state(7), { ...theirs, stale: true }, limits)).toBe('ignore')
    expect(awarenessVerdict(removal(7), { ...theirs, stale: true }, limits)).toBe('ignore')
    expect(awarenessVerdict(removal(8), free, limits)).toBe('ignore')
  })

  it('ignores what a tab goes on passing on for another tab that now holds its own id', () => {
    expect(awarenessVerdict(state(7), { ...theirs, handedOver: true }, limits)).toBe('ignore')
  })

  it('refuses new ids past the per-connection count', () => {
    expect(awarenessVerdict(state(3), { ...free, idsOwned: 2 }, limits)).toMatchObject({ kind: 'awareness-too-many-ids' })
  })
})
