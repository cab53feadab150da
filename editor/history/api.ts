import { docNameToSegment } from '../../shared/doc-name.js'
import type { VersionInfo } from '../../shared/versions.js'

/** A version's content as ProseMirror JSON (`GET .../versions/<id>/content?format=json`). */
export type DocJSON = { type: 'doc'; content?: unknown[] }

/**
 * The version routes of the quire server the editor is connected to (CONTRACT "Version history").
 * The HTTP origin is the WebSocket URL's (`ws` → `http`, `wss` → `https`); the token, when there
 * is one, goes in the `Authorization` header, as it would for any API client.
 */
export class HistoryApi {
  private readonly base: string
  private readonly headers: Record<string, string>

  constructor(
    wsUrl: string,
    doc: string,
    private readonly token: string | undefined,
  ) {
    this.base = `${wsUrl.replace(/^ws/, 'http').replace(/\/+$/, '')}/api/docs/${docNameToSegment(doc)}`
    this.headers = token ? { authorization: `Bearer ${token}` } : {}
  }

  /** Versions, newest first; empty for a document never stored. */
  async list(): Promise<VersionInfo[]> {
    const res = await fetch(`${this.base}/versions`, { headers: this.headers })
    if (res.status === 404) return []
    return (await this.ok(res)).json() as Promise<VersionInfo[]>
  }

  async content(id: number): Promise<DocJSON> {
    return (await this.ok(await fetch(`${this.base}/versions/${id}/content?format=json`, { headers: this.headers }))).json() as Promise<DocJSON>
  }

  async checkpoint(label: string | null): Promise<VersionInfo> {
    const res = await fetch(`${this.base}/versions`, { method: 'POST', headers: { ...this.headers, 'content-type': 'application/json' }, body: JSON.stringify({ label }) })
    return (await this.ok(res)).json() as Promise<VersionInfo>
  }

  async restore(id: number): Promise<VersionInfo> {
    return (await this.ok(await fetch(`${this.base}/versions/${id}/restore`, { method: 'POST', headers: this.headers }))).json() as Promise<VersionInfo>
  }

  /**
   * Calls `onVersion` whenever the server records a version of the document (its SSE `version`
   * event), until the returned function is called. An `EventSource` cannot send headers, so the
   * token goes in the query, as the events route accepts.
   */
  watch(onVersion: () => void): () => void {
    const source = new EventSource(`${this.base}/events${this.token ? `?token=${encodeURIComponent(this.token)}` : ''}`)
    source.addEventListener('version', onVersion)
    return () => source.close()
  }

  private async ok(res: Response): Promise<Response> {
    if (res.ok) return res
    const said = await res
      .json()
      .then((json: { error?: unknown }) => (typeof json.error === 'string' ? json.error : null))
      .catch(() => null)
    throw new Error(said ?? `the server answered ${res.status}`)
  }
}
