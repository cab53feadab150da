import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { openBackend } from '../../../server/backend.js'
import { BUS_DEFAULTS, type BusOptions, type BusTransport, startBus } from '../../../server/cluster/bus.js'
import { resolveConfig } from '../../../server/config.js'
import { LocalDocs } from '../../../server/docs.js'
import { importUpdates } from '../../../server/imports/replacement.js'
import { createLogger } from '../../../server/log.js'
import { RedisStore } from '../../../server/store/redis.js'
import { SyncEvents } from '../../../server/sync/events.js'
import { encodeAwarenessEntries } from '../../../server/sync/protocol.js'
import { replay } from '../../../server/sync/replay.js'
import { Rooms } from '../../../server/sync/rooms.js'
import { DEFAULTS } from '../../../shared/defaults.js'
import { edit, RecordingPeer } from '../../helpers/peer.js'
import { startRedis, type TestRedis } from '../../helpers/redis.js'
import { until } from '../../helpers/until.js'

const quiet = createLogger('error', () => {})
let redis: TestRedis
const cleanups: Array<() => Promise<void>> = []
beforeAll(async () => {
  redis = await startRedis()
})
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})
afterAll(async () => {
  await redis.stop()
})

/** One instance's link to the broker. */
interface Link {
  docs: Set<string>
  handler: (doc: string, message: Buffer) => void
  reconnected: () => void
  /** Cut off: what it publishes and what would be delivered to it is lost, as over a broken link. */
  cut: boolean
  /** Its own messages on the list channel (its beats, mostly) delivered back to it. */
  ownListMessages: number
  /** Its messages on the list channel lost while it was cut off. */
  lostListMessages: number
}

/**
 * An in-memory pub/sub for the instances of one test, standing in for Redis's: while `held`,
 * deliveries wait (a message still in flight, a subscriber reconnecting); `failNext` makes the
 * next publish fail as a broken link would; `cut` and `reconnect` break one instance's link
 * (messages lost both ways) and bring it back.
 */
class Broker {
  private readonly endpoints = new Set<Link>()
  /** Links in the order of their instances. */
  readonly links: Link[] = []
  private held: Array<() => void> | null = null
  failNext = 0
  failNextSubscribe = 0

  transport(): BusTransport {
    const endpoint: Link = { docs: new Set<string>(), handler: () => {}, reconnected: () => {}, cut: false, ownListMessages: 0, lostListMessages: 0 }
    this.endpoints.add(endpoint)
    this.links.push(endpoint)
    return {
      publish: async (doc, message) => {
        if (this.failNext > 0) {
          this.failNext -= 1
          throw new Error('connection lost')
        }
        if (endpoint.cut) return void (doc === '' && (endpoint.lostListMessages += 1))
        for (const other of this.endpoints) {
          if (!other.docs.has(doc) || other.cut) continue
          if (other === endpoint && doc === '') other.ownListMessages += 1
          this.deliver(() => other.handler(doc, message))
        }
      },
      subscribe: async (doc) => {
        if (this.failNextSubscribe > 0) {
          this.failNextSubscribe -= 1
          throw new Error('connection lost')
        }
        endpoint.docs.add(doc)
      },
      unsubscribe: async (doc) => void endpoint.docs.delete(doc),
      onMessage: (handler) => void (endpoint.handler = handler),
      onReconnect: (handler) => void (endpoint.reconnected = handler),
      connected: () => true,
      close: async () => void this.endpoints.delete(endpoint),
    }
  }

  hold(): void {
    this.held = []
  }

  /** Brings the cut link of instance `index` back, and tells its bus, as ioredis's 'ready' does. */
  reconnect(index: number): void {
    const link = this.links[index]!
    link.cut = false
    link.reconnected()
  }

  release(): void {
    const held = this.held ?? []
    this.held = null
    for (const deliver of held) deliver()
  }

  private deliver(send: () => void): void {
    if (this.held) this.held.push(send)
    else send()
  }
}

let prefixes = 0
/** One quire instance on the test's Redis: its own store connection, rooms and bus. */
async function instance(broker: Broker, prefix: string, options: BusOptions) {
  const store = await RedisStore.open(redis.url, prefix)
  const rooms = new Rooms(store, new SyncEvents(), { compactAfterUpdates: 1000, maxDocBytes: DEFAULTS.maxDocBytes, maxAwarenessBytes: DEFAULTS.maxAwarenessBytes, saveStates: false })
  const bus = startBus(broker.transport(), rooms, quiet, options)
  cleanups.push(async () => {
    await rooms.shutdown()
    await bus.close()
    await store.close()
  })
  return { store, rooms }
}

