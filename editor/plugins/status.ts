import { Plugin, type PluginView } from 'prosemirror-state'
import type { EditorView } from 'prosemirror-view'
import type { WebsocketProvider } from 'y-websocket'
import type { Connection } from '../connection.js'

/**
 * `[data-quire="status"]`: the connection as `Connection` understands it (the same state the
 * editor's `status` events report), with the retry count while disconnected and the server's
 * reason after a final close. A view-only editor also says "View only" next to it.
 */
class StatusView implements PluginView {
  private readonly el = document.createElement('div')
  private readonly badge = document.createElement('span')
  private readonly onNetwork = (): void => this.render()
  private readonly unwatch: () => void

  constructor(
    view: EditorView,
    private readonly provider: WebsocketProvider,
    private readonly connection: Connection,
    private readonly keptOffline: boolean,
    host: HTMLElement,
  ) {
    this.el.dataset.quire = 'status'
    this.el.className = 'quire-status'
    this.el.setAttribute('role', 'status')
    this.el.setAttribute('aria-live', 'polite')
    this.badge.className = 'quire-view-only'
    this.badge.textContent = 'View only'
    host.append(this.el, this.badge)
    window.addEventListener('online', this.onNetwork)
    window.addEventListener('offline', this.onNetwork)
    this.unwatch = connection.watch(() => this.render())
    this.update(view)
    this.render()
  }

  /**
   * Read-only can be switched at run time (and a deletion ends editing, which the status says, from
   * `connection.watch`). Nothing is written while that stays the same: this runs on every keystroke,
   * and each DOM write makes the browser lay the bar out again.
   */
  update(view: EditorView): void {
    const hidden = view.editable || this.connection.final !== null
    if (this.badge.hidden !== hidden) this.badge.hidden = hidden
  }

  private render(): void {
    const { state, final } = this.connection
    this.el.dataset.state = state
    this.el.title = ''
    if (final !== null) {
      this.el.textContent = final.message
      this.el.title = final.message
      this.el.dataset.final = ''
      this.badge.hidden = true
      return
    }
    delete this.el.dataset.final
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
    this.unwatch()
    window.removeEventListener('online', this.onNetwork)
    window.removeEventListener('offline', this.onNetwork)
    this.badge.remove()
    this.el.remove()
  }
}

/** The connection status plugin, rendered into `host`. */
export function statusPlugin(provider: WebsocketProvider, connection: Connection, keptOffline: boolean, host: HTMLElement): Plugin {
  return new Plugin({ view: (view) => new StatusView(view, provider, connection, keptOffline, host) })
}
