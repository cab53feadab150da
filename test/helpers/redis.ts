import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A real `redis-server` on loopback, started for one test file. */
export interface TestRedis {
  url: string
  stop(): Promise<void>
  /** Starts it again after `stop`, on the same port and data dir. */
  start(): Promise<void>
  /** Stops it (SIGTERM) and starts it again on the same port and data dir. */
  restart(): Promise<void>
}

/** How a test Redis keeps its data. */
export interface RedisOptions {
  /**
   * Keep an append-only file synced on every write, in a temp dir, so a restart keeps every
   * acknowledged write (what the README asks of a production Redis). Default: no persistence.
   */
  durable?: boolean
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })

/** Starts `redis-server` (Debian's `redis-server` package) on a free port and waits until it answers. */
export async function startRedis(options: RedisOptions = {}): Promise<TestRedis> {
  const port = await freePort()
  const persistence = options.durable ? ['--dir', mkdtempSync(join(tmpdir(), 'quire-redis-')), '--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']
  let child: ChildProcess
  const launch = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', ...persistence], { stdio: ['ignore', 'pipe', 'inherit'] })
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject)
      child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}`)))
      child.stdout!.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('Ready to accept connections')) resolve()
      })
    })
  }
  const stop = () =>
    new Promise<void>((resolve) => {
      child.once('exit', () => resolve())
      child.kill('SIGTERM')
    })
  await launch()
  return {
    url: `redis://127.0.0.1:${port}`,
    stop,
    start: launch,
    async restart() {
      await stop()
      await launch()
    },
  }
}
