import { describe, expect, it } from 'vitest'
import { Instances } from '../../../server/cluster/instances.js'
import { encodeAwarenessEntries } from '../../../server/sync/protocol.js'

const utf8 = new TextEncoder()
/** An awareness update setting (or, with `null`, removing) each client's state. */
const awareness = (states: Record<number, unknown>) =>
  encodeAwarenessEntries(Object.entries(states).map(([id, state]) => ({ clientId: Number(id), clock: 1, state: utf8.encode(JSON.stringify(state)) })))

describe('the instances of a cluster, as one of them hears them', () => {
  it("withdraws a silent instance's clients only once its silence, measured at this instance's own beats, exceeds the limit", () => {
    const instances = new Instances('self', 6000)
    instances.heardFrom('a', 0)
    instances.noteAwareness('a', 'doc', awareness({ 1: { user: 'Ada' }, 2: { user: 'Al' } }))
    expect(instances.expire(6000)).toEqual(new Map())
    expect(instances.expire(6001)).toEqual(new Map([['doc', [1, 2]]]))
    expect(instances.expire(20_000)).toEqual(new Map())
  })

  it('keeps a client another instance introduced since, or that its own instance removed, out of the withdrawal', () => {
    const instances = new Instances('self', 6000)
    instances.heardFrom('a', 0)
    instances.noteAwareness('a', 'doc', awareness({ 1: { user: 'Ada' }, 2: { user: 'Al' }, 3: { user: 'Amy' } }))
    // Ada's client reconnected through instance b; Al left.
    instances.heardFrom('b', 5000)
    instances.noteAwareness('b', 'doc', awareness({ 1: { user: 'Ada' } }))
    instances.noteAwareness('a', 'doc', awareness({ 2: null }))
    expect(instances.expire(7000)).toEqual(new Map([['doc', [3]]]))
  })

  it('forgets the clients of a document closed here', () => {
    const instances = new Instances('self', 6000)
    instances.heardFrom('a', 0)
    instances.noteAwareness('a', 'closed', awareness({ 1: { user: 'Ada' } }))
    instances.forget('closed')
    expect(instances.expire(10_000)).toEqual(new Map())
  })
})
