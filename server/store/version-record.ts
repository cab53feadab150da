import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { type PresenceUser, readPresence } from '../../shared/presence.js'
import { type NewVersion, type StoredVersion, StoreError } from './store.js'

/**
 * The bytes of one stored version, the same in every store: its header as JSON (small, readable
 * in a dump) followed by its snapshot as binary (a JSON array of numbers would triple it). The id
 * is the record's key, not part of it, so a store can allocate it atomically where it writes.
 */
export function encodeVersion(version: NewVersion): Uint8Array {
  const { at, label, auto, authors, snapshot } = version
  const header = { at, label, auto, authors }
  const encoder = encoding.createEncoder()
  encoding.writeVarString(encoder, JSON.stringify(header))
  encoding.writeVarUint8Array(encoder, snapshot)
  return encoding.toUint8Array(encoder)
}

/** Reads what `encodeVersion` wrote; a record that does not decode is `StoreError('corrupt')`. */
export function decodeVersion(name: string, id: number, bytes: Uint8Array): StoredVersion {
  try {
    const decoder = decoding.createDecoder(bytes)
    const header = JSON.parse(decoding.readVarString(decoder)) as Partial<StoredVersion>
    const snapshot = decoding.readVarUint8Array(decoder)
    if (typeof header.at !== 'number' || typeof header.auto !== 'boolean') throw new Error('header fields are missing')
    const label = typeof header.label === 'string' ? header.label : null
    const authors = (Array.isArray(header.authors) ? header.authors : []).map((user) => readPresence({ user })).filter((user) => user !== null)
    return { id, at: header.at, label, auto: header.auto, authors, snapshot }
  } catch (error) {
    throw new StoreError('corrupt', `document "${name}": version ${id} is not valid (${(error as Error).message})`, { cause: error })
  }
}

/** `authors` followed by those of `more` it does not name yet (same name and color). */
export function withAuthors(authors: PresenceUser[], more: PresenceUser[]): PresenceUser[] {
  const key = (user: PresenceUser) => `${user.name}\u0000${user.color}`
  const known = new Set(authors.map(key))
  const all = [...authors]
  for (const user of more) {
    if (known.has(key(user))) continue
    known.add(key(user))
    all.push(user)
  }
  return all
}
