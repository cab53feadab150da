/**
 * The bench client: a Y.Doc speaking the y-websocket protocol (y-protocols sync over `ws`) and
 * nothing else, light enough to run a thousand in the harness process. Every server is driven by
 * this same client. It ignores awareness, as none of the scenarios measure presence.
 *
 * Besides the text it tracks what it has received from others (`seenClock`, `deletedSeen`), so
 * scenarios can bound their in-flight edits and count delivered edits without depending on how a
 * server frames or batches its messages.
 *
 * A client is a full replica by default. With `replica: false` it is a load generator instead: it
 * writes into its own Y.Doc but does not integrate what it receives; it only reads the clock
 * ranges of each received update (a parse, several times cheaper than integrating) and keeps the
 * bytes (`received`) for a check after the clock stops. Hundreds of replicas in the harness
 * process would otherwise measure the harness's core rather than the server.
 */
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import WebSocket from 'ws'
import * as syncProtocol from 'y-protocols/sync'
import * as Y from 'yjs'
import { MessageType } from '../../shared/protocol.js'

/** Name of the Y.Text every scenario edits. */
const TEXT = 'text'

export interface ClientOptions {
  /**
   * Whether `synced` waits for the server's sync step 2. The bare relay holds no state and never
   * answers, so for it a client counts as synced once its socket is open.
   */
  expectSync: boolean
  /** False for a load generator that tracks received clock ranges instead of integrating. Default true. */
  replica?: boolean
}

/** Updates from this size up have their clock ranges parsed once per content (see `clockRanges`). */
const SHARED_PARSE_BYTES = 64 * 1024
/** Big updates parsed so far, by size: one or two per storm, so a list per size is enough. */
const parsedRanges = new Map<number, Array<{ update: Uint8Array; ranges: Map<number, number> }>>()

/**
 * The clock each client's items reach in `update`. A join storm hands every joiner the same
 * whole-document update (311 KB for the automerge-paper trace, 27 ms to parse): parsing it once
 * per joiner cost the harness seconds of its core per storm, so that F measured the harness
 * rather than the server. Big updates are parsed once per content, found again by comparing
 * bytes (15 µs for 311 KB; a SHA-1 took ten times that), for every server alike; small live
 * edits are parsed as they come.
 */
function clockRanges(update: Uint8Array): Map<number, number> {
  if (update.byteLength < SHARED_PARSE_BYTES) return Y.parseUpdateMeta(update).to
  const sameSize = parsedRanges.get(update.byteLength) ?? []
  const known = sameSize.find((entry) => Buffer.compare(entry.update, update) === 0)
  if (known) return known.ranges
  const ranges = Y.parseUpdateMeta(update).to
  sameSize.push({ update, ranges })
  parsedRanges.set(update.byteLength, sameSize)
  return ranges
}

/** Guids of the clients' docs: Yjs would draw a random UUID per doc, 0.1 ms each, 10 ms of a storm's 100 joiners. */
let docs = 0

/** One connection to one document. */
export class BenchClient {
  readonly doc = new Y.Doc({ guid: `bench-${++docs}` })
  readonly text: Y.Text = this.doc.getText(TEXT)
  /** Resolves when the client holds the server's state (or is open, for a stateless server). */
  readonly synced: Promise<void>
  /** Count of deleted characters received from others, in any transaction. */
  deletedSeen = 0
  /** performance.now() of the last document change received. */
  lastReceivedAt = 0
  /** Every document update received, kept by non-replica clients only. */
  readonly received: Uint8Array[] = []
  private readonly replica: boolean
  private readonly expectSync: boolean
  private readonly seen = new Map<number, number>()
  private readonly listeners = new Set<() => void>()
  private readonly dropListeners = new Set<(error: Error) => void>()
  /** Set when the server closed the connection (quire does so for a client over its limits). */
  private droppedWith: Error | null = null
  private closing = false
  private onStep2: () => void = () => {}
  private readonly socket: WebSocket

