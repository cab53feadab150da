/**
 * F. Join storm: many clients open the big document of D at the same moment on a freshly started
 * server: the time until every one holds the whole text, and the server's peak RSS meanwhile.
 *
 * A hundred full Y.Docs integrating the whole trace would keep the harness's core busy for the
 * whole storm and measure the harness, not the server (it did: 97 % harness CPU, same time for
 * every server). So the joiners here only speak the handshake and read the state vector of what
 * they receive (`Y.encodeStateVectorFromUpdate`, a parse without integration), which tells when
 * everything has arrived; the clock then stops and every joiner's bytes are applied to a Y.Doc
 * and compared with the trace's text, so "holds the whole text" is still checked in full.
 */
import WebSocket from 'ws'
import * as Y from 'yjs'
import * as syncProtocol from 'y-protocols/sync'
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import { MessageType } from '../../../shared/protocol.js'
import { BIG_DOC } from '../trace.js'
import type { Scenario } from '../scenario.js'

const MB = 1024 * 1024

/** A handshake-only client: it collects the document updates it receives without applying them. */
class Joiner {
  readonly updates: Uint8Array[] = []
  private readonly have = new Map<number, number>()
  private readonly socket: WebSocket

  constructor(url: string, private readonly target: Map<number, number>, private readonly onComplete: () => void) {
    this.socket = new WebSocket(url, { perMessageDeflate: false })
    // A failed socket shows up as a joiner that never completes, reported at the deadline.
    this.socket.on('error', () => {})
    this.socket.on('open', () => this.send((encoder) => syncProtocol.writeSyncStep1(encoder, new Y.Doc())))
    this.socket.on('message', (data: Buffer) => this.receive(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)))
  }

  /** Holds every item of the target, as far as the state vectors of its received updates tell. */
  get complete(): boolean {
    for (const [client, clock] of this.target) if ((this.have.get(client) ?? 0) < clock) return false
    return true
  }

  /** The text the received updates make, applied off the clock. */
  text(): string {
    const doc = new Y.Doc()
    for (const update of this.updates) Y.applyUpdate(doc, update)
    return doc.getText('text').toString()
  }

  close(): void {
    this.socket.close()
  }

  private receive(message: Uint8Array): void {
    const decoder = decoding.createDecoder(message)
    if (decoding.readVarUint(decoder) !== MessageType.sync) return
    const kind = decoding.readVarUint(decoder)
    if (kind === syncProtocol.messageYjsSyncStep1) {
      // We hold nothing, so the answer is the empty document's whole state.
      this.send((encoder) => syncProtocol.writeSyncStep2(encoder, new Y.Doc()))
      return
    }
    const update = decoding.readVarUint8Array(decoder)
    this.updates.push(update)
    const wasComplete = this.complete
    for (const [client, clock] of Y.decodeStateVector(Y.encodeStateVectorFromUpdate(update))) {
      if (clock > (this.have.get(client) ?? 0)) this.have.set(client, clock)
    }
    if (!wasComplete && this.complete) this.onComplete()
  }

  private send(write: (encoder: encoding.Encoder) => void): void {
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, MessageType.sync)
    write(encoder)
    this.socket.send(encoding.toUint8Array(encoder))
  }
}

export const joinStorm: Scenario = {
  id: 'F',
  title: 'join storm (100 clients open the D document at once)',
  relay: false,
  bigDoc: true,
  metrics: [
    { key: 'allJoinedMs', label: 'all hold the whole text', unit: 'ms', better: 'lower' },
    { key: 'peakRssMb', label: 'server peak RSS', unit: 'MiB', better: 'lower' },
  ],
  async run(ctx) {
    const joiners = ctx.quick ? 10 : 100
    const big = await ctx.bigDoc()
    const server = await ctx.startServer('f', big.dataDir)
    try {
      let pending = joiners
      let allJoined: () => void = () => {}
      const done = new Promise<void>((resolve) => (allJoined = resolve))
      const start = performance.now()
      // All sockets are created in the same tick: that is the storm.
      const clients = Array.from(
        { length: joiners },
        () => new Joiner(`${server.url}/${encodeURIComponent(BIG_DOC)}`, big.stateVector, () => --pending === 0 && allJoined()),
      )
      const timeout = setTimeout(() => allJoined(), 120_000)
      await done
      clearTimeout(timeout)
      const allJoinedMs = performance.now() - start
      const peakRssMb = server.stats().peakRss / MB
      for (const client of clients) client.close()
      if (pending > 0) throw new Error(`${pending} of ${joiners} joiners lacked the whole document after 120 s`)
      if (clients.some((client) => client.text() !== big.text)) throw new Error('a joiner holds the wrong text')
      return { allJoinedMs, peakRssMb }
    } finally {
      await server.stop()
    }
  },
}
