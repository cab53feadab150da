/**
 * How the bench starts, stops, kills and restarts each server under test, and how it reads a
 * server's memory and CPU. Every server is spawned directly as a `node` process (never through
 * npm/npx) so the pid we watch in `/proc` is the server itself, and all three are measured the
 * same way from the outside.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs'
import { connect, createServer } from 'node:net'
import { dirname, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'

/** The servers the bench knows, in the order the table shows them. */
export const SERVER_KINDS = ['quire', 'reference', 'relay'] as const
export type ServerKind = (typeof SERVER_KINDS)[number]
/** The servers that keep documents (state and disk); the bare relay does neither. */
export const STATEFUL_KINDS: readonly ServerKind[] = ['quire', 'reference']

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const HOST = '127.0.0.1'
/** Kernel clock ticks per second for `/proc/<pid>/stat` (`getconf CLK_TCK`, 100 on Linux). */
const CLK_TCK = 100

/** Whether a server keeps documents (see `STATEFUL_KINDS`). */
export function isStateful(kind: ServerKind): boolean {
  return STATEFUL_KINDS.includes(kind)
}

/** The argv and environment that start one server kind; the only place they differ. */
function command(kind: ServerKind, port: number, dataDir: string, extraEnv: NodeJS.ProcessEnv): { args: string[]; env: NodeJS.ProcessEnv } {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extraEnv, HOST, PORT: String(port) }
  switch (kind) {
    case 'quire':
      return {
        args: [join(ROOT, 'bin/quire.js'), 'serve', '--port', String(port), '--host', HOST, '--data', dataDir],
        // Every bench client comes from one loopback address: the per-IP cap (256) would refuse
        // the sweeps' 1,000 readers, which stand for 1,000 people.
        env: { ...env, LOG_LEVEL: env.LOG_LEVEL ?? 'warn', QUIRE_MAX_CONNECTIONS_PER_IP: env.QUIRE_MAX_CONNECTIONS_PER_IP ?? '1000000' },
      }
    case 'reference':
      return {
        args: [join(ROOT, 'node_modules/@y/websocket-server/src/server.js')],
        env: { ...env, YPERSISTENCE: dataDir },
      }
    case 'relay':
      return { args: ['--import', 'tsx', join(ROOT, 'test/bench/relay.ts')], env }
  }
}

/** A free loopback port, picked up front because the reference server cannot report port 0. */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (address === null || typeof address === 'string') throw new Error('no port bound')
  return address.port
}

/** True once something accepts TCP connections on the port: the one readiness signal all servers share. */
export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, HOST)
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

/** Memory and CPU of a process as the kernel reports them. */
export interface ProcStats {
  /** Resident set size now, bytes. */
  rss: number
  /** Peak resident set size since the process started, bytes. */
  peakRss: number
  /** User + system CPU time consumed so far, seconds. */
  cpu: number
}

/** Reads `/proc/<pid>/status` and `/proc/<pid>/stat`, the same for every server kind. */
export function procStats(pid: number): ProcStats {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (field: string): number => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)
    if (match?.[1] === undefined) throw new Error(`no ${field} for pid ${pid}`)
    return Number(match[1]) * 1024
  }
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const ticks = Number(fields[11]) + Number(fields[12])
  return { rss: kb('VmRSS'), peakRss: kb('VmHWM'), cpu: ticks / CLK_TCK }
}

/** One running (or restartable) server with its data dir and port, which survive restarts. */
export class BenchServer {
  private child: ChildProcess | undefined
  private starts = 0

  private constructor(
    readonly kind: ServerKind,
    readonly port: number,
    readonly dataDir: string,
    private readonly logPrefix: string,
    private readonly profile: boolean,
    private readonly extraEnv: NodeJS.ProcessEnv,
  ) {}

  /**
   * Starts a server of `kind` on a fresh port; its stdout/stderr go to `<logPrefix>-<n>.log`. With
   * `profile`, node writes a `.cpuprofile` beside the log when the process exits cleanly. `env` is
   * added to the harness's environment (e.g. `REDIS_URL` for quire's cluster mode).
   */
  static async start(kind: ServerKind, dataDir: string, logPrefix: string, profile = false, env: NodeJS.ProcessEnv = {}): Promise<BenchServer> {
    const server = new BenchServer(kind, await freePort(), dataDir, logPrefix, profile, env)
    await server.restart()
    return server
  }

  /** Base WebSocket URL; clients append `/<docName>`. */
  get url(): string {
    return `ws://${HOST}:${this.port}`
  }

  /** Whether the process is alive: it has neither exited nor been ended by a signal. */
  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null
  }

  get pid(): number {
    const pid = this.child?.pid
    if (pid === undefined || !this.running) throw new Error(`${this.kind} is not running`)
    return pid
  }

  stats(): ProcStats {
    return procStats(this.pid)
  }

  /** (Re)starts the process on the same port and data dir and waits until it accepts connections. */
  async restart(): Promise<void> {
    if (this.running) throw new Error(`${this.kind} is still running`)
    mkdirSync(this.dataDir, { recursive: true })
    const { args, env } = command(this.kind, this.port, this.dataDir, this.extraEnv)
    const log = createWriteStream(`${this.logPrefix}-${++this.starts}.log`)
    const profiling = this.profile ? ['--cpu-prof', '--cpu-prof-dir', dirname(this.logPrefix)] : []
    const child = spawn(process.execPath, [...profiling, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
    child.stdout.pipe(log)
    child.stderr.pipe(log)
    this.child = child
    const deadline = Date.now() + 30_000
    while (!(await accepts(this.port))) {
      if (!this.running) throw new Error(`${this.kind} exited (${child.exitCode ?? child.signalCode}); see ${log.path}`)
      if (Date.now() > deadline) throw new Error(`${this.kind} did not listen on ${this.port}; see ${log.path}`)
      await sleep(25)
    }
  }

  /**
   * Sends `signal` and resolves when the process has exited. SIGKILL is synchronous from the
   * kernel's point of view, which is what the durability scenario relies on.
   */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const child = this.child
    if (child === undefined || !this.running) return
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    child.kill(signal)
    const timeout = sleep(10_000).then(() => 'timeout' as const)
    if ((await Promise.race([exited, timeout])) === 'timeout') {
      child.kill('SIGKILL')
      await exited
    }
  }

  /** Kills the process at once without waiting: for the instant the durability scenario needs. */
  killNow(): void {
    this.child?.kill('SIGKILL')
  }

  /**
   * Waits until the server has used less than `maxCpu` seconds of CPU over `windowMs`: the only
   * generic sign that a server without acknowledgements (the reference) has finished writing.
   */
  async quiesce(windowMs = 500, maxCpu = 0.02, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    let before = this.stats().cpu
    while (Date.now() < deadline) {
      await sleep(windowMs)
      const now = this.stats().cpu
      if (now - before <= maxCpu) return
      before = now
    }
    throw new Error(`${this.kind} stayed busy for ${timeoutMs} ms`)
  }
}
