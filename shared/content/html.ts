import { createRequire } from 'node:module'
import { htmlCodec, type PageParser } from './html-codec.js'

// The server has no DOM, so linkedom supplies one: it is small, pure JavaScript and enough for the
// two walks of `html-codec.ts`. The editor uses the browser's own DOMParser instead (see
// `editor/content.ts`), so neither linkedom nor `node:module` ever reaches a browser bundle.

/**
 * linkedom's `parseHTML`, required on the first HTML render or import rather than at startup: it
 * is the largest package the server has (about 13 MiB of RSS) and most servers never use it.
 * Its CommonJS build is safe to mix in, as it shares no classes with the ESM modules here.
 */
let parseHTMLOnce: typeof import('linkedom').parseHTML | undefined
function parseHTML(html: string): ReturnType<typeof import('linkedom').parseHTML> {
  parseHTMLOnce ??= (createRequire(import.meta.url)('linkedom') as typeof import('linkedom')).parseHTML
  return parseHTMLOnce(html)
}

/** A page parsed by linkedom, which finds `<body>` only in a page that has an `<html>` element. */
const linkedomPage: PageParser = (html) => {
  const page = /<html[\s>]/i.test(html) ? html : `<!doctype html><html><head></head><body>${html}</body></html>`
  // reason: linkedom's Document implements the DOM subset used here but is typed on its own.
  return (parseHTML(page) as unknown as { document: Document }).document
}

const codec = htmlCodec(linkedomPage)

/** The document as an HTML fragment; see `HtmlCodec.render`. */
export const renderHtml = codec.render

/** A document from HTML; see `HtmlCodec.parse`. */
export const parseHtml = codec.parse
