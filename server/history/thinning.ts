const HOUR = 3_600_000
const DAY = 24 * HOUR

/** What thinning needs to know of a version. */
export interface Thinnable {
  id: number
  /** ms since the epoch */
  at: number
  label: string | null
  auto: boolean
}

/**
 * The versions to drop so that history costs bounded disk: every version of the last 24 hours is
 * kept, then the newest of each hour for 30 days, then the newest of each day. Versions with a
 * label (named ones, and those recorded before a restore) are kept forever, and so is the newest
 * version, whose snapshot the next one is recorded against. `versions` are oldest first.
 */
export function versionsToDrop(versions: readonly Thinnable[], now: number): number[] {
  const drop: number[] = []
  const newest = versions.at(-1)?.id
  const keptBucket = new Set<string>()
  for (const version of [...versions].reverse()) {
    const age = now - version.at
    if (version.label !== null || !version.auto || age < DAY) continue
    const bucket = age < 30 * DAY ? `h${Math.floor(version.at / HOUR)}` : `d${Math.floor(version.at / DAY)}`
    if (keptBucket.has(bucket) && version.id !== newest) drop.push(version.id)
    else keptBucket.add(bucket)
  }
  return drop.reverse()
}
