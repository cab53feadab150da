import { describe, expect, it } from 'vitest'
import { isSafeUrl, normalizeHref, pastedHref, safeUrl } from '../../shared/urls.js'

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

  it.each(['javascript&colon;alert(document.domain)', 'javascript&#58;alert(1)', 'javascript&#x3A;alert(1)', '&#106;avascript:alert(1)', 'java&Tab;script:alert(1)'])(
    'refuses %j, which spells javascript: to whatever decodes character references',
    (url) => expect(isSafeUrl(url)).toBe(false),
  )

  it.each(['/docs?a=1&b=2', 'notes.html?x=1&y=2', '#a&b', 'mailto:ada&bob@example.com', 'https://example.com/a&b'])('accepts %j, whose & comes after its scheme could end', (url) =>
    expect(isSafeUrl(url)).toBe(true),
  )
})

describe('safeUrl', () => {
  it('returns a safe URL unchanged', () => expect(safeUrl('https://example.com/')).toBe('https://example.com/'))
  it('returns null for an unsafe URL', () => expect(safeUrl('javascript:alert(1)')).toBeNull())
  it('returns null for anything that is not a string', () => {
    for (const value of [undefined, null, 42, {}, ['https://example.com']]) expect(safeUrl(value)).toBeNull()
  })
})

describe('normalizeHref (what the link box stores)', () => {
  it.each([
    ['example.com', 'https://example.com'],
    ['  www.example.org/a?b=1#c ', 'https://www.example.org/a?b=1#c'],
    ['localhost.test:8080/x', 'https://localhost.test:8080/x'],
    ['https://example.com/x', 'https://example.com/x'],
    ['http://example.com', 'http://example.com'],
    ['ada@example.com', 'mailto:ada@example.com'],
    ['mailto:ada@example.com', 'mailto:ada@example.com'],
    ['/d/notes', '/d/notes'],
    ['#top', '#top'],
  ])('takes %j as %j', (input, href) => expect(normalizeHref(input)).toBe(href))

  it.each(['javascript:alert(1)', ' JavaScript:alert(1)', 'data:text/html,x', '', '   ', 'two words'])('refuses %j', (input) => expect(normalizeHref(input)).toBeNull())
})

describe('pastedHref (pasting over selected text links it)', () => {
  it.each([
    ['https://example.com/a', 'https://example.com/a'],
    ['  mailto:ada@example.com\n', 'mailto:ada@example.com'],
    ['example.com/docs', 'https://example.com/docs'],
  ])('links %j as %j', (text, href) => expect(pastedHref(text)).toBe(href))

  it.each(['just some words', 'javascript:alert(1)', '/relative/path', 'https://example.com and more', ''])('leaves %j to be pasted as text', (text) => expect(pastedHref(text)).toBeNull())
})
