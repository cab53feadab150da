/** What quire puts in a client's awareness state under `user` (y-prosemirror's convention). */
export interface PresenceUser {
  name: string
  color: string
}

/** Longest name shown for a user; longer ones are cut so a peer cannot flood others' screens. */
export const MAX_PRESENCE_NAME = 64

const COLOR = /^#[0-9a-f]{6}$/i

/**
 * The user of an awareness state, validated: awareness comes from any peer, so anything that is not
 * a string name and a `#rrggbb` color is treated as absent rather than rendered or logged as is.
 */
export function readPresence(state: unknown): PresenceUser | null {
  if (typeof state !== 'object' || state === null) return null
  const user = (state as { user?: unknown }).user
  if (typeof user !== 'object' || user === null) return null
  const { name, color } = user as { name?: unknown; color?: unknown }
  if (typeof name !== 'string' || name.trim() === '') return null
  return {
    name: name.trim().slice(0, MAX_PRESENCE_NAME),
    color: typeof color === 'string' && COLOR.test(color) ? color : '#888888',
  }
}

/**
 * Whether an awareness state says its user is editing right now. Only a literal `true` counts, so a
 * peer cannot make the indicator show by sending some other truthy value.
 */
export function readTyping(state: unknown): boolean {
  return typeof state === 'object' && state !== null && (state as { typing?: unknown }).typing === true
}
