import { describe, expect, it } from 'vitest'
import { isSafeUrl, safeUrl } from '../../shared/urls.js'

describe('isSafeUrl', () => {
  it.each(['https://example.com/a?b#c', 'http://example.com', 'HTTPS://EXAMPLE.COM', 'mailto:ada@example.com', '/d/notes', 'notes.html', '#top', '?q=1', '//cdn.example.com/x.png', ''])(
    'accepts %j',
    (url) => expect(isSafeUrl(url)).toBe(true),
  )

  it.each([
    'javascript:alert(1)',
    'JavaScript:alert(1)',
    ' javascript:alert(1)',
    'java\tscript:alert(1)',
    'java\nscript:alert(1)',
    '\u0000javascript:alert(1)',
    'vbscript:msgbox(1)',
    'data:text/html,<script>alert(1)</script>',
    'file:///etc/passwd',
    'blob:https://example.com/x',
  ])('refuses %j', (url) => expect(isSafeUrl(url)).toBe(false))
})

describe('safeUrl', () => {
  it('returns a safe URL unchanged', () => expect(safeUrl('https://example.com/')).toBe('https://example.com/'))
  it('returns null for an unsafe URL', () => expect(safeUrl('javascript:alert(1)')).toBeNull())
  it('returns null for anything that is not a string', () => {
    for (const value of [undefined, null, 42, {}, ['https://example.com']]) expect(safeUrl(value)).toBeNull()
  })
})
