import { randomBytes } from 'node:crypto'
import * as awarenessProtocol from 'y-protocols/awareness'
import type { VersionInfo } from '../../shared/versions.js'
import type { Logger } from '../log.js'
import type { Rooms } from '../sync/rooms.js'
import { Instances } from './instances.js'

/**
 * What the bus needs of a publish/subscribe service: one channel per document, messages that may
 * be lost while a link is down (Redis pub/sub; an in-memory one in tests, where a delivery can be
 * held back on purpose).
 */
export interface BusTransport {
  publish(doc: string, message: Buffer): Promise<void>
  subscribe(doc: string): Promise<void>
  unsubscribe(doc: string): Promise<void>
  /** Calls `handler` for every message published on a subscribed document's channel. */
  onMessage(handler: (doc: string, message: Buffer) => void): void
  /** Calls `handler` whenever the subscription link is back after a break (not the first time). */
  onReconnect(handler: () => void): void
  /** Whether messages can be published and received right now. */
  connected(): boolean
  close(): Promise<void>
}

/** The live link between quire instances sharing a store. */
export interface ClusterBus {
  /** Whether the link is up now, for `/healthz` and `/metrics`: while it is down, no document can be served. */
  connected(): boolean
  close(): Promise<void>
}

/** How the bus recovers from a failed publish and notices a killed instance. */
export interface BusOptions {
  /** Delay before the documents whose publish failed are announced again for a catch-up. */
  resyncMs: number
  /**
   * How often an instance says it is alive. One silent for three beats of the listener's own
   * counts as gone, and its users' presence is withdrawn.
   */
  aliveMs: number
}

/**
 * Defaults of `BusOptions`: a second between attempts while publishing fails; a beat every two
 * seconds, so the users of a killed instance leave everyone's presence within 8 s, well inside
 * the 15 s the contract allows a dead connection.
 */
export const BUS_DEFAULTS: BusOptions = { resyncMs: 1000, aliveMs: 2000 }

// A bus message: one kind byte, the sending instance's id, then the payload.
const Kind = { update: 0, awareness: 1, removed: 2, resync: 3, listChanged: 4, listRemoved: 5, askPresence: 6, alive: 7, version: 8 } as const
/**
 * The channel every instance follows: list notices (`listChanged`, `listRemoved`: a document's
 * name as payload), beats (`alive`) and recorded versions (`version`: `{doc, version}` as JSON), which
 * the history panels of a document hear of on whatever instance, its room open there or not.
 * No document has the empty name.
 */
const LIST = ''
/** A document's `listChanged` notices go out at most this often from one instance (the first at once). */
const LIST_NOTICE_MS = 1000
/** Beats of its own an instance hears while another stays silent before that one counts as gone. */
const SILENT_BEATS = 3
const ID_BYTES = 8
const utf8 = new TextEncoder()
/** The payload of a `version` message. */
interface VersionNotice {
  doc: string
  version: VersionInfo
}

/**
 * Carries edits, presence and deletions of open documents between quire instances, one channel
 * per document, and which documents changed to the list pages of every instance, on one more. It
 * only observes room events and feeds rooms what other instances publish, so the relay path of a
 * single instance is the same with or without it, and the server and the CLI use the same one.
 *
 * Delivery is at most once, so the store stays the source of truth: each instance stores an
 * update before publishing it (the relay chain announces only stored updates), and a room catches
 * up from the store after subscribing and after every reconnection (tried again until the store
 * answers: after a Redis restart the store's connection may come back later than the bus's).
 * A publish that fails is not
 * lost either: its document is announced again (`resync`) until that goes through, and every
 * instance that hears it catches the room up from the store and takes the sender's whole awareness
 * (removals included, with their clocks), so edits and presence never stay diverged until someone
 * reconnects. Nor is an update whose instance was killed after storing it and before publishing
 * it: every room that loads the document announces it the same way, and the editor of that update
 * reconnects either to a room that loads it (and announces it) or to one that lacks it (and takes
 * it again from the editor's sync).
 *
 * Presence crosses instances as it changes, so an instance that opens a document (or gets its
 * link back) asks the others for their peers' states rather than showing its editors nobody until
 * the next renewal, up to 15 s later. And since an instance killed without a word cannot withdraw
 * its peers' states, every instance beats on the list channel and the others withdraw the states
 * of one that fell silent (`instances.ts`).
 */
