import { describe, expect, it } from 'vitest'
import { DocNameError, docNameFromPath, docNameProblem } from '../../shared/doc-name.js'

describe('docNameProblem', () => {
  it('accepts slashes, spaces and any other Unicode', () => {
    for (const name of ['notes/2024', 'meeting notes', 'Überblick', '会议记录', 'emoji 📝', 'a'.repeat(256)]) expect(docNameProblem(name)).toBeNull()
  })

  it.each([
    ['a Persian word spelled with a zero-width non-joiner', 'می\u200cخواهم'],
    ['a Devanagari conjunct shaped with a zero-width joiner', 'क्\u200dष'],
    ['an emoji family joined with zero-width joiners', '👩\u200d👩\u200d👧'],
  ])('accepts %s, which needs it to be spelled right', (_what, name) => {
    expect(docNameProblem(name)).toBeNull()
  })

  it.each([
    ['empty', ''],
    ['over 256 UTF-8 bytes', 'é'.repeat(129)],
    ['with a control character', 'bad\u0001name'],
    ['with a lone surrogate', 'bad\ud800name'],
  ])('refuses a name that is %s', (_what, name) => {
    expect(docNameProblem(name)).not.toBeNull()
  })

  it.each([
    ['a right-to-left override, which lists "invoice\\u202Efdp.exe" as "invoiceexe.pdf"', 'invoice\u202efdp.exe'],
    ['a left-to-right embedding', 'a\u202ab'],
    ['a right-to-left isolate', 'a\u2067b'],
    ['a pop directional isolate', 'a\u2069b'],
    ['a left-to-right mark', 'a\u200eb'],
    ['a right-to-left mark', 'a\u200fb'],
    ['a zero-width space', 'notes\u200b'],
    ['a zero-width no-break space', '\ufeffnotes'],
    ['an Arabic letter mark, a bidirectional mark like LRM and RLM', 'a\u061cb'],
    ['a word joiner', 'notes\u2060'],
    ['an invisible times', 'a\u2062b'],
    ['an invisible plus', 'a\u2064b'],
    ['a soft hyphen, which shows only where a line breaks', 'no\u00adtes'],
    ['a Mongolian vowel separator', 'notes\u180e'],
    ['a line separator', 'notes\u2028.md'],
    ['a paragraph separator', 'notes\u2029.md'],
  ])('refuses a name with %s', (_what, name) => {
    expect(docNameProblem(name)).toMatch(/bidirectional controls or invisible characters/)
  })
})

describe('docNameFromPath', () => {
  it('percent-decodes the path after the first slash and drops the query', () => {
    expect(docNameFromPath('/notes%2F2024?token=x')).toBe('notes/2024')
  })

  it('refuses undecodable escapes and encoded bidirectional controls', () => {
    expect(() => docNameFromPath('/bad%ZZ')).toThrow(DocNameError)
    expect(() => docNameFromPath('/invoice%E2%80%AEfdp.exe')).toThrow(DocNameError)
  })

  it('refuses encoded invisible characters and keeps an encoded zero-width non-joiner', () => {
    expect(() => docNameFromPath('/no%C2%ADtes')).toThrow(DocNameError)
    expect(() => docNameFromPath('/notes%E2%81%A0')).toThrow(DocNameError)
    expect(docNameFromPath('/%D9%85%DB%8C%E2%80%8C%D8%AE%D9%88%D8%A7%D9%87%D9%85')).toBe('می\u200cخواهم')
  })
})
