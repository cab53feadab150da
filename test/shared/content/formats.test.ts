import { describe, expect, it } from 'vitest'
import { ContentError, FORMAT_NAMES, FORMATS, formatOfFile, isFormatName } from '../../../shared/content/formats.js'
import { emptyDoc, sampleDoc } from '../../fixtures/sample.js'

describe('format table', () => {
  it('registers text, markdown, html and json, each under its own name', () => {
    expect(FORMAT_NAMES).toEqual(['text', 'markdown', 'html', 'json'])
    for (const name of FORMAT_NAMES) expect(FORMATS[name].name).toBe(name)
    expect(isFormatName('markdown')).toBe(true)
    expect(isFormatName('docx')).toBe(false)
  })

  it('finds a file’s format by its extension, whatever its case', () => {
    expect(formatOfFile('notes.md')?.name).toBe('markdown')
    expect(formatOfFile('/tmp/PAGE.HTML')?.name).toBe('html')
    expect(formatOfFile('a.txt')?.name).toBe('text')
    expect(formatOfFile('a.json')?.name).toBe('json')
    expect(formatOfFile('a.docx')).toBeNull()
  })

  it('renders json as ProseMirror’s doc JSON that parses back to the same document', () => {
    const json = FORMATS.json.render(sampleDoc)
    const parsed = JSON.parse(json)
    expect(parsed.type).toBe('doc')
    expect(parsed.content[0]).toEqual({ type: 'heading', attrs: { level: 1 }, content: [{ type: 'text', text: 'Quire sample' }] })
    expect(FORMATS.json.parse(json).eq(sampleDoc)).toBe(true)
  })

  it('renders an empty document as json with an empty content array, which reads back', () => {
    const json = FORMATS.json.render(emptyDoc)
    expect(JSON.parse(json)).toEqual({ type: 'doc', content: [] })
    expect(FORMATS.json.parse(json).eq(emptyDoc)).toBe(true)
  })

  it('refuses json that is not a quire document with a ContentError', () => {
    expect(() => FORMATS.json.parse('{nope')).toThrow(ContentError)
    expect(() => FORMATS.json.parse('{"type":"doc","content":[{"type":"marquee"}]}')).toThrow(ContentError)
    expect(() => FORMATS.json.parse('{"type":"paragraph"}')).toThrow(ContentError)
  })

  it('refuses json whose nodes break the schema: a list item directly in the doc, a heading of level 9', () => {
    expect(() => FORMATS.json.parse('{"type":"doc","content":[{"type":"list_item","content":[{"type":"paragraph"}]}]}')).toThrow(
      new ContentError('not a quire JSON document: Invalid content for node doc: <list_item(paragraph)>'),
    )
    expect(() => FORMATS.json.parse('{"type":"doc","content":[{"type":"heading","attrs":{"level":9},"content":[{"type":"text","text":"x"}]}]}')).toThrow(
      new ContentError('not a quire JSON document: heading level 9 is not a whole number from 1 to 6'),
    )
  })

  it('says in one line what is wrong with malformed json, without quoting it, and where when JSON.parse knows', () => {
    expect(() => FORMATS.json.parse('{\n"type":\n"doc",\n"content":\n[\n}\n')).toThrow(new ContentError("not a quire JSON document: unexpected token '}'"))
    expect(() => FORMATS.json.parse('{"type": "doc",\n "content" 1}')).toThrow(new ContentError('not a quire JSON document: unexpected number at line 2, column 12'))
    expect(() => FORMATS.json.parse('{"type":')).toThrow(new ContentError('not a quire JSON document: unexpected end of JSON input'))
  })
})
