import { existsSync } from 'node:fs'
import { extname, join, normalize, sep } from 'node:path'
import express, { type NextFunction, type Request, type Response, type Router } from 'express'
import { APP_CSP } from './security.js'

// The built pages reference their scripts and styles by content-hashed names under /assets, so those
// can be cached for good; the HTML, the service worker and the embed files keep stable names and
// must be revalidated (cheap: an ETag answers 304 when nothing changed).
const IMMUTABLE = 'public, max-age=31536000, immutable'
const REVALIDATE = 'no-cache'

/** Precompressed copies the build writes next to each text file, best first. */
const ENCODINGS = [
  { name: 'br', suffix: '.br' },
  { name: 'gzip', suffix: '.gz' },
] as const

/**
 * The precompressed copy of `file` that the request accepts, if the build made one, with the
 * headers that say so. The Content-Type stays the original file's.
 */
function pickEncoding(req: Request, res: Response, file: string): string {
  res.setHeader('Vary', 'Accept-Encoding')
  // Our preference (brotli is smaller), among what the client accepts and the build wrote.
  const encoding = ENCODINGS.find((e) => req.acceptsEncodings(e.name) === e.name && existsSync(file + e.suffix))
  if (!encoding) return file
  res.type(extname(file))
  res.setHeader('Content-Encoding', encoding.name)
  return file + encoding.suffix
}

/** Sends one built file, compressed when the client allows, with `cacheControl`. */
function sendBuilt(req: Request, res: Response, next: NextFunction, file: string, cacheControl: string): void {
  res.setHeader('Cache-Control', cacheControl)
  res.sendFile(pickEncoding(req, res, file), (error) => error && next(error))
}

/**
 * Serves what `npm run build` put in `distDir` (the absolute path of `dist/`): the document list at
 * `/`, the editor page at `/d/<name>` (the name is read by the page itself, so any percent-encoded
 * name works, `/` included), the pages' hashed `/assets/*`, the service worker `/sw.js` that keeps
 * them for offline reloads, and the embeddable editor at `/embed/quire-editor.{js,css}` with
 * `Access-Control-Allow-Origin: *`, because a module script imported from another origin is only
 * run when CORS allows it. Text files go out brotli- or gzip-compressed (precompressed by the
 * build at the highest levels) to clients that accept it.
 */
export function staticRoutes(distDir: string): Router {
  const appDir = join(distDir, 'app')
  const embedDir = join(distDir, 'embed')
  const assetsDir = join(appDir, 'assets')
  const router = express.Router()

  // The service worker gets the pages' policy too: a worker runs under its own script's CSP, and
  // it must be allowed to fetch the pages and assets it keeps.
  const page = (file: string) => (req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Content-Security-Policy', APP_CSP)
    sendBuilt(req, res, next, join(appDir, file), REVALIDATE)
  }
  router.get('/', page('index.html'))
  router.get('/d/*name', page('doc.html'))
  router.get('/sw.js', page('sw.js'))

  router.get('/assets/*file', (req, res, next) => {
    const file = normalize(join(assetsDir, ...(req.params as { file: string[] }).file))
    if (!file.startsWith(assetsDir + sep) || !existsSync(file)) return next()
    sendBuilt(req, res, next, file, IMMUTABLE)
  })

  for (const file of ['quire-editor.js', 'quire-editor.css', 'quire-editor.js.map']) {
    router.get(`/embed/${file}`, (req, res, next) => {
      res.setHeader('Access-Control-Allow-Origin', '*')
      sendBuilt(req, res, next, join(embedDir, file), REVALIDATE)
    })
  }
  return router
}
