import WebSocket from 'ws'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'

/** A Node client using the official `y-websocket` provider, exactly as an integrator would. */
export interface TestClient {
  doc: Y.Doc
  provider: WebsocketProvider
  text: Y.Text
  /** Resolves once the provider has completed the sync handshake. */
  synced(): Promise<void>
  /** Resolves with the close event of the current socket. */
  closed(): Promise<{ code: number; reason: string }>
  destroy(): void
}

// reason: every WebsocketProvider adds a process 'exit' listener in Node; tests open dozens.
process.setMaxListeners(0)

/** Connects the official `WebsocketProvider` (over `ws`) to `docName` on `wsUrl`. */
export function connectClient(wsUrl: string, docName: string, options: { params?: Record<string, string>; connect?: boolean; resyncInterval?: number; broadcastChannel?: boolean } = {}): TestClient {
  const doc = new Y.Doc()
  const provider = new WebsocketProvider(wsUrl, docName, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    params: options.params ?? {},
    connect: options.connect ?? true,
    resyncInterval: options.resyncInterval ?? -1,
    // Off unless asked for: providers of one process would otherwise sync through it, around the server.
    disableBc: options.broadcastChannel !== true,
    // reason: our tests observe reconnection themselves; a fast backoff keeps them short.
    maxBackoffTime: 500,
  })
  return {
    doc,
    provider,
    text: doc.getText('text'),
    synced: () =>
      new Promise((resolve) => {
        if (provider.synced) resolve()
        else provider.once('sync', (isSynced: boolean) => isSynced && resolve())
      }),
    closed: () =>
      new Promise((resolve) => {
        provider.once('connection-close', (event: CloseEvent | null) => resolve({ code: event?.code ?? 0, reason: event?.reason ?? '' }))
      }),
    destroy: () => {
      provider.destroy()
      doc.destroy()
    },
  }
}
