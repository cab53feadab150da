import type { FormatName } from '../../shared/content/formats.js'
import { docNameToSegment } from '../../shared/doc-name.js'
import type { CURRENT, VersionInfo } from '../../shared/versions.js'
import { type DocInfo, type Docs, DocsError, type DocsErrorKind } from '../docs.js'
import { requestAsIs } from './request-as-is.js'

const KIND: Record<number, DocsErrorKind> = { 400: 'invalid', 401: 'denied', 403: 'denied', 404: 'not-found', 409: 'conflict', 413: 'too-large', 503: 'busy' }

/**
 * `Docs` through a running server's HTTP API (`/api/docs…`), for the CLI while that server holds
 * the data dir. Errors come back as the `DocsError` the server raised (kind from the status, its
 * message from the body), so a command prints the same line either way.
 */
export class RemoteDocs implements Docs {
  constructor(
    private readonly baseUrl: string,
    /** Sent with every request, e.g. the `Authorization` of a server with access control. */
    private readonly headers: Record<string, string> = {},
  ) {}

  async list(): Promise<DocInfo[]> {
    return (await this.request('GET', '/api/docs')).json() as Promise<DocInfo[]>
  }

  async stat(name: string): Promise<DocInfo> {
    return (await this.request('GET', docPath(name))).json() as Promise<DocInfo>
  }

  async content(name: string, format: FormatName): Promise<string> {
    return (await this.request('GET', `${docPath(name)}/content?format=${format}`)).text()
  }

  async import(name: string, format: FormatName, text: string): Promise<void> {
    await this.request('PUT', `${docPath(name)}/content?format=${format}`, text)
  }

  async remove(name: string): Promise<void> {
    await this.request('DELETE', docPath(name))
  }

  async rename(from: string, to: string): Promise<DocInfo> {
    return (await this.request('POST', `${docPath(from)}/rename`, JSON.stringify({ to }), 'application/json')).json() as Promise<DocInfo>
  }

  async compact(name: string): Promise<DocInfo> {
    return (await this.request('POST', `${docPath(name)}/compact`)).json() as Promise<DocInfo>
  }

  async versions(name: string): Promise<VersionInfo[]> {
    return (await this.request('GET', `${docPath(name)}/versions`)).json() as Promise<VersionInfo[]>
  }

  async checkpoint(name: string, label: string | null): Promise<VersionInfo> {
    return (await this.request('POST', `${docPath(name)}/versions`, JSON.stringify({ label }), 'application/json')).json() as Promise<VersionInfo>
  }

  async versionContent(name: string, id: number, format: FormatName): Promise<string> {
    return (await this.request('GET', `${docPath(name)}/versions/${id}/content?format=${format}`)).text()
  }

  async diff(name: string, from: number, to: number | typeof CURRENT): Promise<string> {
    return (await this.request('GET', `${docPath(name)}/versions/${from}/diff?to=${to}`)).text()
  }

  async restore(name: string, id: number): Promise<VersionInfo> {
    return (await this.request('POST', `${docPath(name)}/versions/${id}/restore`)).json() as Promise<VersionInfo>
  }

  private async request(method: string, path: string, body?: string, type = 'text/plain; charset=utf-8'): Promise<Response> {
    let res: Response
    try {
      // Not `fetch`: see `requestAsIs` for what it would do to a document named `.` or `..`.
      res = await requestAsIs(this.baseUrl, method, path, { headers: { ...this.headers, ...(body === undefined ? {} : { 'content-type': type }) }, body })
    } catch (error) {
      throw new DocsError('failed', `the server at ${this.baseUrl} did not answer: ${(error as Error).message}`, { cause: error })
    }
    if (res.ok) return res
    const answer = (await res.json().catch(() => ({}))) as { error?: unknown; deletedAt?: unknown; renamedTo?: unknown }
    const said = typeof answer.error === 'string' ? answer.error : `the server answered ${res.status} ${res.statusText}`
    // The CLI signs its requests with QUIRE_SECRET when it has it; a 401 means it has not.
    const hint = res.status === 401 ? `; the server at ${this.baseUrl} needs a token: run with its QUIRE_SECRET set` : ''
    throw new DocsError(
      typeof answer.deletedAt === 'string' ? 'deleted' : (KIND[res.status] ?? 'failed'),
      `${said}${hint}`,
      typeof answer.deletedAt === 'string' ? { deletedAt: answer.deletedAt, renamedTo: typeof answer.renamedTo === 'string' ? answer.renamedTo : null } : {},
    )
  }
}

function docPath(name: string): string {
  return `/api/docs/${docNameToSegment(name)}`
}
