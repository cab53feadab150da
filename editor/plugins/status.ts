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
 * final (4400-4499, e.g. the document was deleted) stays disconnected with the reason shown. A
 * view-only editor also says "View only" next to it.
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

  private readonly badge = document.createElement('span')
  private readonly onNetwork = (): void => this.draw()

  constructor(
    private readonly provider: WebsocketProvider,
    private readonly keptOffline: boolean,
    host: HTMLElement,
    readOnly: boolean,
  ) {
    this.el.dataset.quire = 'status'
    this.el.className = 'quire-status'
    this.el.setAttribute('role', 'status')
    this.el.setAttribute('aria-live', 'polite')
    host.append(this.el)
    if (readOnly) {
      this.badge.className = 'quire-view-only'
      this.badge.textContent = 'View only'
      host.append(this.badge)
    }
    window.addEventListener('online', this.onNetwork)
    window.addEventListener('offline', this.onNetwork)
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
      this.el.title = this.finalMessage
      this.el.dataset.final = ''
      return
    }
    if (state === 'connected') this.el.textContent = 'Connected'
    else if (state === 'connecting') this.el.textContent = 'Connecting…'
    else {
      // The browser knows when it has no network at all; otherwise the network is fine and it is
      // quire that does not answer, which calls for different action (wait vs. tell the admin).
      const attempts = this.provider.wsUnsuccessfulReconnects
      const retry = attempts > 1 ? ` (retry ${attempts})` : ''
      this.el.textContent = navigator.onLine ? `Can't reach the server${retry}` : "You're offline"
      if (this.keptOffline) this.el.title = 'Your edits are kept on this device and sent when the connection returns.'
    }
  }

  destroy(): void {
    this.provider.off('status', this.onConnected)
    this.provider.off('connection-close', this.onLost)
    this.provider.off('connection-error', this.onLost)
    this.provider.off('closed', this.onFinal)
    window.removeEventListener('online', this.onNetwork)
    window.removeEventListener('offline', this.onNetwork)
    this.badge.remove()
    this.el.remove()
  }
}

/** The connection status plugin, rendered into `host`. */
export function statusPlugin(provider: WebsocketProvider, keptOffline: boolean, host: HTMLElement, readOnly: boolean): Plugin {
  return new Plugin({ view: () => new StatusView(provider, keptOffline, host, readOnly) })
}