/** The awareness update of a client `clientId` setting `state` (its first). */
const awarenessOf = (clientId: number, state: object) => encodeAwarenessEntries([{ clientId, clock: 1, state: new TextEncoder().encode(JSON.stringify(state)) }])

/** Two instances on one key prefix, linked by a broker, each with one peer ready to join `doc`. */
async function twoInstances(options: BusOptions = { ...BUS_DEFAULTS, resyncMs: 10 }) {
  const prefix = `race${++prefixes}`
  const broker = new Broker()
  const [a, b] = [await instance(broker, prefix, options), await instance(broker, prefix, options)]
  return { prefix, broker, a, b, pa: new RecordingPeer(), pb: new RecordingPeer() }
}

/** The text of `doc` as Redis holds it, read through a store connection of its own. */
async function storedText(prefix: string, doc: string): Promise<string | null> {
  const store = await RedisStore.open(redis.url, prefix)
  try {
    const stored = await store.load(doc)
    if (!stored) return null
    const ydoc = new Y.Doc()
    replay(ydoc, doc, stored.updates)
    return ydoc.getText('text').toString()
  } finally {
    await store.close()
  }
}

describe('two instances racing on one Redis', () => {
  it('keeps an append of another instance that a compaction overtakes before its delivery', async () => {
    const { prefix, broker, a, b, pa, pb } = await twoInstances()
    const roomA = await a.rooms.join('doc', pa)
    const roomB = await b.rooms.join('doc', pb)
    await roomA.applyLocal(edit('A1 '))
    broker.hold()
    // B stores its edit; A has not heard of it when it appends after it and compacts.
    await roomB.applyLocal(edit('B1 '))
    await roomA.applyLocal(edit('A2 '))
    await a.rooms.compact('doc')
    broker.release()
    const text = await storedText(prefix, 'doc')
    for (const part of ['A1 ', 'B1 ', 'A2 ']) expect(text).toContain(part)
    await until(() => expect(pa.doc.getText('text').toString()).toContain('B1 '))
  })

  it('refuses an append of an instance that has not yet heard of a deletion, and closes its editors with 4404', async () => {
    const { prefix, broker, a, b, pa, pb } = await twoInstances()
    await a.rooms.join('doc', pa)
    const roomB = await b.rooms.join('doc', pb)
    await roomB.applyLocal(edit('before '))
    broker.hold()
    expect(await a.rooms.remove('doc')).toBe(true)
    // B's editor types before the deletion reaches B.
    roomB.receive(pb, { type: 'update', update: edit('after ') })
    await roomB.settled()
    expect(pb.closedWith).toEqual({ code: 4404, reason: 'document deleted' })
    expect(await storedText(prefix, 'doc')).toBeNull()
    broker.release()
    expect(pa.closedWith).toEqual({ code: 4404, reason: 'document deleted' })
  })

  it('follows a document again after its subscription failed, catching up on what it missed', async () => {
    const { broker, a, b, pa, pb } = await twoInstances()
    const roomA = await a.rooms.join('doc', pa)
    broker.failNextSubscribe = 1
    await b.rooms.join('doc', pb)
    await roomA.applyLocal(edit('while B was not subscribed '))
    await until(() => expect(pb.doc.getText('text').toString()).toBe('while B was not subscribed '))
    await roomA.applyLocal(edit('and after '))
    await until(() => expect(pb.doc.getText('text').toString()).toContain('and after '))
  })

  it('catches up on an edit an instance stored but was killed before publishing, once another instance loads the document', async () => {
    const { prefix, a, b, pa, pb } = await twoInstances()
    const roomA = await a.rooms.join('doc', pa)
    // A's own catch-up from the store (after it subscribed) is done: its connection answers in order.
    await a.store.stat('doc')
    await roomA.settled()
    // An instance SIGKILLed between its append and its publish: its edit is in the store only.
    const killed = await RedisStore.open(redis.url, prefix)
    cleanups.push(() => killed.close())
    await killed.append('doc', edit('stored, never published '))
    expect(pa.doc.getText('text').toString()).toBe('')
    // Its editor reconnects to another instance, which loads the document with that edit.
    await b.rooms.join('doc', pb)
    await until(() => expect(pa.doc.getText('text').toString()).toBe('stored, never published '))
  })

  it('catches the other instances up after a publish failed', async () => {
    const { broker, a, b, pa, pb } = await twoInstances()
    const roomA = await a.rooms.join('doc', pa)
    await b.rooms.join('doc', pb)
    broker.failNext = 1
    await roomA.applyLocal(edit('published late '))
    // No further edit comes to carry it: the bus announces the document again by itself.
    await until(() => expect(pb.doc.getText('text').toString()).toBe('published late '))
  })
})

