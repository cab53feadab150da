import type { Node } from 'prosemirror-model'
import * as Y from 'yjs'
import type { FormatName } from '../shared/content/catalog.js'
import { ContentError, ContentLimitError } from '../shared/content/limits.js'
import { docNameProblem } from '../shared/doc-name.js'
import { CURRENT, labelProblem, type VersionInfo } from '../shared/versions.js'
import { settingName } from './config.js'
import { LimitError } from './guard/limits.js'
import type { VersionRecorder } from './history/recorder.js'
import type { Importer } from './imports/importer.js'
import type { DocMeta, DocStore } from './store/store.js'
import type { Rooms } from './sync/rooms.js'

/** One document as the API and the CLI list it (the JSON shape of `GET /api/docs` rows). */
export interface DocInfo {
  name: string
  /** Bytes of stored updates. */
  bytes: number
  /** Stored update records (1 right after compaction). */
  updates: number
  /** ISO 8601 time of the last stored change. */
  updatedAt: string
  /** Open WebSocket connections to the document. */
  clients: number
}

/**
 * What can be done to saved documents from outside the editor. Implemented once over the store and
 * rooms (`LocalDocs`: the HTTP API and the CLI without a server) and once over the HTTP API
 * (`RemoteDocs`: the CLI while a server holds the data dir), so each command is written once and
 * behaves the same either way. Every method throws `DocsError` for a problem the user can act on.
 */
export interface Docs {
  /** Every stored document, sorted by name. */
  list(): Promise<DocInfo[]>
  stat(name: string): Promise<DocInfo>
  /** The document rendered in `format`. */
  content(name: string, format: FormatName): Promise<string>
  /**
   * Replaces the document's content with `text` read as `format`, creating the document if needed.
   * It is an ordinary edit: connected editors see it live, and concurrent edits merge with it.
   */
  import(name: string, format: FormatName, text: string): Promise<void>
  remove(name: string): Promise<void>
  /**
   * Gives document `from` the name `to`, keeping its content and version history, and returns its
   * metadata under the new name. Editors open on `from` are closed (4404, `renamed to <to>`);
   * `from` then reads as deleted. Fails with `conflict` when `to` exists.
   */
  rename(from: string, to: string): Promise<DocInfo>
  /** Merges the document's stored records into one and returns its new metadata. */
  compact(name: string): Promise<DocInfo>
  /** The document's versions, newest first. */
  versions(name: string): Promise<VersionInfo[]>
  /**
   * Records a version now, with the authors of the edits since the last one. A label must pass
   * `labelProblem` (else `invalid`) and is trimmed; one of spaces counts as none. With a label it is
   * recorded even when nothing changed; without one an unchanged document keeps its newest version,
   * which is returned.
   */
  checkpoint(name: string, label: string | null): Promise<VersionInfo>
  /** Version `id` of the document rendered in `format`. */
  versionContent(name: string, id: number, format: FormatName): Promise<string>
  /** Unified diff of the Markdown renderings from version `from` to version `to` or the current content. */
  diff(name: string, from: number, to: number | typeof CURRENT): Promise<string>
  /**
   * Makes the content that of version `id`, as an edit editors see live, after recording the
   * content just before as a version, which it returns.
   */
  restore(name: string, id: number): Promise<VersionInfo>
}

/**
 * Why a `Docs` operation failed, in the terms both edges map: `not-found` (HTTP 404), `deleted`
 * (404 with `deletedAt`: the name had a document, deleted since), `conflict` with another document (409),
 * `invalid` input (400), `too-large` input (413),
 * `denied` by access control (401/403), `busy` with other work of the same kind (503) and `failed`
 * for anything else (500).
 * The CLI exits 1 for all of them with the message, which names the document.
 */
export type DocsErrorKind = 'not-found' | 'deleted' | 'conflict' | 'invalid' | 'too-large' | 'denied' | 'busy' | 'failed'

