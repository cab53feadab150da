import { Plugin, type PluginView } from 'prosemirror-state'
import type { WebsocketProvider } from 'y-websocket'
import { CloseCode } from '../../shared/protocol.js'

/** What `[data-quire="status"]` reports in its `data-state` attribute. */
export type ConnectionState = 'connected' | 'connecting' | 'disconnected'

const FINAL_MESSAGES: Record<number, string> = {
  [CloseCode.documentDeleted]: 'This document was deleted. Your copy is no longer saved.',
  [CloseCode.unauthorized]: 'Not allowed to open this document: the link or token is missing, invalid or expired.',
  [CloseCode.forbidden]: 'This access token is for another document.',
}

/**
 * `[data-quire="status"]`: the connection as the user should understand it. y-websocket reports
 * `connecting` again before every retry, which would hide an outage behind a flickering label, so
 * here "connecting" means "not connected yet" and any lost or refused connection reads
 * "disconnected" (with the retry count) until a socket is open again. A close the server marks as
 * final (4400-4499, e.g. the document was deleted) stays disconnected with the reason shown.
 */
class StatusView implements PluginView {
  private readonly el = document.createElement('div')
  private lostConnection = false
  private finalMessage: string | null = null
  private readonly onLost = (): void => {
    this.lostConnection = true
    this.draw()
  }
  private readonly onConnected = ({ status }: { status: string }): void => {
    if (status === 'connected') this.lostConnection = false
    this.draw()
  }
  private readonly onFinal = ({ code }: { code: number }): void => {
    this.finalMessage = FINAL_MESSAGES[code] ?? `The server closed the connection for good (code ${code}).`
    this.draw()
  }

  constructor(
    private readonly provider: WebsocketProvider,
    private readonly keptOffline: boolean,
    host: HTMLElement,
  ) {
    this.el.dataset.quire = 'status'
    this.el.className = 'quire-status'
    this.el.setAttribute('role', 'status')
    this.el.setAttribute('aria-live', 'polite')
    host.append(this.el)
    provider.on('status', this.onConnected)
    provider.on('connection-close', this.onLost)
    provider.on('connection-error', this.onLost)
    provider.on('closed', this.onFinal)
    this.draw()
  }

  private state(): ConnectionState {
    if (this.finalMessage === null && this.provider.wsconnected) return 'connected'
    return this.lostConnection || this.finalMessage !== null ? 'disconnected' : 'connecting'
  }

  private draw(): void {
    const state = this.state()
    this.el.dataset.state = state
    this.el.title = ''
    if (this.finalMessage !== null) {
      this.el.textContent = this.finalMessage
      this.el.dataset.final = ''
      return
    }
    if (state === 'connected') this.el.textContent = 'Connected'
    else if (state === 'connecting') this.el.textContent = 'Connecting…'
    else {
      const attempts = this.provider.wsUnsuccessfulReconnects
      this.el.textContent = `Offline, reconnecting${attempts > 1 ? ` (attempt ${attempts})` : ''}…`
      if (this.keptOffline) this.el.title = 'Your edits are kept on this device and sent when the connection returns.'
    }
  }

  destroy(): void {
    this.provider.off('status', this.onConnected)
    this.provider.off('connection-close', this.onLost)
    this.provider.off('connection-error', this.onLost)
    this.provider.off('closed', this.onFinal)
    this.el.remove()
  }
}

/** The connection status plugin, rendered into `host`. */
export function statusPlugin(provider: WebsocketProvider, keptOffline: boolean, host: HTMLElement): Plugin {
  return new Plugin({ view: () => new StatusView(provider, keptOffline, host) })
}
