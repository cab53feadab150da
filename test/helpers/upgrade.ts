import WebSocket from 'ws'

/**
 * The HTTP status a WebSocket upgrade to `url` with these request headers got, or 101 when it
 * opened (the socket is closed again at once): how a test sees the upgrade gate's refusals.
 */
export function upgradeStatus(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise<number>((resolve) => {
    const ws = new WebSocket(url, { headers })
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
    ws.on('open', () => {
      ws.close()
      resolve(101)
    })
    ws.on('error', () => {})
  })
}
