import { type ChildProcess, spawn } from 'node:child_process'
import { createWriteStream, mkdirSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'

const ROOT = resolve(import.meta.dirname, '../..')
const BIN = join(ROOT, 'bin/quire.js')
const OUT = join(ROOT, 'test/out')
let runs = 0

/** A real quire process started by a test. */
export interface TestServer {
  url: string
  wsUrl: string
  port: number
  dataDir: string
  /** Every JSON log line the process has written so far. */
  logs: Array<Record<string, unknown>>
  /** The files in `test/out/` holding its output, one per start, so a failed test can name them. */
  logFiles: string[]
  /** SIGTERM, and resolves with the exit code. */
  stop(): Promise<number | null>
  /** Sends `signal` (SIGKILL by default) and resolves once the process is gone. */
  kill(signal?: NodeJS.Signals): Promise<number | null>
  /** Starts the server again on the same port and data dir (after `stop` or `kill`). */
  restart(): Promise<void>
}

export interface StartOptions {
  dataDir?: string
  env?: Record<string, string>
  args?: string[]
  /** The `quire` binary to run; this checkout's `bin/quire.js` unless given (e.g. an installed package's). */
  bin?: string
}

/** A fresh empty data dir under the system temp dir. */
export const tempDataDir = () => mkdtempSync(join(tmpdir(), 'quire-test-'))

/**
 * Starts `bin/quire.js serve` on a free loopback port (port 0, read back from its
 * `server.listening` log line). Its output is kept in `test/out/` so a failed run can be read.
 */
export async function startServer(options: StartOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? tempDataDir()
  const logs: Array<Record<string, unknown>> = []
  const logFiles: string[] = []
  let child: ChildProcess
  let port = 0

  async function launch(): Promise<void> {
    mkdirSync(OUT, { recursive: true })
    const out = createWriteStream(join(OUT, `server-${process.pid}-${++runs}.log`))
    logFiles.push(out.path as string)
    child = spawn(process.execPath, [options.bin ?? BIN, 'serve', '--host', '127.0.0.1', '--port', String(port), '--data', dataDir, ...(options.args ?? [])], {
      env: { ...process.env, LOG_LEVEL: 'debug', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    child.stderr!.pipe(out)
    const lines = createInterface({ input: child.stdout! })
    const listening = new Promise<number>((resolveListening, reject) => {
      lines.on('line', (line) => {
        out.write(`${line}\n`)
        try {
          const entry = JSON.parse(line) as Record<string, unknown>
          logs.push(entry)
          if (entry.event === 'server.listening') resolveListening(entry.port as number)
        } catch {
          // not a log line; kept in the file only
        }
      })
      child.once('exit', (code) => reject(new Error(`quire exited with ${code} before listening; see ${out.path}`)))
    })
    port = await listening
  }

  const exited = () => new Promise<number | null>((done) => (child.exitCode !== null || child.signalCode !== null ? done(child.exitCode) : child.once('exit', (code) => done(code))))

  await launch()
  const server: TestServer = {
    get url() {
      return `http://127.0.0.1:${port}`
    },
    get wsUrl() {
      return `ws://127.0.0.1:${port}`
    },
    get port() {
      return port
    },
    dataDir,
    logs,
    logFiles,
    async stop() {
      child.kill('SIGTERM')
      return exited()
    },
    async kill(signal = 'SIGKILL') {
      child.kill(signal)
      return exited()
    },
    restart: launch,
  }
  return server
}