  constructor(serverUrl: string, docName: string, options: ClientOptions) {
    this.replica = options.replica ?? true
    this.expectSync = options.expectSync
    this.socket = new WebSocket(`${serverUrl}/${encodeURIComponent(docName)}`, { perMessageDeflate: false })
    this.socket.binaryType = 'nodebuffer'
    // Errors are followed by 'close', which is where drops are reported; unhandled they would crash the harness.
    this.socket.on('error', () => {})
    this.synced = new Promise<void>((resolve, reject) => {
      this.socket.once('error', reject)
      this.socket.once('close', (code) => reject(new Error(`closed with ${code} before sync`)))
      this.socket.once('open', () => {
        this.send(this.encodeSync((encoder) => syncProtocol.writeSyncStep1(encoder, this.doc)))
        if (!options.expectSync) resolve()
      })
      if (options.expectSync) this.onStep2 = resolve
    })
    // A rejected `synced` that nobody awaits must not crash the harness; callers that care await it.
    this.synced.catch(() => {})
    this.socket.on('message', (data: Buffer) => this.receive(data))
    this.socket.on('close', (code, reason) => {
      if (this.closing) return
      this.droppedWith = new Error(`the server closed the connection: ${code} ${reason.toString()}`)
      for (const listener of this.dropListeners) listener(this.droppedWith)
    })
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin !== this) this.send(this.encodeSync((encoder) => syncProtocol.writeUpdate(encoder, update)))
    })
    this.doc.on('afterTransaction', (tr: Y.Transaction) => {
      if (tr.origin !== this) return
      for (const [client, clock] of tr.afterState) {
        if (clock > (tr.beforeState.get(client) ?? 0)) this.seen.set(client, clock)
      }
      for (const items of tr.deleteSet.clients.values()) for (const item of items) this.deletedSeen += item.len
      this.lastReceivedAt = performance.now()
      for (const listener of this.listeners) listener()
    })
  }

  /** This client's Yjs id, as others see it in `seenClock`. */
  get id(): number {
    return this.doc.clientID
  }

  /** How many items of this client's own the document holds: grows by one per inserted character. */
  get clock(): number {
    return Y.getState(this.doc.store, this.doc.clientID)
  }

  /** The clock of `clientId`'s items received so far (0 if none). */
  seenClock(clientId: number): number {
    return this.seen.get(clientId) ?? 0
  }

  /** Calls `listener` after every document change that came from the server. Returns an unsubscribe. */
  onReceive(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** A promise that never resolves and rejects if the server closes this connection. */
  dropped(): Promise<never> {
    return new Promise((_, reject) => {
      if (this.droppedWith) reject(this.droppedWith)
      else this.dropListeners.add(reject)
    })
  }

  /**
   * Resolves when `predicate` holds after a received change (or already holds); rejects at the
   * deadline or if the server drops this connection first.
   */
  until(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (predicate()) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const finish = (error?: Error): void => {
        clearTimeout(timer)
        off()
        this.dropListeners.delete(finish)
        if (error) reject(error)
        else resolve()
      }
      const timer = setTimeout(() => finish(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs)
      const off = this.onReceive(() => {
        if (predicate()) finish()
      })
      if (this.droppedWith) finish(this.droppedWith)
      else this.dropListeners.add(finish)
    })
  }

  /** Closes the socket and resolves once it is closed. */
  close(): Promise<void> {
    this.closing = true
    if (this.socket.readyState === WebSocket.CLOSED) return Promise.resolve()
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve())
      this.socket.close()
    })
  }

  /** The text the received updates make (non-replica clients); for checks off the clock. */
  receivedText(): string {
    const doc = new Y.Doc()
    for (const update of this.received) Y.applyUpdate(doc, update)
    return doc.getText(TEXT).toString()
  }

  private receive(data: Buffer): void {
    const decoder = decoding.createDecoder(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
    if (decoding.readVarUint(decoder) !== MessageType.sync) return
    if (!this.replica) {
      this.receiveWithoutIntegrating(decoder)
      return
    }
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, MessageType.sync)
    const kind = syncProtocol.readSyncMessage(decoder, encoder, this.doc, this)
    if (encoding.length(encoder) > 1) this.send(encoding.toUint8Array(encoder))
    if (kind === syncProtocol.messageYjsSyncStep2) this.onStep2()
  }

  private receiveWithoutIntegrating(decoder: decoding.Decoder): void {
    const kind = decoding.readVarUint(decoder)
    const payload = decoding.readVarUint8Array(decoder)
    if (kind === syncProtocol.messageYjsSyncStep1) {
      // A stateless relay hands every client's step 1 to every other: answering them all made a
      // thousand readers send each other a million answers, which the relay multiplied again.
      if (this.expectSync) this.send(this.encodeSync((encoder) => syncProtocol.writeSyncStep2(encoder, this.doc, payload)))
      return
    }
    this.received.push(payload)
    // `parseUpdateMeta`, not `encodeStateVectorFromUpdate`: the latter skips clients whose items
    // in this update do not start at clock 0, i.e. every incremental update.
    for (const [client, clock] of clockRanges(payload)) {
      if (clock > this.seenClock(client)) this.seen.set(client, clock)
    }
    if (kind === syncProtocol.messageYjsSyncStep2) this.onStep2()
    this.lastReceivedAt = performance.now()
    for (const listener of this.listeners) listener()
  }

  private encodeSync(write: (encoder: encoding.Encoder) => void): Uint8Array {
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, MessageType.sync)
    write(encoder)
    return encoding.toUint8Array(encoder)
  }

  private send(message: Uint8Array): void {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(message)
  }
}

/** Opens `count` clients, at most `parallel` connecting at a time, and resolves when all are synced. */
export async function connectMany(count: number, parallel: number, open: (index: number) => BenchClient): Promise<BenchClient[]> {
  const clients: BenchClient[] = []
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < count) {
      const client = open(next++)
      clients.push(client)
      await client.synced
    }
  }
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker))
  return clients
}

/** Closes every client. */
export async function closeAll(clients: readonly BenchClient[]): Promise<void> {
  await Promise.all(clients.map((client) => client.close()))
}
