import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { openStore } from '../../server/store/open.js'
import { replay } from '../../server/sync/replay.js'
import { connectClient, type TestClient } from '../helpers/client.js'
import { startRedis, type TestRedis } from '../helpers/redis.js'
import { seeded } from '../helpers/seed.js'
import { startServer, type TestServer } from '../helpers/server.js'
import { until } from '../helpers/until.js'

/**
 * Seeded chaos: official y-websocket clients edit one document at random, go offline and come
 * back, drop their sockets, while the server is SIGKILLed and restarted (and, in cluster mode,
 * instances are killed and Redis is restarted), with compaction every few records. Whenever
 * something was killed, everything any client had seen from another client must be in the store;
 * at the end every client and the stored document are identical.
 *
 * The run prints its seed; `QUIRE_CHAOS_SEED=<seed>` replays the same sequence of actions (the
 * timing of the network is the machine's). A failed run also prints what it did and when, what
 * each client holds, and the servers' log files, so that it can be understood without a replay.
 */
const rng = seeded('QUIRE_CHAOS_SEED')
console.log(`chaos seed ${rng.seed} (replay with QUIRE_CHAOS_SEED=${rng.seed})`)

const DOC = 'chaos'
const STEPS = 300
const SERVER_ARGS = ['--compact-after', '5']
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** What a chaos run acts on: the clients, and ways to crash and read the deployment. */
interface World {
  clients: TestClient[]
  /** Kills something holding the document (SIGKILL), runs `whileDown`, and brings it back. */
  crash(whileDown: () => Promise<void>): Promise<void>
  /** Restarts the shared Redis (cluster mode only). */
  restartRedis: (() => Promise<void>) | null
  /** The document as stored right now (only while no process holds the store, for LevelDB). */
  stored(): Promise<Y.Doc>
  /** Stops whatever holds the store from writing, once the clients have converged, and reads it. */
  finalStored(): Promise<Y.Doc>
  close(): Promise<void>
  /** The log files of every server process the run started, per instance, oldest first. */
  logFiles(): string[]
}

const docOf = (updates: Uint8Array[]) => {
  const doc = new Y.Doc()
  replay(doc, DOC, updates)
  return doc
}

async function singleInstance(): Promise<World> {
  const server = await startServer({ args: SERVER_ARGS })
  const read = async () => {
    const store = await openStore({ dataDir: server.dataDir, redisUrl: null })
    try {
      return docOf((await store.load(DOC))?.updates ?? [])
    } finally {
      await store.close()
    }
  }
  return {
    clients: [0, 1, 2, 3].map(() => connectClient(server.wsUrl, DOC)),
    async crash(whileDown) {
      await server.kill('SIGKILL')
      await whileDown()
      await server.restart()
      note('server restarted')
    },
    restartRedis: null,
    stored: read,
    async finalStored() {
      expect(await server.stop()).toBe(0)
      return read()
    },
    close: async () => void (await server.stop()),
    logFiles: () => [`server: ${server.logFiles.join(' ')}`],
  }
}

async function threeInstances(): Promise<World> {
  const redis: TestRedis = await startRedis({ durable: true })
  const instances: TestServer[] = await Promise.all([0, 1, 2].map(() => startServer({ args: SERVER_ARGS, env: { REDIS_URL: redis.url } })))
  const read = async () => {
    const store = await openStore({ dataDir: '', redisUrl: redis.url })
    try {
      return docOf((await store.load(DOC))?.updates ?? [])
    } finally {
      await store.close()
    }
  }
  return {
    clients: [0, 1, 2, 3, 4, 5].map((i) => connectClient(instances[i % 3]!.wsUrl, DOC)),
    async crash(whileDown) {
      const victim = rng.pick(instances)
      note(`kill instance ${instances.indexOf(victim)}`)
      await victim.kill('SIGKILL')
      await whileDown()
      await victim.restart()
      note(`instance ${instances.indexOf(victim)} restarted`)
    },
    async restartRedis() {
      note('restart Redis')
      await redis.restart()
      note('Redis restarted')
    },
    stored: read,
    // Instances store before they relay, so once the clients agree the store soon holds it all.
    finalStored: read,
    logFiles: () => instances.map((instance, i) => `instance ${i}: ${instance.logFiles.join(' ')}`),
    async close() {
      await Promise.all(instances.map((i) => i.stop()))
      await redis.stop()
    },
  }
}

/** For every client ID, the highest clock any test client holds from a client other than itself. */
function seenFromOthers(clients: TestClient[]): Map<number, number> {
  const seen = new Map<number, number>()
  for (const { doc } of clients) {
    for (const [id, clock] of Y.decodeStateVector(Y.encodeStateVector(doc))) {
      if (id !== doc.clientID && clock > (seen.get(id) ?? 0)) seen.set(id, clock)
    }
  }
  return seen
}

/** Everything any client had seen from another, read before the store is: it must all be stored. */
async function expectDurable(world: World, when: string): Promise<void> {
  const seen = seenFromOthers(world.clients)
  const stored = Y.decodeStateVector(Y.encodeStateVector(await world.stored()))
  for (const [id, clock] of seen) {
    expect(stored.get(id) ?? 0, `${when}: clients had seen client ${id} up to clock ${clock}; seed ${rng.seed}`).toBeGreaterThanOrEqual(clock)
  }
}

