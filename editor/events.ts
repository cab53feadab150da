/** What the connection looks like to the person editing: what `[data-quire="status"]` shows. */
export type ConnectionState = 'connected' | 'connecting' | 'disconnected'

/** Someone in the document, as their presence reads (validated: peers are untrusted). */
export interface Person {
  /** Their Yjs client id: one per open editor, so the same person in two tabs is listed twice. */
  clientId: number
  name: string
  /** `#rrggbb`. */
  color: string
  /** Whether they edited in the last two seconds. */
  typing: boolean
  /** Whether this is the editor's own user. */
  self: boolean
}

/**
 * A connection the server ended with a reason (a close code), or a call the server refused.
 * `final` means the editor stopped reconnecting: 4401 (missing, invalid or expired token, fixed by
 * `setToken`), 4403 (token for another document), 4404 (document deleted).
 */
export class EditorError extends Error {
  override name = 'EditorError'
  /** The WebSocket close code the server sent. */
  readonly code: number
  /** Whether the editor gave up reconnecting (until `setToken`). */
  readonly final: boolean

  constructor(message: string, code: number, final: boolean) {
    super(message)
    this.code = code
    this.final = final
  }
}

/** Every event of `Editor.on`, with what its listeners receive. */
export interface EditorEvents {
  /** The connection state changed (only on a change; read the current one from `editor.status`). */
  status: { state: ConnectionState }
  /** The editor holds everything the server has: after the first sync and after every reconnect. */
  synced: undefined
  /** The document changed; `local` is true for edits made here (typing, toolbar, `setContent`). */
  change: { local: boolean }
  /** The server closed the connection with a reason; see `EditorError`. */
  error: EditorError
  /** Someone joined, left, renamed or started or stopped typing: everyone present, this user first. */
  presence: { people: Person[] }
}

/** A listener of event `K`. */
export type EditorListener<K extends keyof EditorEvents> = (payload: EditorEvents[K]) => void

/**
 * The editor's event hub. A listener that throws is reported (`reportError`, as an uncaught error
 * would be) and does not keep the others or the editor from running.
 */
export class Emitter {
  private readonly listeners = new Map<keyof EditorEvents, Set<(payload: never) => void>>()

  on<K extends keyof EditorEvents>(event: K, listener: EditorListener<K>): () => void {
    let set = this.listeners.get(event)
    if (set === undefined) this.listeners.set(event, (set = new Set()))
    set.add(listener)
    return () => this.off(event, listener)
  }

  off<K extends keyof EditorEvents>(event: K, listener: EditorListener<K>): void {
    this.listeners.get(event)?.delete(listener)
  }

  emit<K extends keyof EditorEvents>(event: K, payload: EditorEvents[K]): void {
    // A copy, so a listener that removes itself or adds another does not change this round.
    for (const listener of [...(this.listeners.get(event) ?? [])]) {
      try {
        ;(listener as EditorListener<K>)(payload)
      } catch (error) {
        reportError(error)
      }
    }
  }

  clear(): void {
    this.listeners.clear()
  }
}
