import type { Awareness } from 'y-protocols/awareness'
import { readPresence, readTyping } from '../shared/presence.js'
import type { Person } from './events.js'

/**
 * Everyone in the document by their awareness states, this user first, then by client id. States
 * come from any peer, so each is read through `readPresence`/`readTyping`; invalid ones are left out.
 */
export function people(awareness: Awareness): Person[] {
  const own = awareness.clientID
  return [...awareness.getStates()]
    .flatMap(([clientId, state]) => {
      const user = readPresence(state)
      return user === null ? [] : [{ clientId, name: user.name, color: user.color, typing: readTyping(state), self: clientId === own }]
    })
    .sort((a, b) => (a.self ? -1 : b.self ? 1 : a.clientId - b.clientId))
}