/** A `Docs` failure the user can read: `message` is one line naming what went wrong. */
export class DocsError extends Error {
  override name = 'DocsError'
  /** For `deleted`: when (ISO 8601), which the API sends along so a page can say it. */
  readonly deletedAt: string | null
  /** For `deleted` by a rename: the name it lives on under, so a page can point there. */
  readonly renamedTo: string | null
  constructor(
    readonly kind: DocsErrorKind,
    message: string,
    options?: { cause?: unknown; deletedAt?: string; renamedTo?: string | null },
  ) {
    super(message, options)
    this.deletedAt = options?.deletedAt ?? null
    this.renamedTo = options?.renamedTo ?? null
  }
}

/** The one wording of "no such document", so the CLI says the same with and without a server. */
export function notFound(name: string): DocsError {
  return new DocsError('not-found', `no document named ${JSON.stringify(name)}`)
}

/** The one wording of "that document was deleted" (or renamed), with its time. */
export function deletedError(name: string, at: string, renamedTo: string | null): DocsError {
  const how = renamedTo === null ? 'deleted' : `renamed to ${JSON.stringify(renamedTo)}`
  return new DocsError('deleted', `document ${JSON.stringify(name)} was ${how} (${at})`, { deletedAt: at, renamedTo })
}

/** The one wording of "that import is too big", naming the limit and how to change it. */
export function importTooLarge(limit: number): DocsError {
  return new DocsError('too-large', `the import is larger than the limit of ${limit} bytes (${settingName('maxImportBytes')})`)
}

/** The one wording of "no such version". */
export function versionNotFound(name: string, id: number): DocsError {
  return new DocsError('not-found', `document ${JSON.stringify(name)} has no version ${id}`)
}

/** Throws `DocsError('invalid')` unless `name` is a valid document name. */
function checkName(name: string): string {
  const problem = docNameProblem(name)
  if (problem) throw new DocsError('invalid', problem)
  return name
}

/**
 * The content stack, loaded with the first render, import or restore: the renderers (markdown-it,
 * prosemirror-markdown, linkedom) and the Y.Doc ⇄ ProseMirror bridge (y-prosemirror, which brings
 * prosemirror-view and -state along) are megabytes of code a server that only relays never runs.
 */
const ydocContent = () => import('../shared/content/ydoc.js')

async function render(format: FormatName, node: Node): Promise<string> {
  const { FORMATS } = await import('../shared/content/formats.js')
  return FORMATS[format].render(node)
}

/**
 * Largest document state rendered on the event loop, where it takes well under 100 ms; bigger
 * ones are rendered on the import worker (a 4 MiB book of 45,000 paragraphs takes seconds).
 */
export const RENDER_IN_PLACE_BYTES = 256 * 1024

/**
 * `Docs` over this process's store and rooms. Reads see a document's stored state (a live one's
 * included), and writes (import, remove, compact) go through its room, so connected editors see
 * them at once; a write resolves only once it is stored, and rejects when it could not be.
 * `StoreError`s pass through unchanged: they are the server's failures, not the caller's.
 */
export class LocalDocs implements Docs {
  constructor(
    private readonly store: DocStore,
    private readonly rooms: Rooms,
    private readonly recorder: VersionRecorder,
    /** Where imported text becomes an update: a worker thread, so this thread stays free. */
    private readonly importer: Importer,
    /** Largest import, in bytes of text (`--max-import-bytes`), the same with and without a server. */
    private readonly maxImportBytes: number,
  ) {}

  async list(): Promise<DocInfo[]> {
    return (await this.store.list()).map((meta) => this.info(meta))
  }

  async stat(name: string): Promise<DocInfo> {
    const meta = await this.store.stat(checkName(name))
    if (!meta) throw await this.missing(name)
    return this.info(meta)
  }

  async content(name: string, format: FormatName): Promise<string> {
    const state = await this.rooms.view(checkName(name), (doc) => Y.encodeStateAsUpdate(doc))
    if (state === null) throw await this.missing(name)
    // Converting and writing out a big document takes seconds: off the event loop with it.
    if (state.byteLength > RENDER_IN_PLACE_BYTES) return this.importer.render({ format, state })
    const { renderState } = await import('./imports/render.js')
    return renderState(format, state)
  }

