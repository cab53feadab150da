import * as decoding from 'lib0/decoding'
import * as Y from 'yjs'
import type { Peer } from '../../server/sync/peer.js'

/** A peer that records what it is sent, and reads updates back into a doc of its own. */
export class RecordingPeer implements Peer {
  static next = 1
  readonly id = RecordingPeer.next++
  readonly doc = new Y.Doc()
  readonly sent: Uint8Array[] = []
  closedWith: { code: number; reason: string } | null = null
  send(message: Uint8Array) {
    this.sent.push(message)
    const d = decoding.createDecoder(message)
    if (decoding.readVarUint(d) !== 0) return
    const syncType = decoding.readVarUint(d)
    if (syncType !== 0) Y.applyUpdate(this.doc, decoding.readVarUint8Array(d))
  }
  close(code: number, reason: string) {
    this.closedWith = { code, reason }
  }
}

/** A Yjs update that inserts `text` into the `text` type of a fresh doc. */
export const edit = (text: string) => {
  const doc = new Y.Doc()
  doc.getText('text').insert(0, text)
  return Y.encodeStateAsUpdate(doc)
}
