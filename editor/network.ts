import type { WebsocketProvider } from 'y-websocket'

/**
 * Follows the browser's own idea of being online. When it goes offline an open WebSocket can linger
 * for a long time before anything notices (y-websocket's watchdog waits 30 s), so the socket is
 * dropped at once and the status says so; when it comes back the provider reconnects right away
 * instead of waiting out its backoff. A provider stopped for good (for example the document was
 * deleted) is left stopped. Returns the function that stops following.
 */
export function followBrowserNetwork(provider: WebsocketProvider): () => void {
  let resume = false
  const offline = (): void => {
    if (!provider.shouldConnect) return
    resume = true
    provider.disconnect()
  }
  const online = (): void => {
    if (!resume) return
    resume = false
    provider.connect()
  }
  window.addEventListener('offline', offline)
  window.addEventListener('online', online)
  return () => {
    window.removeEventListener('offline', offline)
    window.removeEventListener('online', online)
  }
}
