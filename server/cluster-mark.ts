import { readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

const FILE = 'cluster.json'

/** The Redis URL as it may be written down and shown: without user name or password. */
function withoutCredentials(url: string): string {
  const shown = new URL(url)
  shown.username = ''
  shown.password = ''
  return shown.toString()
}

/**
 * Marks `dataDir` as a cluster instance's when `redisUrl` is set (its documents are in that Redis,
 * not in the data dir), and unmarks it otherwise. The mark outlives the server, so a CLI run on
 * the data dir later without `REDIS_URL` says where the documents are instead of opening an empty
 * store of its own and, for an import, writing where no instance reads.
 */
export async function markDataDir(dataDir: string, redisUrl: string | null): Promise<void> {
  const path = join(dataDir, FILE)
  if (redisUrl === null) await rm(path, { force: true })
  else await writeFile(path, `${JSON.stringify({ redis: withoutCredentials(redisUrl) })}\n`)
}

/** The Redis (credentials left out) whose documents the cluster instance on `dataDir` served, or `null`. */
export async function clusterOf(dataDir: string): Promise<string | null> {
  try {
    const { redis } = JSON.parse(await readFile(join(dataDir, FILE), 'utf8')) as { redis?: unknown }
    return typeof redis === 'string' ? redis : null
  } catch {
    return null
  }
}