  async import(name: string, format: FormatName, text: string): Promise<void> {
    checkName(name)
    if (Buffer.byteLength(text) > this.maxImportBytes) throw importTooLarge(this.maxImportBytes)
    try {
      // The updates are computed (on the importer's thread) against the stored state read here;
      // an edit that lands before they are applied merges with them like any concurrent edit.
      await this.rooms.edit(name, (current) => this.importer.updates({ format, text, state: Y.encodeStateAsUpdate(current) }))
    } catch (error) {
      if (error instanceof ContentError) throw new DocsError(error instanceof ContentLimitError ? 'too-large' : 'invalid', error.message, { cause: error })
      if (error instanceof LimitError) throw new DocsError('too-large', error.message, { cause: error })
      throw error
    }
  }

  async remove(name: string): Promise<void> {
    if (!(await this.rooms.remove(checkName(name)))) throw await this.missing(name)
  }

  async rename(from: string, to: string): Promise<DocInfo> {
    checkName(from)
    checkName(to)
    if (from === to) throw new DocsError('invalid', `document ${JSON.stringify(from)} has that name already`)
    const outcome = await this.rooms.rename(from, to)
    if (outcome === 'missing') throw await this.missing(from)
    if (outcome === 'exists') throw new DocsError('conflict', `a document named ${JSON.stringify(to)} exists already`)
    return this.stat(to)
  }

  async compact(name: string): Promise<DocInfo> {
    if (!(await this.rooms.compact(checkName(name)))) throw await this.missing(name)
    return this.stat(name)
  }

  async versions(name: string): Promise<VersionInfo[]> {
    await this.stat(name)
    return this.recorder.history.list(name)
  }

  async checkpoint(name: string, label: string | null): Promise<VersionInfo> {
    const problem = label === null ? null : labelProblem(label)
    if (problem !== null) throw new DocsError('invalid', problem)
    await this.stat(name)
    // A label of spaces names nothing: the version is recorded as an unnamed one would be.
    const version = await this.recorder.checkpoint(name, label?.trim() || null)
    if (!version) throw await this.missing(name)
    return version
  }

  async versionContent(name: string, id: number, format: FormatName): Promise<string> {
    return render(format, await this.versionNode(name, id))
  }

  async diff(name: string, from: number, to: number | typeof CURRENT): Promise<string> {
    const before = await render('markdown', await this.versionNode(name, from))
    const after = to === CURRENT ? await this.content(name, 'markdown') : await render('markdown', await this.versionNode(name, to))
    // Loaded with the first diff, like the renderers: most servers never produce one.
    const { unifiedDiff } = await import('./history/diff.js')
    return unifiedDiff(`${name} (version ${from})`, before, `${name} (${to === CURRENT ? CURRENT : `version ${to}`})`, after)
  }

  async restore(name: string, id: number): Promise<VersionInfo> {
    await this.stat(name)
    const { replacementUpdate, toNode } = await ydocContent()
    const before = await this.recorder.restore(name, id, (base, target) => replacementUpdate(base, toNode(target), 'restore'))
    if (!before) throw versionNotFound(name, id)
    return before
  }

  private async versionNode(name: string, id: number) {
    await this.stat(name)
    const doc = await this.recorder.history.content(name, id)
    if (!doc) throw versionNotFound(name, id)
    try {
      const { toNode } = await ydocContent()
      return toNode(doc)
    } finally {
      doc.destroy()
    }
  }

  /** Why `name` is not there: deleted (with when, from its tombstone) or never created. */
  private async missing(name: string): Promise<DocsError> {
    const gone = await this.store.deleted(name)
    return gone ? deletedError(name, gone.at.toISOString(), gone.renamedTo) : notFound(name)
  }

  private info(meta: DocMeta): DocInfo {
    const { name, bytes, updates, updatedAt } = meta
    return { name, bytes, updates, updatedAt: updatedAt.toISOString(), clients: this.rooms.clients(name) }
  }
}