export function startBus(transport: BusTransport, rooms: Rooms, log: Logger, options: BusOptions = BUS_DEFAULTS): ClusterBus {
  const id = randomBytes(ID_BYTES)
  const instances = new Instances(id.toString('hex'), SILENT_BEATS * options.aliveMs)
  const missed = new Set<string>()
  let timer: NodeJS.Timeout | null = null
  let closed = false
  /** Publishes not yet answered: closing waits for them, so a CLI's last edit or deletion goes out. */
  const pending = new Set<Promise<void>>()
  /** Keeps a publish, its failure handled, until it is answered. */
  const track = (sent: Promise<void>): void => {
    pending.add(sent)
    void sent.finally(() => pending.delete(sent))
  }
  const frame = (kind: number, payload: Uint8Array): Buffer => Buffer.concat([Buffer.of(kind), id, payload])

  const publish = (doc: string, kind: number, payload: Uint8Array = new Uint8Array()): void => {
    const sent = transport.publish(doc, frame(kind, payload)).then(
      () => {
        if (missed.size > 0 && !timer) resync()
      },
      (error: Error) => {
        log.warn('cluster.publish_failed', { doc, error: error.message })
        missed.add(doc)
        timer ??= setTimeout(resync, options.resyncMs).unref()
      },
    )
    track(sent)
  }
  const resync = (): void => {
    timer = null
    if (closed) return
    const docs = [...missed]
    missed.clear()
    for (const doc of docs) publish(doc, Kind.resync, awarenessOf(doc))
  }
  /** Every awareness state the room knows, removed ones too (as `null` with their clock). */
  const awarenessOf = (doc: string): Uint8Array => {
    const awareness = rooms.get(doc)?.awareness
    return awareness ? awarenessProtocol.encodeAwarenessUpdate(awareness, [...awareness.meta.keys()]) : new Uint8Array()
  }
  /** Documents whose subscription or catch-up failed (the store or the link was down): tried again. */
  const behind = new Set<string>()
  let retry: NodeJS.Timeout | null = null
  /**
   * Subscribes to `doc`, then (if `ask`) asks the other instances for their peers' presence, then
   * catches its room up from the store. In that order, an update is either published after the
   * subscription took effect (and delivered), or stored before the catch-up reads (and read), and
   * the answers find the subscription in place; a failure is retried, asking again, until it goes
   * through or the room closes.
   */
  const follow = (doc: string, ask: boolean): void => {
    transport
      .subscribe(doc)
      .then(() => ask && publish(doc, Kind.askPresence))
      .then(() => rooms.catchUp(doc))
      .catch((error: Error) => {
        log.warn('cluster.follow_failed', { doc, error: error.message })
        behind.add(doc)
        retry ??= setTimeout(followAgain, options.resyncMs).unref()
      })
  }
  const followAgain = (): void => {
    retry = null
    if (closed) return
    const docs = [...behind]
    behind.clear()
    for (const doc of docs) if (rooms.get(doc)) follow(doc, true)
  }

  /**
   * List pages (`/api/events`) hear of the documents open on their own instance from its rooms;
   * of the others only through these notices. A lost notice costs a list page one refresh, so
   * they are not sent again. Edits are announced once a second per document at most: a list
   * page reads the whole list again anyway.
   */
  const notify = (kind: number, doc: string, payload: string = doc): void => {
    track(transport.publish(LIST, frame(kind, utf8.encode(payload))).catch((error: Error) => log.warn('cluster.publish_failed', { doc, error: error.message })))
  }
  /** Documents announced within the last `LIST_NOTICE_MS`, and whether they changed again since. */
  const noticed = new Map<string, boolean>()
  const noticeChange = (doc: string): void => {
    if (noticed.has(doc)) return void noticed.set(doc, true)
    noticed.set(doc, false)
    notify(Kind.listChanged, doc)
    setTimeout(() => {
      const again = noticed.get(doc)
      noticed.delete(doc)
      if (again && !closed) noticeChange(doc)
    }, LIST_NOTICE_MS).unref()
  }
  const followList = (): void => {
    transport.subscribe(LIST).catch((error: Error) => {
      log.warn('cluster.follow_failed', { doc: LIST, error: error.message })
      if (!closed) setTimeout(followList, options.resyncMs).unref()
    })
  }
  followList()
  const beat = setInterval(() => notify(Kind.alive, ''), options.aliveMs).unref()
  /** This instance's own beat came back: the link works, so silence from another means it is gone. */
  const judgeSilence = (): void => {
    for (const [doc, ids] of instances.expire(Date.now())) rooms.get(doc)?.withdrawClusterAwareness(ids)
  }

  rooms.events.on('doc.loaded', ({ doc }) => {
    follow(doc, true)
    // An instance killed between storing an update and publishing it leaves that update in the
    // store only, and no later publish carries it (an update depending on it stays pending in
    // every room that lacks it). Whoever loads the document next reads it from the store: its
    // editor reconnecting, or anyone opening the document. So a room that loads announces the
    // document, and every instance with it open catches up from the store.
    publish(doc, Kind.resync)
  })
  rooms.events.on('doc.unloaded', ({ doc }) => {
    instances.forget(doc)
    void transport.unsubscribe(doc).catch((error: Error) => log.warn('cluster.unfollow_failed', { doc, error: error.message }))
  })
  rooms.events.on('doc.update', ({ doc, update, origin }) => {
    if (origin === 'cluster') return
    publish(doc, Kind.update, update)
    noticeChange(doc)
  })
  rooms.events.on('doc.version', ({ doc, version, origin }) => origin === 'local' && notify(Kind.version, doc, JSON.stringify({ doc, version } satisfies VersionNotice)))
  rooms.events.on('doc.awareness', ({ doc, update, origin }) => origin !== 'cluster' && publish(doc, Kind.awareness, update))
  rooms.events.on('doc.removed', ({ doc, renamedTo, origin }) => {
    instances.forget(doc)
    if (origin === 'cluster') return
    notify(Kind.listRemoved, doc)
    if (renamedTo === undefined) return publish(doc, Kind.removed)
    // A rename carries the new name, so other instances close the old name's editors saying where
    // it went, and announces the new name, so its editors elsewhere (on a name that had no
    // document until now) catch up from the store.
    publish(doc, Kind.removed, utf8.encode(renamedTo))
    publish(renamedTo, Kind.resync, awarenessOf(renamedTo))
    noticeChange(renamedTo)
  })

  transport.onMessage((doc, message) => {
    if (message.length < 1 + ID_BYTES) return
    const sender = message.subarray(1, 1 + ID_BYTES)
    if (sender.equals(id)) return void (doc === LIST && message[0] === Kind.alive && judgeSilence())
    const from = sender.toString('hex')
    instances.heardFrom(from, Date.now())
    const payload = message.subarray(1 + ID_BYTES)
    try {
      if (doc === LIST) {
        if (message[0] === Kind.version) return void rooms.events.emit('doc.version', { ...(JSON.parse(payload.toString('utf8')) as VersionNotice), origin: 'cluster' })
        const change = message[0] === Kind.listRemoved ? 'removed' : message[0] === Kind.listChanged ? 'changed' : null
        if (change) rooms.events.emit('doc.listed', { doc: payload.toString('utf8'), change })
      } else if (message[0] === Kind.removed) void rooms.removedElsewhere(doc, payload.length > 0 ? payload.toString('utf8') : undefined)
      else if (message[0] === Kind.update) rooms.get(doc)?.applyCluster(payload)
      else if (message[0] === Kind.awareness) {
        const room = rooms.get(doc)
        if (!room) return
        room.applyClusterAwareness(payload)
        instances.noteAwareness(from, doc, payload)
      } else if (message[0] === Kind.askPresence) {
        const states = rooms.get(doc)?.peerAwareness()
        if (states) publish(doc, Kind.awareness, states)
      } else if (message[0] === Kind.resync) {
        // Only where the room is open: a room that just unloaded here must not subscribe again.
        const room = rooms.get(doc)
        if (!room) return
        if (payload.length > 0) room.applyClusterAwareness(payload)
        follow(doc, false)
      }
    } catch (error) {
      log.warn('cluster.bad_message', { doc, error: (error as Error).message })
    }
  })
  // What was published while the subscription was down is read back from the store, once the
  // subscription is back (ioredis resubscribes by itself, but not before this event).
  transport.onReconnect(() => {
    instances.relisten(Date.now())
    for (const doc of rooms.names()) follow(doc, true)
  })

  return {
    connected: () => transport.connected(),
    async close() {
      await Promise.all(pending)
      closed = true
      clearInterval(beat)
      if (timer) clearTimeout(timer)
      if (retry) clearTimeout(retry)
      await transport.close()
    },
  }
}
