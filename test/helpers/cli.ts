import { spawn } from 'node:child_process'
import { join, resolve } from 'node:path'

const ROOT = resolve(import.meta.dirname, '../..')

/** What a finished `quire` process printed and how it exited. */
export interface Run {
  code: number | null
  stdout: string
  stderr: string
}

/**
 * When the reader of standard output goes away: `'at-once'`, before the command writes anything
 * (`quire ls | true`); `'after-first-chunk'`, once it has read a pipe's worth (`| head -1`).
 */
export type ClosedOutput = 'at-once' | 'after-first-chunk'

/** How a spec watches or cuts a run short, besides its arguments and environment. */
export interface RunOptions {
  closeOutput?: ClosedOutput
  /** Called with each piece of standard error as it comes, while the command still runs. */
  onStderr?: (text: string) => void
}

/** Runs the built `quire` binary to completion, as a user would from a shell. */
export function quire(args: string[], env: Record<string, string> = {}, { closeOutput, onStderr }: RunOptions = {}): Promise<Run> {
  return new Promise((done, fail) => {
    // QUIRE_SECRET and QUIRE_DATA of the developer's shell must not leak into the spec.
    const { QUIRE_SECRET: _s, QUIRE_DATA: _d, ...base } = process.env
    const child = spawn(process.execPath, [join(ROOT, 'bin/quire.js'), ...args], { env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    if (closeOutput === 'at-once') child.stdout.destroy()
    child.stdout.on('data', (chunk) => {
      stdout += chunk
      if (closeOutput === 'after-first-chunk') child.stdout.destroy()
    })
    child.stderr.on('data', (chunk) => {
      stderr += chunk
      onStderr?.(String(chunk))
    })
    child.on('error', fail)
    child.on('close', (code) => done({ code, stdout, stderr }))
  })
}
