import { describe, expect, it } from 'vitest'
import { MAX_PRESENCE_NAME, readPresence, readTyping } from '../../shared/presence.js'

describe('readPresence', () => {
  it('reads a well-formed user', () => {
    expect(readPresence({ user: { name: 'Ada', color: '#E91E63' }, cursor: null })).toEqual({ name: 'Ada', color: '#E91E63' })
  })

  it('trims the name and cuts it to the display limit', () => {
    expect(readPresence({ user: { name: '  Ada  ', color: '#123456' } })?.name).toBe('Ada')
    expect(readPresence({ user: { name: 'x'.repeat(1000), color: '#123456' } })?.name).toHaveLength(MAX_PRESENCE_NAME)
  })

  it('replaces a color that is not #rrggbb with neutral grey', () => {
    for (const color of ['red', '#fff', '#12345g', 'red; background: url(x)', 42, undefined]) {
      expect(readPresence({ user: { name: 'Ada', color } })?.color).toBe('#888888')
    }
  })

  it('treats states without a usable name as no presence', () => {
    for (const state of [null, undefined, 'Ada', 42, {}, { user: null }, { user: 'Ada' }, { user: { name: 42 } }, { user: { name: '   ' } }]) {
      expect(readPresence(state)).toBeNull()
    }
  })
})

describe('readTyping', () => {
  it('is true only for a literal true', () => {
    expect(readTyping({ typing: true })).toBe(true)
    for (const state of [{ typing: 'yes' }, { typing: 1 }, { typing: false }, {}, null, 'typing']) expect(readTyping(state)).toBe(false)
  })
})