describe('presence between instances', () => {
  it('keeps the presence of another instance that beat on while this one was cut off, once its link is back', async () => {
    // A beat every 100 ms: an instance silent for 300 ms of the listener's own beats counts as gone.
    const { broker, a, b, pa, pb } = await twoInstances({ ...BUS_DEFAULTS, resyncMs: 10, aliveMs: 100 })
    const roomA = await a.rooms.join('doc', pa)
    const roomB = await b.rooms.join('doc', pb)
    roomB.receive(pb, { type: 'awareness', update: awarenessOf(7, { user: { name: 'Bob', color: '#00aa00' } }) })
    await until(() => expect(roomA.awareness.getStates().get(7)).toMatchObject({ user: { name: 'Bob' } }))
    const [linkA, linkB] = broker.links as [(typeof broker.links)[number], (typeof broker.links)[number]]
    linkA.cut = true
    linkB.cut = true
    // Long enough for B to count as gone by then: A heard nothing from it for more than three beats.
    await until(() => expect(linkA.lostListMessages).toBeGreaterThan(3))
    const { ownListMessages } = linkA
    // A's link comes back first, as one of two ioredis connections does; B's beats are still lost.
    broker.reconnect(0)
    await until(() => expect(linkA.ownListMessages).toBeGreaterThan(ownListMessages))
    expect(roomA.awareness.getStates().get(7)).toMatchObject({ user: { name: 'Bob' } })
    broker.reconnect(1)
  })
})

describe('the CLI in cluster mode', () => {
  it("keeps an edit another instance stores while an import runs, and shows the import to that instance's editors", async () => {
    const config = resolveConfig({ redisUrl: redis.url, dataDir: mkdtempSync(join(tmpdir(), 'quire-race-')) }, {})
    const server = await openBackend(config, quiet)
    cleanups.push(() => server.close())
    const editor = new RecordingPeer()
    const room = await server.rooms.join('imported', editor)
    await room.applyLocal(edit('first '))
    const cli = await openBackend(config, quiet)
    const append = cli.store.append.bind(cli.store)
    let raced = false
    cli.store.append = async (name, update, seen) => {
      // The import has read the document; the editor's next keystroke is stored before its append.
      if (!raced) {
        raced = true
        room.receive(editor, { type: 'update', update: edit('racing ') })
        await room.settled()
      }
      return append(name, update, seen)
    }
    const inProcess = {
      updates: async ({ format, text, state }: { format: 'text'; text: string; state: Uint8Array }) => importUpdates(format, text, state),
      render: async () => '',
      close: async () => {},
    }
    await new LocalDocs(cli.store, cli.rooms, cli.versions, inProcess, DEFAULTS.maxImportBytes).import('imported', 'text', 'imported line')
    // Closing unloads the CLI's room, which compacts the document.
    await cli.close()
    expect(raced).toBe(true)
    const stored = await storedText('quire', 'imported')
    expect(stored).toContain('racing ')
    await until(() => expect(editor.doc.getXmlFragment('prosemirror').toString()).toContain('imported line'))
  })
})

describe('list notices between instances', () => {
  it('announce a burst of edits once, and once more after a second for what came since', async () => {
    const { broker, a, b, pa } = await twoInstances()
    const listed: Array<{ doc: string; change: string }> = []
    b.rooms.events.on('doc.listed', (notice) => listed.push(notice))
    const room = await a.rooms.join('doc', pa)
    broker.hold()
    for (let i = 0; i < 5; i++) await room.applyLocal(edit(`${i} `))
    broker.release()
    expect(listed).toEqual([{ doc: 'doc', change: 'changed' }])
    await until(
      () =>
        expect(listed).toEqual([
          { doc: 'doc', change: 'changed' },
          { doc: 'doc', change: 'changed' },
        ]),
      { timeout: 5000 },
    )
  })
})
