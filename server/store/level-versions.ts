import type { Level } from 'level'
import type { PresenceUser } from '../../shared/presence.js'
import type { NewVersion, StoredVersion, VersionList } from './store.js'
import { decodeVersion, encodeVersion, withAuthors } from './version-record.js'

// Keys: `v:<name>\0<id>` per version (ids as 13 hex digits, so they sort numerically) and
// `h:<name>` for the document's history counters `{last, revision}`. `last` is the highest id
// ever given out, so an id is never reused even after the newest version was thinned away.
const versionKey = (name: string, id: number) => `v:${name}\u0000${id.toString(16).padStart(13, '0')}`
const versionRange = (name: string) => ({ gte: `v:${name}\u0000`, lt: `v:${name}\u0001` })
const idOf = (key: string) => Number.parseInt(key.slice(-13), 16)
const countersKey = (name: string) => `h:${name}`
const utf8 = new TextEncoder()
const fromUtf8 = new TextDecoder()

/** A LevelDB batch op of the versions' keys. */
export type VersionOp = { type: 'put'; key: string; value: Uint8Array } | { type: 'del'; key: string }

interface Counters {
  last: number
  revision: number
}

/**
 * The versions half of the LevelDB store. LevelDB admits one process, so atomic id allocation is
 * one promise chain per document: a check and the write that depends on it never interleave with
 * another's. Each change is one batch, so a crash keeps a version with its counters or neither.
 */
export class LevelVersions {
  private readonly locks = new Map<string, Promise<unknown>>()

  constructor(private readonly db: Level<string, Uint8Array>) {}

  async list(name: string): Promise<VersionList> {
    const counters = await this.counters(name)
    const versions: StoredVersion[] = []
    for await (const [key, value] of this.db.iterator(versionRange(name))) versions.push(decodeVersion(name, idOf(key), value))
    return { versions, revision: counters.revision }
  }

  /** `exists` is asked inside the document's queue, so a removal queued before the add wins. */
  add(name: string, version: NewVersion, after: number, exists: () => boolean): Promise<StoredVersion | null> {
    return this.locked(name, async () => {
      if (!exists()) return null
      const counters = await this.counters(name)
      if (after !== (await this.newest(name))) return null
      const stored = { ...version, id: counters.last + 1 }
      await this.db.batch([{ type: 'put', key: versionKey(name, stored.id), value: encodeVersion(stored) }, this.countersOp(name, { last: stored.id, revision: counters.revision + 1 })])
      return stored
    })
  }

  thin(name: string, drop: number[], rewrite: Array<{ id: number; snapshot: Uint8Array }>, revision: number): Promise<boolean> {
    return this.locked(name, async () => {
      const counters = await this.counters(name)
      if (counters.revision !== revision) return false
      const { versions } = await this.list(name)
      const byId = new Map(versions.map((v) => [v.id, v]))
      await this.db.batch([
        ...drop.map((id) => ({ type: 'del' as const, key: versionKey(name, id) })),
        ...rewrite.flatMap(({ id, snapshot }) => {
          const version = byId.get(id)
          return version ? [{ type: 'put' as const, key: versionKey(name, id), value: encodeVersion({ ...version, snapshot }) }] : []
        }),
        this.countersOp(name, { last: counters.last, revision: revision + 1 }),
      ])
      return true
    })
  }

  addAuthors(name: string, id: number, authors: PresenceUser[]): Promise<boolean> {
    return this.locked(name, async () => {
      const raw = await this.db.get(versionKey(name, id))
      if (raw === undefined) return false
      const version = decodeVersion(name, id, raw)
      await this.db.put(versionKey(name, id), encodeVersion({ ...version, authors: withAuthors(version.authors, authors) }))
      return true
    })
  }

  /** Deletes every version of `name` and its counters (for `remove`, inside its exclusive step). */
  async remove(name: string): Promise<void> {
    await this.locked(name, async () => {
      await this.db.clear(versionRange(name))
      await this.db.del(countersKey(name))
    })
  }

  /**
   * Runs `write` with the batch ops that move every version of `from`, and its counters, to `to`
   * (for a rename, which adds its own ops to the same batch), while both documents' versions are
   * locked. The locks are taken in name order, so two renames between the same names cannot wait
   * for each other.
   */
  move(from: string, to: string, write: (ops: VersionOp[]) => Promise<void>): Promise<void> {
    const [first, second] = from < to ? [from, to] : [to, from]
    return this.locked(first, () =>
      this.locked(second, async () => {
        const ops: VersionOp[] = []
        for await (const [key, value] of this.db.iterator(versionRange(from))) ops.push({ type: 'del', key }, { type: 'put', key: versionKey(to, idOf(key)), value })
        const counters = await this.db.get(countersKey(from))
        if (counters !== undefined) ops.push({ type: 'del', key: countersKey(from) }, { type: 'put', key: countersKey(to), value: counters })
        await write(ops)
      }),
    )
  }

  private async newest(name: string): Promise<number> {
    for await (const key of this.db.keys({ ...versionRange(name), reverse: true, limit: 1 })) return idOf(key)
    return 0
  }

  private async counters(name: string): Promise<Counters> {
    const raw = await this.db.get(countersKey(name))
    return raw === undefined ? { last: 0, revision: 0 } : (JSON.parse(fromUtf8.decode(raw)) as Counters)
  }

  private countersOp(name: string, counters: Counters) {
    return { type: 'put' as const, key: countersKey(name), value: utf8.encode(JSON.stringify(counters)) }
  }

  private locked<T>(name: string, task: () => Promise<T>): Promise<T> {
    const result = (this.locks.get(name) ?? Promise.resolve()).then(task)
    const tail = result.catch(() => undefined)
    this.locks.set(name, tail)
    void tail.then(() => {
      if (this.locks.get(name) === tail) this.locks.delete(name)
    })
    return result
  }
}
