import { join } from 'node:path'
import express, { type Response, type Router } from 'express'
import { APP_CSP } from './security.js'

// The built pages reference their scripts and styles by content-hashed names under /assets, so those
// can be cached for good; the HTML and the embed files keep stable names and must be revalidated.
const IMMUTABLE = 'public, max-age=31536000, immutable'
const REVALIDATE = 'no-cache'

/**
 * Serves what `npm run build` put in `distDir` (the absolute path of `dist/`): the document list at
 * `/`, the editor page at `/d/<name>` (the name is read by the page itself, so any percent-encoded
 * name works, `/` included), the pages' hashed `/assets/*`, and the embeddable editor at
 * `/embed/quire-editor.{js,css}` with `Access-Control-Allow-Origin: *`, because a module script
 * imported from another origin is only run when CORS allows it.
 */
export function staticRoutes(distDir: string): Router {
  const appDir = join(distDir, 'app')
  const embedDir = join(distDir, 'embed')
  const router = express.Router()

  const page = (file: string) => (_req: unknown, res: Response) => {
    res.setHeader('Cache-Control', REVALIDATE)
    res.setHeader('Content-Security-Policy', APP_CSP)
    res.sendFile(join(appDir, file))
  }
  router.get('/', page('index.html'))
  router.get('/d/*name', page('doc.html'))

  router.use('/assets', express.static(join(appDir, 'assets'), { fallthrough: false, index: false, setHeaders: (res) => res.setHeader('Cache-Control', IMMUTABLE) }))

  for (const file of ['quire-editor.js', 'quire-editor.css', 'quire-editor.js.map']) {
    router.get(`/embed/${file}`, (_req, res) => {
      res.setHeader('Access-Control-Allow-Origin', '*')
      res.setHeader('Cache-Control', REVALIDATE)
      res.sendFile(join(embedDir, file))
    })
  }
  return router
}
