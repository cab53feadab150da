import { describe, expect, it } from 'vitest'
import { DocNameError, docNameFromPath, docNameProblem } from '../../shared/doc-name.js'

describe('docNameProblem', () => {
  it('accepts slashes, spaces and any other Unicode', () => {
    for (const name of ['notes/2024', 'meeting notes', 'Überblick', '会议记录', 'emoji 📝', 'a'.repeat(256)]) expect(docNameProblem(name)).toBeNull()
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
  ])('refuses a name with %s', (_what, name) => {
    expect(docNameProblem(name)).toMatch(/bidirectional controls or zero-width/)
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
})
