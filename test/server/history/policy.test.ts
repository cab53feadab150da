import { beforeEach, describe, expect, it } from 'vitest'
import { VersionPolicy } from '../../../server/history/policy.js'
import type { PresenceUser } from '../../../shared/presence.js'
import { ManualClock } from '../../helpers/clock.js'

const ada = { name: 'Ada', color: '#e91e63' }
const bob = { name: 'Bob', color: '#2196f3' }
const SECOND = 1000

describe('version policy', () => {
  let clock: ManualClock
  let due: Array<{ doc: string; authors: PresenceUser[]; at: number }>
  let policy: VersionPolicy
  beforeEach(() => {
    clock = new ManualClock()
    due = []
    policy = new VersionPolicy({ idleMs: 120 * SECOND, everyMs: 600 * SECOND }, clock, (doc, authors) => due.push({ doc, authors, at: clock.now() }))
  })

  it('records once editing pauses for the idle time, with each author once', () => {
    policy.edited('notes', ada)
    clock.advance(30 * SECOND)
    policy.edited('notes', bob)
    policy.edited('notes', ada)
    clock.advance(119 * SECOND)
    expect(due).toEqual([])
    clock.advance(1 * SECOND)
    expect(due).toEqual([{ doc: 'notes', authors: [ada, bob], at: 150 * SECOND }])
  })

  it('records at most every interval while editing goes on without a pause', () => {
    for (let t = 0; t < 25 * 60; t += 60) {
      policy.edited('notes', ada)
      clock.advance(60 * SECOND)
    }
    expect(due.map((d) => d.at)).toEqual([600 * SECOND, 1200 * SECOND])
  })

  it('records when the last editor leaves, and not again on the timers', () => {
    policy.edited('notes', ada)
    clock.advance(10 * SECOND)
    policy.left('notes')
    expect(due).toEqual([{ doc: 'notes', authors: [ada], at: 10 * SECOND }])
    clock.advance(3600 * SECOND)
    expect(due).toHaveLength(1)
  })

  it('sets its timers once per pending document, not once per edit', () => {
    for (let i = 0; i < 1000; i++) {
      policy.edited('notes', ada)
      clock.advance(100)
    }
    expect(clock.timersSet).toBe(2)
    clock.advance(120 * SECOND)
    expect(due).toEqual([{ doc: 'notes', authors: [ada], at: 99_900 + 120 * SECOND }])
  })

  it('records nothing when nothing was edited', () => {
    policy.left('notes')
    clock.advance(3600 * SECOND)
    policy.flush()
    expect(due).toEqual([])
  })

  it('counts edits without an author (imports) but names no one for them', () => {
    policy.edited('notes', null)
    clock.advance(120 * SECOND)
    expect(due).toEqual([{ doc: 'notes', authors: [], at: 120 * SECOND }])
  })

  it('records the pending edits of a renamed document at once, under its new name and with their authors', () => {
    policy.edited('draft', ada)
    policy.edited('draft', bob)
    policy.renamed('draft', 'paper')
    expect(due).toEqual([{ doc: 'paper', authors: [ada, bob], at: 0 }])
    expect(policy.isPending('draft')).toBe(false)
    clock.advance(3600 * SECOND)
    expect(due).toHaveLength(1)
  })

  it('keeps documents apart, forgets deleted ones and flushes the rest at shutdown', () => {
    policy.edited('a', ada)
    policy.edited('b', bob)
    policy.edited('c', bob)
    policy.forget('c')
    clock.advance(60 * SECOND)
    expect(policy.isPending('a')).toBe(true)
    policy.flush()
    expect(due.map((d) => d.doc).sort()).toEqual(['a', 'b'])
    clock.advance(3600 * SECOND)
    expect(due).toHaveLength(2)
  })
})
