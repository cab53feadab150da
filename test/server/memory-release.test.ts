import { afterEach, describe, expect, it } from 'vitest'
import { MemoryRelease } from '../../server/memory-release.js'
import { SyncEvents } from '../../server/sync/events.js'

const MiB = 1024 * 1024
type Release = { beforeBytes: number; afterBytes: number; ms: number }

/** Makes the RSS grow by about `mib` MiB of objects that are garbage as soon as this returns. */
function grow(mib: number): void {
  const chunks: number[][] = []
  for (let i = 0; i < mib * 16; i++) chunks.push(Array.from({ length: 8192 }, (_, k) => k + i))
  expect(chunks.length).toBe(mib * 16)
}

let release: MemoryRelease | null = null
afterEach(() => release?.stop())

/** A release watching `events`: what it released so far, and a promise of its next release. */
function watch(events: SyncEvents, options: { quietMs: number; minGrowthBytes: number }) {
  const released: Release[] = []
  let resolveNext = (_: Release) => {}
  const watched = {
    released,
    next: () => new Promise<Release>((resolve) => (resolveNext = resolve)),
  }
  const first = watched.next()
  release = new MemoryRelease(
    events,
    (info) => {
      released.push(info)
      resolveNext(info)
    },
    options,
  )
  return { ...watched, first }
}

describe('MemoryRelease', () => {
  it('gives memory back once no message has come in for a while after the RSS grew', async () => {
    const { first } = watch(new SyncEvents(), { quietMs: 50, minGrowthBytes: 4 * MiB })
    grow(64)
    const { beforeBytes, afterBytes } = await first
    expect(afterBytes).toBeLessThan(beforeBytes - 8 * MiB)
  })

  it('waits while messages keep coming, and releases once they stop', async () => {
    const events = new SyncEvents()
    const { released, first } = watch(events, { quietMs: 50, minGrowthBytes: 4 * MiB })
    grow(64)
    // A message now (the check that fell due while growing runs next), then one every 10 ms for
    // 12 of the release's checks: it never finds the server quiet.
    const type = () => events.emit('message.in', { bytes: 10 })
    type()
    const typing = setInterval(type, 10)
    await new Promise((resolve) => setTimeout(resolve, 600))
    clearInterval(typing)
    expect(released).toEqual([])
    await first
    expect(released).toHaveLength(1)
  })

  it('does not release again until the RSS has grown by as much once more', async () => {
    const { released, first, next } = watch(new SyncEvents(), { quietMs: 20, minGrowthBytes: 16 * MiB })
    grow(64)
    await first
    const second = next()
    // Ten quiet checks without growth: nothing to give back.
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(released).toHaveLength(1)
    grow(64)
    await second
    expect(released).toHaveLength(2)
  })
})