/** What the run did, each action with the time it was taken, to read beside the servers' logs. */
const journal: string[] = []
const note = (action: string) => void journal.push(`${new Date().toISOString().slice(11, 23)} ${action}`)

/**
 * What each client holds, for a failed run: its state vector, and whether Yjs keeps updates it
 * cannot apply yet (their dependencies never came: the sign of a lost update).
 */
function describeClients(clients: TestClient[]): string {
  return clients
    .map(({ doc, provider }, i) => {
      const sv = [...Y.decodeStateVector(Y.encodeStateVector(doc))]
        .sort(([a], [b]) => a - b)
        .map(([id, clock]) => `${id}:${clock}`)
        .join(' ')
      const pending = doc.store.pendingStructs ? ` waiting for ${[...doc.store.pendingStructs.missing].map(([id, clock]) => `${id}:${clock}`).join(' ')}` : ''
      return `client ${i} (id ${doc.clientID}, ${provider.wsconnected ? 'connected' : 'not connected'}):${pending}${doc.store.pendingDs ? ' with deletions waiting' : ''}\n  has ${sv}`
    })
    .join('\n')
}

/** One random edit: insert a few letters or delete a few characters at a random place. */
function randomEdit(client: TestClient): void {
  const { text } = client
  if (text.length > 0 && rng.next() < 0.25) {
    const at = rng.int(text.length)
    text.delete(at, Math.min(1 + rng.int(3), text.length - at))
  } else {
    text.insert(rng.int(text.length + 1), String.fromCharCode(97 + rng.int(26)).repeat(1 + rng.int(4)))
  }
}

async function run(world: World): Promise<void> {
  journal.length = 0
  try {
    await play(world)
  } catch (error) {
    // Read at once: the clients are gone by the time the test reports its failure.
    console.log(`chaos seed ${rng.seed} failed.\nActions:\n${journal.join('\n')}\nClients:\n${describeClients(world.clients)}\nServer logs:\n${world.logFiles().join('\n')}`)
    throw error
  }
}

async function play(world: World): Promise<void> {
  const { clients } = world
  await Promise.all(clients.map((c) => c.synced()))
  const online = () => clients.filter((c) => c.provider.shouldConnect)
  const offline = () => clients.filter((c) => !c.provider.shouldConnect)
  let [crashes, redisRestarts, edits] = [0, 0, 0]
  for (let step = 0; step < STEPS; step++) {
    const roll = rng.int(100)
    if (roll < 55) {
      randomEdit(rng.pick(clients))
      edits += 1
    } else if (roll < 63 && online().length > 1) {
      const client = rng.pick(online())
      note(`client ${clients.indexOf(client)} goes offline`)
      client.provider.disconnect()
    } else if (roll < 73 && offline().length > 0) {
      const client = rng.pick(offline())
      note(`client ${clients.indexOf(client)} comes back`)
      client.provider.connect()
    } else if (roll < 78) {
      const client = rng.pick(online())
      note(`client ${clients.indexOf(client)} drops its socket`)
      client.provider.ws?.close()
    } else if (roll < 82) {
      // Often in the middle of a burst of typing, while appends are in flight.
      if (rng.next() < 0.5) {
        const typist = rng.pick(clients)
        note(`client ${clients.indexOf(typist)} types 30 edits`)
        for (let i = 0; i < 30; i++) randomEdit(typist)
        edits += 30
        await pause(rng.int(5))
      }
      crashes += 1
      note(`crash ${crashes}`)
      await world.crash(() => expectDurable(world, `after crash ${crashes} (step ${step})`))
    } else if (roll < 84 && world.restartRedis) {
      redisRestarts += 1
      await world.restartRedis()
      await expectDurable(world, `after a Redis restart (step ${step})`)
    } else await pause(rng.int(40))
    await pause(rng.int(10))
  }
  console.log(`chaos seed ${rng.seed}: ${edits} edits, ${crashes} crashes, ${redisRestarts} Redis restarts over ${STEPS} steps`)
  note('every client comes back')
  for (const client of offline()) client.provider.connect()
  const texts = () => clients.map((c) => c.text.toString())
  await until(() => expect(new Set(texts()).size, `clients did not converge; seed ${rng.seed}`).toBe(1), { timeout: 30_000 })
  await until(() => expect(new Set(clients.map((c) => Y.encodeStateVector(c.doc).toString())).size).toBe(1), { timeout: 10_000 })
  const expected = clients[0]!.doc
  await until(
    async () => {
      const stored = await world.finalStored()
      expect(stored.getText('text').toString(), `stored text; seed ${rng.seed}`).toBe(expected.getText('text').toString())
      expect(Y.encodeStateVector(stored), `stored state vector; seed ${rng.seed}`).toEqual(Y.encodeStateVector(expected))
    },
    { timeout: 10_000 },
  )
}

let world: World | null = null
afterEach(async () => {
  for (const client of world?.clients ?? []) client.destroy()
  await world?.close().catch(() => undefined)
  world = null
})

describe(`chaos (seed ${rng.seed})`, () => {
  it('loses nothing any client saw, one instance on LevelDB', { timeout: 120_000 }, async () => {
    world = await singleInstance()
    await run(world)
  })

  it('loses nothing any client saw, three instances on one Redis', { timeout: 120_000 }, async () => {
    world = await threeInstances()
    await run(world)
  })
})
