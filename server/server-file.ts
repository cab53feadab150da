import { randomUUID } from 'node:crypto'
import { readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

/** Where a running server is announced: in its data dir, so the CLI needs nothing but `--data`. */
export interface ServerAddress {
  pid: number
  /** Base URL of its HTTP API, e.g. `http://127.0.0.1:1234`. */
  url: string
  /**
   * Random per start. The server also serves its file at `GET /api/server`, so a CLI can tell the
   * server that wrote this file from another one that later took the same port (and, in a
   * container, maybe the same pid).
   */
  id: string
}

const FILE = 'server.json'

/** Path of the server file in `dataDir`. */
export const serverFilePath = (dataDir: string) => join(dataDir, FILE)

/**
 * Announces the server listening at `address.url` in `dataDir`. LevelDB lets one process hold a
 * data dir, so a CLI that finds this file goes through the server's API instead. Written to a
 * temporary name and renamed, so a reader never sees half a file.
 */
export async function writeServerFile(dataDir: string, where: { pid: number; url: string }): Promise<void> {
  const path = serverFilePath(dataDir)
  const address: ServerAddress = { ...where, id: randomUUID() }
  await writeFile(`${path}.${address.pid}.tmp`, `${JSON.stringify(address)}\n`)
  await rename(`${path}.${address.pid}.tmp`, path)
}

/** Withdraws the announcement, unless another server (`pid` differs) has replaced it since. */
export async function removeServerFile(dataDir: string, pid: number): Promise<void> {
  if ((await readServerFile(dataDir))?.pid === pid) await rm(serverFilePath(dataDir), { force: true })
}

/**
 * The address announced in `dataDir`, or `null` if there is none or it is not one (a crashed
 * server can leave a file behind, so callers still check that the server answers).
 */
export async function readServerFile(dataDir: string): Promise<ServerAddress | null> {
  let text: string
  try {
    text = await readFile(serverFilePath(dataDir), 'utf8')
  } catch {
    return null
  }
  try {
    const { pid, url, id } = JSON.parse(text) as Partial<ServerAddress>
    return Number.isInteger(pid) && typeof url === 'string' && typeof id === 'string' ? { pid: pid!, url, id } : null
  } catch {
    return null
  }
}
