import { describe, expect, it } from 'vitest'
import { labelProblem, MAX_LABEL_LENGTH } from '../../shared/versions.js'

describe('labelProblem', () => {
  it('takes one line of up to 200 characters, counted once trimmed', () => {
    expect(labelProblem('Submitted draft')).toBeNull()
    expect(labelProblem('x'.repeat(MAX_LABEL_LENGTH))).toBeNull()
    expect(labelProblem(`  ${'x'.repeat(MAX_LABEL_LENGTH)}  `)).toBeNull()
    expect(labelProblem('')).toBeNull()
  })

  it('refuses line breaks, tabs and other control characters', () => {
    for (const label of ['a\nb', 'a\r\nb', 'a\tb', 'a\u0000b', 'a\u009bb']) {
      expect(labelProblem(label)).toBe('a version label is one line, without line breaks, tabs or other control characters')
    }
  })

  it('refuses a label over 200 characters, saying how long it is', () => {
    expect(labelProblem('x'.repeat(100_000))).toBe('a version label is at most 200 characters; this one has 100000')
  })
})
