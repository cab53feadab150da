import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import type { Logger } from '../log.js'
import type { Rooms } from '../sync/rooms.js'

// A bus message: one kind byte, the sending instance's id, then the payload.
const Kind = { update: 0, awareness: 1, removed: 2 } as const
const ID_BYTES = 8

/** The live link between quire instances sharing a Redis. */
export interface ClusterBus {
  close(): Promise<void>
}

/**
 * Carries edits, presence and deletions of open documents between quire instances through Redis
 * pub/sub, one channel per document. It only observes room events and feeds rooms what other
 * instances publish, so the relay path of a single instance is the same with or without it.
 *
 * Pub/sub delivers at most once, so the store stays the source of truth: each instance stores an
 * update before publishing it, and a room catches up from the store after subscribing and after
 * every reconnection to Redis, which closes the gaps in which a message could be missed.
 */
export async function startRedisBus(url: string, prefix: string, rooms: Rooms, log: Logger): Promise<ClusterBus> {
  const id = randomBytes(ID_BYTES)
  const pub = new Redis(url, { enableAutoPipelining: true })
  const sub = new Redis(url)
  const channel = (doc: string) => `${prefix}:doc:${doc}:bus`
  const docOf = (name: string) => name.slice(prefix.length + 5, -4)
  let connectedOnce = false

  const publish = (doc: string, kind: number, payload: Uint8Array = new Uint8Array()) => {
    const message = Buffer.concat([Buffer.of(kind), id, payload])
    pub.publish(channel(doc), message).catch((error: Error) => log.warn('cluster.publish_failed', { doc, error: error.message }))
  }
  const follow = async (doc: string) => {
    await sub.subscribe(channel(doc))
    await rooms.catchUp(doc)
  }
  const fail = (doc: string) => (error: Error) => log.warn('cluster.follow_failed', { doc, error: error.message })

  rooms.events.on('doc.loaded', ({ doc }) => void follow(doc).catch(fail(doc)))
  rooms.events.on('doc.unloaded', ({ doc }) => void sub.unsubscribe(channel(doc)).catch(fail(doc)))
  rooms.events.on('doc.update', ({ doc, update, origin }) => origin !== 'cluster' && publish(doc, Kind.update, update))
  rooms.events.on('doc.awareness', ({ doc, update, origin }) => origin !== 'cluster' && publish(doc, Kind.awareness, update))
  rooms.events.on('doc.removed', ({ doc }) => publish(doc, Kind.removed))

  sub.on('messageBuffer', (name: Buffer, message: Buffer) => {
    if (message.length < 1 + ID_BYTES || message.subarray(1, 1 + ID_BYTES).equals(id)) return
    const doc = docOf(name.toString())
    const payload = message.subarray(1 + ID_BYTES)
    try {
      if (message[0] === Kind.removed) void rooms.forget(doc)
      else if (message[0] === Kind.update) rooms.get(doc)?.applyCluster(payload)
      else if (message[0] === Kind.awareness) rooms.get(doc)?.applyClusterAwareness(payload)
    } catch (error) {
      log.warn('cluster.bad_message', { doc, error: (error as Error).message })
    }
  })
  // ioredis resubscribes by itself after a reconnection; what was published meanwhile is read
  // back from the store.
  sub.on('ready', () => {
    if (connectedOnce) for (const doc of rooms.names()) void rooms.catchUp(doc).catch(fail(doc))
    connectedOnce = true
  })
  pub.on('error', (error: Error) => log.warn('cluster.redis_error', { error: error.message }))
  sub.on('error', (error: Error) => log.warn('cluster.redis_error', { error: error.message }))

  return {
    async close() {
      await Promise.all([pub.quit(), sub.quit()])
    },
  }
}
