/** A seeded source of randomness, so a failing random run can be replayed exactly. */
export interface Seeded {
  seed: number
  /** A float in [0, 1). */
  next(): number
  /** An integer in [0, n). */
  int(n: number): number
  /** One element of `items`. */
  pick<T>(items: readonly T[]): T
}

/**
 * A mulberry32 generator seeded from the environment variable `name` when it is set (to replay
 * a run), else from the clock. Callers print `seed` so that any run can be replayed.
 */
export function seeded(name: string): Seeded {
  const fromEnv = process.env[name]
  const seed = fromEnv ? Number(fromEnv) >>> 0 : (Date.now() ^ (process.pid << 16)) >>> 0
  let state = seed
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (n: number) => Math.floor(next() * n)
  return { seed, next, int, pick: (items) => items[int(items.length)]! }
}
