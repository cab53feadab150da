import { closeSync, openSync, readFileSync, readSync, renameSync, writeSync } from 'node:fs'
import { crc32 } from 'node:zlib'
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'

/** One append as the journal keeps it: enough to write its LevelDB record again. */
export interface JournalEntry {
  name: string
  seq: number
  update: Uint8Array
}

/** How far into the journal the records in LevelDB reach: written with every batch (see `LevelStore`). */
export interface JournalPosition {
  generation: number
  offset: number
}

/** The LevelDB key the position is kept under; no document key starts with `j`. */
export const JOURNAL_POSITION_KEY = 'j:position'

const MAGIC = 0x4c4e4a51 // "QJNL", little-endian
const HEADER_BYTES = 8
const FRAME_BYTES = 8 // body length, then the body's CRC-32

export const encodePosition = ({ generation, offset }: JournalPosition): Uint8Array => {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, generation)
  encoding.writeVarUint(encoder, offset)
  return encoding.toUint8Array(encoder)
}

/** Reads a position; one that does not decode counts as none, so the whole journal is replayed. */
export function decodePosition(bytes: Uint8Array | undefined): JournalPosition | null {
  if (!bytes) return null
  try {
    const decoder = decoding.createDecoder(bytes)
    return { generation: decoding.readVarUint(decoder), offset: decoding.readVarUint(decoder) }
  } catch {
    return null
  }
}

/**
 * The LevelDB store's write-ahead journal: one file in the store's directory that every append is
 * written to, with one synchronous `write` per event-loop turn, before it goes into a LevelDB batch.
 *
 * Why: LevelDB writes on libuv's thread pool, so "stored, then relayed" cost every keystroke a
 * round trip through another thread, and on a busy two-core machine the tail of that round trip
 * (a thread waiting for a core) was the tail of quire's fan-out latency. A `write` from the event
 * loop reaches the OS in microseconds and is exactly as durable as LevelDB's own unsynced log
 * write: it survives the process being killed, not a power cut. LevelDB stays the store; the
 * journal only holds what LevelDB may not have yet.
 *
 * Each LevelDB batch records how far into the journal it reaches (`JournalPosition`), atomically
 * with its records, so at open exactly the entries past that position are written again. Once
 * the file has grown, it is replaced by a new generation holding only the entries past the last
 * landed position, so it stays small however busy the server is. Entries carry a CRC-32: a tail
 * torn by a crash mid-write was never acknowledged and is dropped.
 */
export class Journal {
  private constructor(
    private readonly path: string,
    private fd: number,
    /** Bumped by every `rotate`, so a position from before it matches no entry after it. */
    private gen: number,
    /** Where the next entry goes: the byte length of the valid journal. */
    private end: number,
  ) {}

  /**
   * Opens the journal at `path` (creating it) and returns the entries LevelDB lacks, given the
   * position its last batch recorded. A missing, empty or foreign file has no entries, nor has one
   * older than that position (a journal restored from an older backup than the store).
   *
   * The caller writes the pending entries to LevelDB and then calls `reset`: appending to the
   * journal as found would append behind a torn tail, where no reader would find them.
   */
  static open(path: string, landed: JournalPosition | null): { journal: Journal; pending: JournalEntry[] } {
    const found = read(path)
    const landedGen = landed?.generation ?? 0
    const generation = found.generation ?? landedGen
    const pending = found.entries.filter((entry) => generation > landedGen || (generation === landedGen && entry.end > (landed?.offset ?? 0)))
    const fd = openSync(path, found.generation === null ? 'w+' : 'r+')
    // Never below the store's: the next generation must be new to every position LevelDB holds.
    const journal = new Journal(path, fd, Math.max(generation, landedGen), found.end)
    return { journal, pending: pending.map(({ name, seq, update }) => ({ name, seq, update })) }
  }

  /** How far the journal reaches now: what a batch holding every entry so far records. */
  get position(): JournalPosition {
    return { generation: this.gen, offset: this.end }
  }

  /** Writes `entries` with one system call; throws (writing nothing valid) when the disk refuses. */
  append(entries: JournalEntry[]): void {
    const bodies = entries.map(encodeBody)
    const bytes = Buffer.allocUnsafe(bodies.reduce((sum, body) => sum + FRAME_BYTES + body.length, 0))
    let at = 0
    for (const body of bodies) {
      bytes.writeUInt32LE(body.length, at)
      bytes.writeUInt32LE(crc32(body), at + 4)
      bytes.set(body, at + FRAME_BYTES)
      at += FRAME_BYTES + body.length
    }
    writeFully(this.fd, bytes, this.end)
    this.end += bytes.length
  }

  /** Empties the journal, once LevelDB holds every entry, and starts the next generation. */
  reset(): void {
    this.rotate(this.end)
  }

  /**
   * Starts the next generation with the entries from byte `from` on: those LevelDB may not have
   * yet. They are written to a new file that then replaces this one, so a crash at any point
   * leaves one whole journal.
   */
  rotate(from: number): void {
    const kept = Buffer.alloc(HEADER_BYTES + this.end - from)
    kept.writeUInt32LE(MAGIC, 0)
    kept.writeUInt32LE(this.gen + 1, 4)
    if (this.end > from) readSync(this.fd, kept, HEADER_BYTES, this.end - from, from)
    const next = `${this.path}.next`
    const fd = openSync(next, 'w+')
    writeFully(fd, kept, 0)
    renameSync(next, this.path)
    closeSync(this.fd)
    this.fd = fd
    this.gen += 1
    this.end = kept.length
  }

  close(): void {
    closeSync(this.fd)
  }
}

/** An entry's body; `append` frames it with its length and CRC-32. */
function encodeBody({ name, seq, update }: JournalEntry): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarString(encoder, name)
  encoding.writeVarUint(encoder, seq)
  encoding.writeVarUint8Array(encoder, update)
  return encoding.toUint8Array(encoder)
}

/** Writes all of `bytes` at `position`: a write to a file may take fewer bytes than it was given. */
function writeFully(fd: number, bytes: Uint8Array, position: number): void {
  let written = 0
  while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written, position + written)
}

/** The journal's generation and its entries up to the first one that is torn or damaged. */
function read(path: string): { generation: number | null; entries: Array<JournalEntry & { end: number }>; end: number } {
  let bytes: Buffer
  try {
    bytes = readFileSync(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { generation: null, entries: [], end: 0 }
    throw error
  }
  if (bytes.length < HEADER_BYTES || bytes.readUInt32LE(0) !== MAGIC) return { generation: null, entries: [], end: 0 }
  const entries: Array<JournalEntry & { end: number }> = []
  let at = HEADER_BYTES
  while (at + FRAME_BYTES <= bytes.length) {
    const length = bytes.readUInt32LE(at)
    const bodyEnd = at + FRAME_BYTES + length
    if (bodyEnd > bytes.length) break
    const body = bytes.subarray(at + FRAME_BYTES, bodyEnd)
    if (crc32(body) !== bytes.readUInt32LE(at + 4)) break
    const decoder = decoding.createDecoder(body)
    entries.push({ name: decoding.readVarString(decoder), seq: decoding.readVarUint(decoder), update: decoding.readVarUint8Array(decoder), end: bodyEnd })
    at = bodyEnd
  }
  return { generation: bytes.readUInt32LE(4), entries, end: at }
}
