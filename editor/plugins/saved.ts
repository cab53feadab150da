import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { Plugin, type PluginView } from 'prosemirror-state'
import * as syncProtocol from 'y-protocols/sync'
import type { WebsocketProvider } from 'y-websocket'
import { MessageType } from '../../shared/protocol.js'

/**
 * Probes go out at most this often. Answering one makes the server compute the difference between
 * the whole document and this page's state, and applying the answer makes y-prosemirror map the
 * caret through the whole document; one probe per keystroke was a pass over the document on both
 * ends per keystroke, and a second repaint of the page per keystroke when the state flipped back.
 */
export const PROBE_EVERY_MS = 1000

/** What `[data-quire="saved"]` reports in its `data-state` attribute. */
export type SavedState = 'saved' | 'pending' | 'offline'

/**
 * Counts this page's changes that the server has not confirmed, using y-websocket's sync protocol
 * rather than timers. The protocol has no acknowledgement, but it is ordered: a sync step 1 sent
 * after some updates is answered (step 2) only after the server handled those updates, and quire
 * answers it only once they are stored. So after local changes the tracker sends a step 1 (a
 * "probe"), and the next step 2 the provider receives confirms every change sent before it. The
 * step 2 is seen by wrapping the provider's own sync message handler; the provider's `synced`
 * flag is left alone, so its other listeners see one sync per connection.
 */
export class SaveTracker {
  /** Local changes not yet confirmed. */
  pending = 0
  /** How many of `pending` the probe in flight will confirm; `null` when none is in flight. */
  private probing: number | null = null
  private scheduled: ReturnType<typeof setTimeout> | 'soon' | null = null
  private lastProbe = Number.NEGATIVE_INFINITY
  private readonly listeners = new Set<() => void>()
  private readonly handleSync: WebsocketProvider['messageHandlers'][number]

  constructor(private readonly provider: WebsocketProvider) {
    const original = provider.messageHandlers[MessageType.sync]!
    this.handleSync = original
    provider.messageHandlers[MessageType.sync] = (encoder, decoder, from, emitSynced, type) => {
      // Only answers that came over the socket count (y-websocket also reads messages from other
      // tabs through this handler when its BroadcastChannel is on).
      const step2 = emitSynced && decoding.readVarUint(decoding.clone(decoder)) === syncProtocol.messageYjsSyncStep2
      original(encoder, decoder, from, emitSynced, type)
      if (step2) this.onStep2()
    }
    provider.doc.on('update', this.onUpdate)
    provider.on('status', this.onStatus)
  }

  get state(): SavedState {
    if (!this.provider.wsconnected) return 'offline'
    return this.pending === 0 && this.probing === null ? 'saved' : 'pending'
  }

  /** Calls `fn` whenever `state` or `pending` may have changed. */
  subscribe(fn: () => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  destroy(): void {
    if (this.scheduled !== null && this.scheduled !== 'soon') clearTimeout(this.scheduled)
    this.provider.messageHandlers[MessageType.sync] = this.handleSync
    this.provider.doc.off('update', this.onUpdate)
    this.provider.off('status', this.onStatus)
    this.listeners.clear()
  }

  private notify(): void {
    for (const fn of this.listeners) fn()
  }

  // Updates applied by the provider came from the server (or another tab through it): nothing to send.
  private readonly onUpdate = (_update: Uint8Array, origin: unknown): void => {
    if (origin === this.provider) return
    this.pending += 1
    this.scheduleProbe()
    this.notify()
  }

  private onStep2(): void {
    if (this.probing !== null) {
      this.pending = Math.max(0, this.pending - this.probing)
      this.probing = null
    }
    // The handshake's own step 2 can overtake the changes this page sent in reply to the server's
    // step 1 (offline edits), so whatever is still pending gets a probe of its own.
    if (this.pending > 0) this.scheduleProbe()
    this.notify()
  }

  private readonly onStatus = (): void => {
    // A probe whose socket closed will never be answered; the next connection's handshake resends.
    if (!this.provider.wsconnected) this.probing = null
    this.notify()
  }

  /**
   * One probe per `PROBE_EVERY_MS` at most, sent at the end of the task that made the changes, so
   * a burst of changes in one task, or typed within that time, is confirmed together.
   */
  private scheduleProbe(): void {
    if (this.scheduled !== null || this.probing !== null) return
    const send = (): void => {
      this.scheduled = null
      this.probe()
    }
    const wait = this.lastProbe + PROBE_EVERY_MS - performance.now()
    if (wait > 0) this.scheduled = setTimeout(send, wait)
    else {
      this.scheduled = 'soon'
      queueMicrotask(send)
    }
  }

  private probe(): void {
    const { ws } = this.provider
    if (this.probing !== null || this.pending === 0 || !this.provider.wsconnected || !this.provider.synced || ws === null || ws.readyState !== WebSocket.OPEN) return
    this.probing = this.pending
    this.lastProbe = performance.now()
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, MessageType.sync)
    syncProtocol.writeSyncStep1(encoder, this.provider.doc)
    ws.send(encoding.toUint8Array(encoder))
  }
}

function describe(tracker: SaveTracker): string {
  const waiting = `${tracker.pending} ${tracker.pending === 1 ? 'change' : 'changes'} waiting`
  if (tracker.state === 'saved') return 'All changes saved'
  if (tracker.state === 'offline') return tracker.pending > 0 ? waiting : 'Not connected'
  return tracker.pending > 0 ? waiting : 'Saving…'
}

/** `[data-quire="saved"]`: "All changes saved" or "N changes waiting", from a `SaveTracker`. */
class SavedView implements PluginView {
  private readonly el = document.createElement('span')
  private readonly unsubscribe: () => void

  constructor(
    private readonly tracker: SaveTracker,
    host: HTMLElement,
  ) {
    this.el.dataset.quire = 'saved'
    this.el.className = 'quire-saved'
    this.el.setAttribute('aria-live', 'polite')
    host.append(this.el)
    this.unsubscribe = tracker.subscribe(() => this.draw())
    this.draw()
  }

  // Only what changed is written: each DOM write costs a layout and a repaint of the page.
  private draw(): void {
    const { state } = this.tracker
    const text = describe(this.tracker)
    if (this.el.dataset.state !== state) this.el.dataset.state = state
    if (this.el.textContent !== text) this.el.textContent = text
  }

  destroy(): void {
    this.unsubscribe()
    this.tracker.destroy()
    this.el.remove()
  }
}

/** The saved-state plugin, rendered into `host`. */
export function savedPlugin(provider: WebsocketProvider, host: HTMLElement): Plugin {
  return new Plugin({ view: () => new SavedView(new SaveTracker(provider), host) })
}
