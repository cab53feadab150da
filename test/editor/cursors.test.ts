import { describe, expect, it } from 'vitest'
import { shortName } from '../../editor/cursors.js'

describe('shortName (a caret label)', () => {
  it('keeps names up to 18 characters', () => {
    expect(shortName('Ada')).toBe('Ada')
    expect(shortName('Grace Brewster Hop')).toBe('Grace Brewster Hop')
  })

  it('cuts longer names with an ellipsis, by character and without a trailing space', () => {
    expect(shortName('Bartholomew Fitzgerald-Montgomery')).toBe('Bartholomew Fitzg…')
    expect(shortName('Grace Brewster Murray Hopper')).toBe('Grace Brewster Mu…')
    expect(shortName('🦊🦊🦊🦊🦊🦊🦊🦊🦊🦊🦊🦊🦊🦊🦊🦊🦊🦊🦊')).toBe(`${'🦊'.repeat(17)}…`)
  })
})
