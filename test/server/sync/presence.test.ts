import { describe, expect, it } from 'vitest'
import * as awarenessProtocol from 'y-protocols/awareness'
import * as Y from 'yjs'
import { SyncEvents } from '../../../server/sync/events.js'
import type { Peer } from '../../../server/sync/peer.js'
import { Presence } from '../../../server/sync/presence.js'

const limits = { maxStateBytes: 1024, maxIdsPerConnection: 2 }
const peer = (id: number): Peer => ({ id, send: () => {}, close: () => {} })

/** The awareness update a client with `clientID` sends when it sets `state` (its `clock`th change). */
function clientUpdate(clientID: number, state: Record<string, unknown>, clock = 1): Uint8Array {
  const doc = new Y.Doc()
  doc.clientID = clientID
  const awareness = new awarenessProtocol.Awareness(doc)
  awareness.setLocalState(state)
  awareness.meta.set(clientID, { clock, lastUpdated: 0 })
  const update = awarenessProtocol.encodeAwarenessUpdate(awareness, [clientID])
  awareness.destroy()
  return update
}

/** A document's presence with two connections tracked, and the kinds of problems it reports. */
function presence() {
  const events = new SyncEvents()
  const problems: string[] = []
  events.on('problem', ({ kind }) => problems.push(kind))
  const tracked = new Presence(new Y.Doc(), 'doc', events, () => {}, limits)
  const peers = [peer(1), peer(2)] as const
  for (const p of peers) tracked.track(p)
  return { tracked, problems, peers }
}

describe('Presence', () => {
  it('encodes the states joiners get once per change, not once per joiner', () => {
    const {
      tracked,
      peers: [a],
    } = presence()
    tracked.apply(clientUpdate(100, { user: { name: 'Ada' } }), a)
    const first = tracked.statesMessage()
    expect(tracked.statesMessage()).toBe(first)
    tracked.apply(clientUpdate(101, { user: { name: 'Ada again' } }), a)
    expect(tracked.statesMessage()).not.toBe(first)
  })

  it('applies the entries a peer may make and drops the rest of the same update', () => {
    const {
      tracked,
      problems,
      peers: [a, b],
    } = presence()
    tracked.apply(clientUpdate(100, { user: { name: 'Ada' } }), a)
    // b's update holds its own new state and a newer state for a's client.
    const mixed = new awarenessProtocol.Awareness(new Y.Doc())
    awarenessProtocol.applyAwarenessUpdate(mixed, clientUpdate(200, { user: { name: 'Bob' } }), null)
    awarenessProtocol.applyAwarenessUpdate(mixed, clientUpdate(100, { user: { name: 'Mallory' } }), null)
    mixed.meta.set(100, { clock: 50, lastUpdated: 0 })
    tracked.apply(awarenessProtocol.encodeAwarenessUpdate(mixed, [200, 100]), b)
    mixed.destroy()
    const names = [...tracked.awareness.getStates()].map(([id, s]) => [id, (s as { user: { name: string } }).user.name])
    expect(names).toEqual([
      [100, 'Ada'],
      [200, 'Bob'],
    ])
    expect(problems).toEqual(['awareness-not-owned'])
    // Leaving takes only what b introduced.
    tracked.untrack(b)
    expect([...tracked.awareness.getStates().keys()]).toEqual([100])
  })

  it('gives a relayed id to its own connection when that one announces it, so that closing it withdraws it', () => {
    const {
      tracked,
      problems,
      peers: [tab1, tab2],
    } = presence()
    const ada = clientUpdate(100, { user: { name: 'Ada' } })
    const adaSecondTab = clientUpdate(200, { user: { name: 'Ada' } })
    tracked.apply(ada, tab1)
    // The first tab relays what the second tab told it over the BroadcastChannel…
    tracked.apply(adaSecondTab, tab1)
    // …before the second tab's own socket opens and announces the very same state.
    tracked.apply(adaSecondTab, tab2)
    // The first tab goes on passing on the second tab's renewals, and may be the quicker.
    tracked.apply(clientUpdate(200, { user: { name: 'Ada' }, cursor: 1 }, 2), tab1)
    expect(tracked.awareness.getStates().get(200)).toEqual({ user: { name: 'Ada' } })
    tracked.apply(clientUpdate(200, { user: { name: 'Ada' }, cursor: 1 }, 2), tab2)
    expect(tracked.awareness.getStates().get(200)).toEqual({ user: { name: 'Ada' }, cursor: 1 })
    tracked.untrack(tab2)
    expect([...tracked.awareness.getStates().keys()]).toEqual([100])
    expect(problems).toEqual([])
  })

  it('never gives a connection an id another connection announced as its own', () => {
    const {
      tracked,
      problems,
      peers: [ada, mallory],
    } = presence()
    tracked.apply(clientUpdate(100, { user: { name: 'Ada' } }), ada)
    tracked.apply(clientUpdate(100, { user: { name: 'Mallory' } }, 50), mallory)
    tracked.untrack(mallory)
    expect(tracked.awareness.getStates().get(100)).toEqual({ user: { name: 'Ada' } })
    expect(problems).toEqual(['awareness-not-owned'])
  })
})
