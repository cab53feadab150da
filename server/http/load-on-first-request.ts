import type { RequestListener } from 'node:http'
import type { Logger } from '../log.js'

/**
 * A request listener that loads the real one (`load`) when the first HTTP request comes, and hands
 * it that request and every later one. The HTTP app is express, its middleware and quire's routes:
 * about 8 MiB of RSS that a server pays from its start, which a server used only over WebSockets
 * (the y-websocket drop-in, an app that embeds the editor from npm) never needs, and which the
 * first page, API call or health check brings in (tens of milliseconds, once). WebSocket upgrades
 * do not pass through it. A load that fails answers 500 and is tried again by the next request.
 */
export function loadOnFirstRequest(load: () => Promise<RequestListener>, log: Logger): RequestListener {
  let loaded: RequestListener | null = null
  let loading: Promise<RequestListener> | null = null
  return (req, res) => {
    if (loaded) return loaded(req, res)
    loading ??= load().then((listener) => {
      loaded = listener
      return listener
    })
    loading.then(
      (listener) => listener(req, res),
      (error: Error) => {
        loading = null
        log.error('http.load_failed', { error: error.message })
        res.writeHead(500, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: 'internal error' }))
      },
    )
  }
}
