import { Plugin, type PluginView } from 'prosemirror-state'
import type { WebsocketProvider } from 'y-websocket'
import type { Connection } from '../connection.js'

/**
 * `[data-quire="status"]`: the connection as `Connection` understands it (the same state the
 * editor's `status` events report), with the retry count while disconnected and the server's
 * reason after a final close.
 */
class StatusView implements PluginView {
  private readonly el = document.createElement('div')
  private readonly unwatch: () => void

  constructor(
    private readonly provider: WebsocketProvider,
    private readonly connection: Connection,
    private readonly keptOffline: boolean,
    host: HTMLElement,
  ) {
    this.el.dataset.quire = 'status'
    this.el.className = 'quire-status'
    this.el.setAttribute('role', 'status')
    this.el.setAttribute('aria-live', 'polite')
    host.append(this.el)
    this.unwatch = connection.watch(() => this.render())
    this.render()
  }

  private render(): void {
    const { state, final } = this.connection
    this.el.dataset.state = state
    this.el.title = ''
    if (final !== null) {
      this.el.textContent = final.message
      this.el.dataset.final = ''
      return
    }
    delete this.el.dataset.final
    if (state === 'connected') this.el.textContent = 'Connected'
    else if (state === 'connecting') this.el.textContent = 'Connecting…'
    else {
      const attempts = this.provider.wsUnsuccessfulReconnects
      this.el.textContent = `Offline, reconnecting${attempts > 1 ? ` (attempt ${attempts})` : ''}…`
      if (this.keptOffline) this.el.title = 'Your edits are kept on this device and sent when the connection returns.'
    }
  }

  destroy(): void {
    this.unwatch()
    this.el.remove()
  }
}

/** The connection status plugin, rendered into `host`. */
export function statusPlugin(provider: WebsocketProvider, connection: Connection, keptOffline: boolean, host: HTMLElement): Plugin {
  return new Plugin({ view: () => new StatusView(provider, connection, keptOffline, host) })
}
