/** Where the chosen name is remembered between visits. */
const NAME_KEY = 'quire.name'

const ADJECTIVES = ['Amber', 'Brave', 'Calm', 'Clever', 'Gentle', 'Golden', 'Jolly', 'Lucky', 'Quiet', 'Rapid', 'Sunny', 'Swift', 'Teal', 'Witty']
const ANIMALS = ['Badger', 'Falcon', 'Fox', 'Heron', 'Koala', 'Lynx', 'Marten', 'Otter', 'Owl', 'Panda', 'Puffin', 'Robin', 'Seal', 'Wren']

// Saturated enough to read white label text on, distinct enough to tell two carets apart.
const PALETTE = ['#d1495b', '#e07a1f', '#c29500', '#3f9142', '#00897b', '#1e88e5', '#3949ab', '#8e24aa', '#d81b60', '#6d4c41', '#546e7a', '#7cb342']

function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)]!
}

/** A friendly name for someone who has not chosen one, such as "Calm Otter". */
export function friendlyName(): string {
  return `${pick(ADJECTIVES)} ${pick(ANIMALS)}`
}

/**
 * The color of a user, derived from their name (FNV-1a hash into a fixed palette) so it is the same
 * in every tab and on every visit without being stored or coordinated.
 */
export function colorFor(name: string): string {
  let hash = 0x811c9dc5
  for (const ch of name) hash = Math.imul(hash ^ ch.codePointAt(0)!, 0x01000193)
  return PALETTE[(hash >>> 0) % PALETTE.length]!
}

// Storage can be unavailable (private modes, blocked cookies); quire then works without memory.
function stored(): string | null {
  try {
    return localStorage.getItem(NAME_KEY)
  } catch {
    return null
  }
}

/** Remembers `name` for the next visit, when the browser allows it. */
export function rememberName(name: string): void {
  try {
    localStorage.setItem(NAME_KEY, name)
  } catch {
    // Not remembered; the name still applies to this page.
  }
}

/**
 * The user's name: `?name=` if given, else the remembered one, else a generated friendly name. The
 * result is remembered, so a name passed once in a link sticks.
 */
export function chooseName(search: URLSearchParams): string {
  const name = search.get('name')?.trim() || stored()?.trim() || friendlyName()
  rememberName(name)
  return name
}
