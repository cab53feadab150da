import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { decodePosition, encodePosition, Journal, type JournalEntry } from '../../../server/store/level-journal.js'

const journalPath = () => join(mkdtempSync(join(tmpdir(), 'quire-journal-')), 'JOURNAL')
const entry = (name: string, seq: number, ...bytes: number[]): JournalEntry => ({ name, seq, update: new Uint8Array(bytes) })

/** A journal at `path` holding `batches`, each written with one `append`; the position after each. */
function written(path: string, batches: JournalEntry[][]) {
  const { journal } = Journal.open(path, null)
  journal.reset()
  const positions = batches.map((entries) => {
    journal.append(entries)
    return journal.position
  })
  journal.close()
  return positions
}

const pendingAt = (path: string, landed: Parameters<typeof Journal.open>[1]) => {
  const { journal, pending } = Journal.open(path, landed)
  journal.close()
  return pending
}

describe('the LevelDB store journal', () => {
  it('gives back every entry LevelDB has not recorded, in order, and none it has', () => {
    const path = journalPath()
    const [first, second] = written(path, [[entry('a', 1, 7), entry('b', 1, 8)], [entry('a', 2, 9, 9)]])
    expect(pendingAt(path, null)).toEqual([entry('a', 1, 7), entry('b', 1, 8), entry('a', 2, 9, 9)])
    expect(pendingAt(path, first!)).toEqual([entry('a', 2, 9, 9)])
    expect(pendingAt(path, second!)).toEqual([])
  })

  it('gives back a whole generation LevelDB has no position in yet, and nothing of an older one', () => {
    const path = journalPath()
    const [position] = written(path, [[entry('a', 1, 7)]])
    expect(pendingAt(path, { generation: position!.generation - 1, offset: 1_000 })).toEqual([entry('a', 1, 7)])
    expect(pendingAt(path, { generation: position!.generation + 1, offset: 0 })).toEqual([])
  })

  it('ends at the first entry whose checksum fails, as a crash mid-write leaves it', () => {
    const path = journalPath()
    const [first] = written(path, [[entry('a', 1, 7)], [entry('a', 2, 8)], [entry('a', 3, 9)]])
    const bytes = readFileSync(path)
    const secondBody = first!.offset + 8 // after the second entry's length and checksum
    bytes.writeUInt8(bytes.readUInt8(secondBody) ^ 0xff, secondBody)
    writeFileSync(path, bytes)
    expect(pendingAt(path, null)).toEqual([entry('a', 1, 7)])
  })

  it('starts empty on a missing or foreign file, and again after a reset, in a new generation', () => {
    const path = journalPath()
    expect(pendingAt(path, null)).toEqual([])
    writeFileSync(path, 'not a journal')
    expect(pendingAt(path, null)).toEqual([])
    const [before] = written(path, [[entry('a', 1, 7)]])
    const { journal } = Journal.open(path, before!)
    journal.reset()
    expect(journal.position.generation).toBeGreaterThan(before!.generation)
    journal.close()
    expect(statSync(path).size).toBe(8)
  })

  it('rotates into a new generation that keeps the entries from a given byte on', () => {
    const path = journalPath()
    const [first] = written(path, [[entry('a', 1, 7)], [entry('a', 2, 8)], [entry('b', 1, 9)]])
    const { journal } = Journal.open(path, first!)
    journal.rotate(first!.offset)
    const rotated = journal.position
    journal.close()
    expect(rotated.generation).toBe(first!.generation + 1)
    // LevelDB's position is of the older generation: every kept entry may be missing from it.
    expect(pendingAt(path, first!)).toEqual([entry('a', 2, 8), entry('b', 1, 9)])
    expect(pendingAt(path, rotated)).toEqual([])
  })

  it('reads back the position it encodes, and takes a damaged one as none', () => {
    expect(decodePosition(encodePosition({ generation: 3, offset: 70_000 }))).toEqual({ generation: 3, offset: 70_000 })
    expect(decodePosition(new Uint8Array([0x80]))).toBeNull()
    expect(decodePosition(undefined)).toBeNull()
  })
})
