import { spawn } from 'node:child_process'
import { resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { describe, expect, it } from 'vitest'
import { tempDataDir } from '../helpers/server.js'

const ROOT = resolve(import.meta.dirname, '../..')

describe('the README quick start', () => {
  it('`npm start` serves the app, the editor page and the embed bundle, and stops cleanly', async () => {
    // PORT=0 instead of 1234 so the test never collides with a quire someone is running.
    const child = spawn('npm', ['start', '--silent'], { cwd: ROOT, env: { ...process.env, PORT: '0', QUIRE_DATA: tempDataDir() }, detached: true, stdio: ['ignore', 'pipe', 'inherit'] })
    const events: string[] = []
    const lines = createInterface({ input: child.stdout! })
    // The output pipe closes when its last writer, the server under npm, has exited.
    const exited = new Promise<void>((done) => lines.once('close', () => done()))
    try {
      const url = await new Promise<string>((done, fail) => {
        lines.on('line', (line) => {
          if (!line.startsWith('{')) return
          const entry = JSON.parse(line) as { event: string; url: string }
          events.push(entry.event)
          if (entry.event === 'server.listening') done(entry.url)
        })
        child.once('exit', (code) => fail(new Error(`npm start exited with ${code}`)))
      })
      const home = await fetch(`${url}/`)
      expect(home.status).toBe(200)
      expect(home.headers.get('content-type')).toMatch(/text\/html/)
      expect((await fetch(`${url}/d/${encodeURIComponent('notes/2024')}`)).status).toBe(200)
      const embed = await fetch(`${url}/embed/quire-editor.js`)
      expect(embed.status).toBe(200)
      expect(embed.headers.get('access-control-allow-origin')).toBe('*')
      expect(await (await fetch(`${url}/healthz`)).json()).toMatchObject({ ok: true })
    } finally {
      process.kill(-child.pid!, 'SIGTERM')
    }
    await exited
    // npm re-raises the signal on itself, so its exit code says nothing; the server's log does.
    expect(events).toContain('server.stopped')
  })
})
