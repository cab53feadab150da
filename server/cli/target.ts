import { existsSync } from 'node:fs'
import { setTimeout as delay } from 'node:timers/promises'
import type { FormatName } from '../../shared/content/formats.js'
import { type Backend, openBackend } from '../backend.js'
import { clusterOf } from '../cluster-mark.js'
import { type Config, resolveConfig } from '../config.js'
import { type Docs, DocsError, LocalDocs } from '../docs.js'
import { mintToken } from '../guard/access.js'
import { createLogger } from '../log.js'
import { readServerFile, type ServerAddress } from '../server-file.js'
import { storeExists } from '../store/open.js'
import { StoreError } from '../store/store.js'
import type { TargetFlags } from './options.js'
import { RemoteDocs } from './remote.js'

/** How long a server named in the data dir gets to answer before it is taken as gone. */
const ANSWER_MS = 2000

/** How long the CLI's own token for a server with access control lasts: one command. */
const CLI_TOKEN_SECONDS = 300

/**
 * How long a command waits for another process to let go of the data dir: LevelDB admits one at a
 * time, so `quire ls` beside a cron `quire export` waits its turn instead of failing.
 */
export const LOCK_WAIT_MS = 10_000

/** The first pause before trying a held data dir again; each next one doubles, up to the longest. */
const FIRST_PAUSE_MS = 25
const LONGEST_PAUSE_MS = 1000

/**
 * Runs `work` against the documents of the data dir in `flags`, wherever they live: through the
 * server that announced itself in the data dir (LevelDB admits one process, and going through the
 * server makes changes live for its editors), or by opening the data dir directly when no server
 * answers. While another process holds the data dir, it looks again, pausing longer each time,
 * for up to `LOCK_WAIT_MS`: another command may finish, or a server may announce itself. `create`
 * lets a command that writes (import) start a data dir, or a store in a directory, that does not
 * exist yet; every other command refuses to, so a mistyped `--data` is reported, not silently
 * created.
 */
export async function withDocs<T>(flags: TargetFlags, options: { create: boolean }, work: (docs: Docs) => Promise<T>): Promise<T> {
  const config = resolveConfig({ ...(flags.data === undefined ? {} : { dataDir: flags.data }), ...(flags.maxImportBytes === undefined ? {} : { maxImportBytes: flags.maxImportBytes }) })
  // Each line once, however often the data dir is looked at again.
  const said = new Set<string>()
  const say = (line: string) => {
    if (flags.verbose && !said.has(line)) process.stderr.write(`quire: ${line}\n`)
    said.add(line)
  }
  const giveUpAt = Date.now() + LOCK_WAIT_MS
  for (let pause = FIRST_PAUSE_MS; ; pause = Math.min(2 * pause, LONGEST_PAUSE_MS)) {
    const remote = await runningServer(config, say)
    if (remote) return work(remote)
    const backend = await openDirectly(config, options.create).catch((error: unknown) => {
      if (!(error instanceof StoreError && error.kind === 'locked')) throw error
      if (Date.now() >= giveUpAt) throw new StoreError('locked', `${error.message} (waited ${LOCK_WAIT_MS / 1000} s for it)`, { cause: error })
      say(`${error.message}; waiting up to ${LOCK_WAIT_MS / 1000} s for it`)
      return null
    })
    if (backend) {
      try {
        return await work(new LocalDocs(backend.store, backend.rooms, backend.versions, backend.importer, config.maxImportBytes))
      } finally {
        await backend.close()
      }
    }
    // The last look comes when the time is up, not a pause short of it or past it.
    await delay(Math.max(0, Math.min(pause, giveUpAt - Date.now())))
  }
}

/** The server announced in the data dir, if one is there and answers (`say` tells which way it went). */
async function runningServer(config: Config, say: (line: string) => void): Promise<RemoteDocs | null> {
  const { dataDir } = config
  const server = await readServerFile(dataDir)
  // The CLI runs beside the server, so it can sign its own requests with the same secret
  // (`/api/server` needs that too under --private-listing).
  const headers: Record<string, string> = {}
  if (server && config.secret) headers.authorization = `Bearer ${await mintToken(config.secret, { doc: '*', write: true, ttlSeconds: CLI_TOKEN_SECONDS })}`
  const why = server ? await whyNotAnswering(server, headers) : 'no server running'
  if (server && why === null) {
    say(`using the server at ${server.url} (pid ${server.pid}) that holds ${dataDir}`)
    return new RemoteDocs(server.url, headers)
  }
  say(`opening ${dataDir} directly (${why})`)
  return null
}

/** The data dir's store and what runs on it; `StoreError('locked')` while another process has it. */
async function openDirectly(config: Config, create: boolean): Promise<Backend> {
  const { dataDir } = config
  const cluster = config.redisUrl ? null : await clusterOf(dataDir)
  if (cluster) throw new DocsError('failed', `${dataDir} belongs to a quire cluster keeping its documents in Redis at ${cluster}: set REDIS_URL`)
  if (!create && !config.redisUrl && !existsSync(dataDir)) throw new DocsError('failed', `no data dir at ${dataDir} (set it with --data or QUIRE_DATA)`)
  if (!create && !storeExists(config)) throw new DocsError('failed', `${dataDir} holds no quire data (set the data dir with --data or QUIRE_DATA)`)
  // The same composition as a server's, cluster bus included; its few log lines (a failed
  // publish, say) go to stderr, where they cannot mix with a command's output.
  return openBackend(
    config,
    createLogger('warn', (line) => process.stderr.write(`${line}\n`)),
  )
}

/** `null` when the announced server answers, else why it is taken as gone (for `--verbose`). */
async function whyNotAnswering(server: ServerAddress, headers: Record<string, string>): Promise<string | null> {
  try {
    process.kill(server.pid, 0)
  } catch (error) {
    // EPERM: the process exists but belongs to someone else; it may still be the server.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return `stale server file: pid ${server.pid} is not running`
  }
  try {
    const res = await fetch(new URL('/api/server', server.url), { headers, signal: AbortSignal.timeout(ANSWER_MS) })
    // A server with --private-listing shows its file only with a token: one is there, so the CLI
    // goes through it, and every request says it needs a token, as without --private-listing.
    if (res.status === 401) return null
    const answered = res.ok ? ((await res.json()) as Partial<ServerAddress>) : null
    return answered?.id === server.id ? null : `stale server file: the server at ${server.url} is another one`
  } catch {
    return `stale server file: nothing answers at ${server.url}`
  }
}

/** The current content of `doc`, or that of version `version` when one is named (`show`, `export`). */
export function contentOf(docs: Docs, doc: string, format: FormatName, version: number | undefined): Promise<string> {
  return version === undefined ? docs.content(doc, format) : docs.versionContent(doc, version, format)
}
