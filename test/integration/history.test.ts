import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { prosemirrorToYXmlFragment } from 'y-prosemirror'
import type * as Y from 'yjs'
import { mintToken } from '../../server/guard/access.js'
import { toNode } from '../../shared/content/ydoc.js'
import type { VersionInfo } from '../../shared/versions.js'
import { b } from '../fixtures/sample.js'
import { quire } from '../helpers/cli.js'
import { connectClient, type TestClient } from '../helpers/client.js'
import { subscribe } from '../helpers/events.js'
import { startServer, type TestServer } from '../helpers/server.js'
import { until } from '../helpers/until.js'

const ada = { name: 'Ada', color: '#e91e63' }
const bob = { name: 'Bob', color: '#2196f3' }
// Versions after a short pause, so the spec does not wait minutes; never one by the interval.
const TIMING = ['--version-idle', '300ms', '--version-every', '1h']
const SLOW = { timeout: 60_000 }

function person(server: TestServer, doc: string, user: typeof ada): Promise<TestClient> {
  const client = connectClient(server.wsUrl, doc)
  client.provider.awareness.setLocalStateField('user', user)
  return client.synced().then(() => client)
}

/** Appends `text` to the first paragraph, as typing at its end does. */
function typeAtEnd(client: TestClient, text: string): void {
  const paragraph = client.doc.getXmlFragment('prosemirror').get(0) as Y.XmlElement
  const content = paragraph.get(0) as Y.XmlText
  content.insert(content.length, text)
}

describe('version history', SLOW, () => {
  let server: TestServer
  const clients: TestClient[] = []
  const api = (path: string, init?: RequestInit) => fetch(`${server.url}/api/docs/essay${path}`, init)
  const versions = async () => (await (await api('/versions')).json()) as VersionInfo[]
  const run = (...args: string[]) => quire([...args, '--data', server.dataDir])

  beforeAll(async () => {
    server = await startServer({ args: TIMING })
  })
  afterAll(async () => {
    for (const client of clients) client.destroy()
    await server.stop()
  })

  it('records a version per pause in editing, naming who edited', async () => {
    const a = await person(server, 'essay', ada)
    const bo = await person(server, 'essay', bob)
    clients.push(a, bo)
    prosemirrorToYXmlFragment(b.doc(b.p('Ada wrote this.')), a.doc.getXmlFragment('prosemirror'))
    const first = await until(async () => {
      const list = await versions()
      expect(list).toHaveLength(1)
      return list[0]!
    })
    expect(first).toMatchObject({ auto: true, label: null, authors: [ada] })
    await until(() => expect(toNode(bo.doc).textContent).toBe('Ada wrote this.'))
    typeAtEnd(bo, ' Bob added this.')
    const list = await until(async () => {
      const all = await versions()
      expect(all).toHaveLength(2)
      return all
    })
    expect(list[0]).toMatchObject({ auto: true, authors: [bob] })
    expect(list[0]!.id).toBeGreaterThan(first.id)
    expect(new Date(list[0]!.at).getTime()).toBeGreaterThanOrEqual(new Date(first.at).getTime())
  })

  it('lists the versions with both authors on the CLI, through the running server', async () => {
    const history = await run('history', 'essay', '--json', '--verbose')
    expect(history.stderr).toContain('using the server')
    const listed = JSON.parse(history.stdout) as VersionInfo[]
    expect(listed.flatMap((v) => v.authors.map((a) => a.name)).sort()).toEqual(['Ada', 'Bob'])
    const table = await run('history', 'essay')
    expect(table.stdout.split('\n').filter(Boolean)).toHaveLength(2)
    expect(table.stdout).toContain('Bob')
  })

  it('shows an earlier version in every format, and diffs it against the current content', async () => {
    const [, first] = await versions()
    expect((await run('show', 'essay', '--version', String(first!.id), '--format', 'text')).stdout).toBe('Ada wrote this.\n')
    expect(await (await api(`/versions/${first!.id}/content?format=html`)).text()).toBe('<p>Ada wrote this.</p>\n')
    expect(await (await api(`/versions/${first!.id}/content?format=json`)).json()).toEqual({ type: 'doc', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Ada wrote this.' }] }] })
    const diff = await run('diff', 'essay', String(first!.id))
    expect(diff.stdout).toContain(`--- essay (version ${first!.id})`)
    expect(diff.stdout).toContain('+++ essay (current)')
    expect(diff.stdout).toContain('-Ada wrote this.')
    expect(diff.stdout).toContain('+Ada wrote this. Bob added this.')
    const [second] = await versions()
    expect(await (await api(`/versions/${first!.id}/diff?to=${second!.id}`)).text()).toBe(diff.stdout.replace('(current)', `(version ${second!.id})`))
    expect((await api(`/versions/${first!.id}/diff`)).headers.get('content-type')).toContain('text/plain')
  })

  it('records a named version on demand, even when nothing changed', async () => {
    const before = (await versions()).length
    const res = await api('/versions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ label: 'Submitted draft' }) })
    expect(res.status).toBe(201)
    expect(await res.json()).toMatchObject({ label: 'Submitted draft', auto: false })
    const cli = await run('checkpoint', 'essay', '--label', 'Second name')
    expect(cli.stdout.trim()).toMatch(/^\d+$/)
    expect(await versions()).toHaveLength(before + 2)
    expect((await versions())[0]).toMatchObject({ id: Number(cli.stdout.trim()), label: 'Second name' })
  })

  it('refuses a label of more than one line or over 200 characters with a 400 JSON error, recording nothing', async () => {
    const before = await versions()
    const post = (label: string) => api('/versions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ label }) })
    for (const [label, error] of [
      ['a\nb', 'a version label is one line, without line breaks, tabs or other control characters'],
      ['x'.repeat(201), 'a version label is at most 200 characters; this one has 201'],
    ]) {
      const res = await post(label!)
      expect(res.status).toBe(400)
      expect(await res.json()).toEqual({ error })
    }
    expect(await versions()).toEqual(before)
  })

  it('restores a version live to connected editors, recording the content before it first', async () => {
    const list = await versions()
    const first = list.at(-1)!
    const restored = await run('restore', 'essay', String(first.id))
    expect(restored.code).toBe(0)
    for (const client of clients) await until(() => expect(toNode(client.doc).textContent).toBe('Ada wrote this.'))
    const after = await versions()
    const pre = after.find((v) => v.label === `Before restoring version ${first.id}`)!
    expect(restored.stdout).toContain(`version ${pre.id}`)
    expect((await run('show', 'essay', '--version', String(pre.id), '--format', 'text')).stdout).toBe('Ada wrote this. Bob added this.\n')
    const again = await api(`/versions/${pre.id}/restore`, { method: 'POST' })
    expect(again.status).toBe(200)
    expect(await again.json()).toMatchObject({ auto: true, label: `Before restoring version ${pre.id}` })
    for (const client of clients) await until(() => expect(toNode(client.doc).textContent).toBe('Ada wrote this. Bob added this.'))
  })

  it('tells event-stream listeners of each new version', async () => {
    const stream = await subscribe(`${server.url}/api/docs/essay/events`)
    await api('/versions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ label: 'Watched' }) })
    await until(() => expect(stream.events.find((e) => e.event === 'version')?.data).toMatchObject({ doc: 'essay', version: { label: 'Watched', auto: false } }))
    await stream.close()
  })

  it('answers 404 for an unknown version or document and 400 for a bad id; the CLI exits 1 or 2', async () => {
    expect((await api('/versions/999/content')).status).toBe(404)
    expect((await api('/versions/999/restore', { method: 'POST' })).status).toBe(404)
    expect((await api('/versions/abc/content')).status).toBe(400)
    expect((await fetch(`${server.url}/api/docs/nope/versions`)).status).toBe(404)
    const unknown = await run('show', 'essay', '--version', '999')
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toBe('quire: document "essay" has no version 999\n')
    expect((await run('diff', 'essay', 'first')).code).toBe(2)
  })

  it("keeps every version through compaction, a restart, SIGKILL and the CLI on the stopped server's data dir", async () => {
    const before = await versions()
    const texts = await Promise.all(before.map(async (v) => (await api(`/versions/${v.id}/content?format=text`)).text()))
    expect((await api('/compact', { method: 'POST' })).status).toBe(200)
    for (const client of clients.splice(0)) client.destroy()
    await server.stop()
    expect(JSON.parse((await run('history', 'essay', '--json')).stdout)).toEqual(before)
    for (const [i, v] of before.entries()) expect((await run('show', 'essay', '--version', String(v.id), '--format', 'text')).stdout).toBe(texts[i])
    expect((await run('compact', 'essay')).code).toBe(0)
    const checkpoint = await run('checkpoint', 'essay', '--label', 'Offline')
    expect(checkpoint.code).toBe(0)
    await server.restart()
    const after = await versions()
    expect(after.slice(1)).toEqual(before)
    expect(after[0]).toMatchObject({ id: Number(checkpoint.stdout.trim()), label: 'Offline' })
    for (const [i, v] of before.entries()) expect(await (await api(`/versions/${v.id}/content?format=text`)).text()).toBe(texts[i])
    const named = (await (await api('/versions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ label: 'Just before the crash' }) })).json()) as VersionInfo
    await server.kill('SIGKILL')
    await server.restart()
    expect((await versions())[0]).toEqual(named)
  })

  it('diffs, exports and restores versions from the CLI with the server stopped', async () => {
    const oldest = (await versions()).at(-1)!
    const current = await (await fetch(`${server.url}/api/docs/essay/content?format=markdown`)).text()
    await server.stop()
    const diff = await run('diff', 'essay', String(oldest.id))
    expect(diff.code).toBe(0)
    expect(diff.stdout).toContain(`--- essay (version ${oldest.id})`)
    const file = join(server.dataDir, 'oldest.txt')
    expect((await run('export', 'essay', '--version', String(oldest.id), '-o', file)).code).toBe(0)
    expect(readFileSync(file, 'utf8')).toBe('Ada wrote this.\n')
    const restored = await run('restore', 'essay', String(oldest.id))
    expect(restored.code).toBe(0)
    await server.restart()
    expect(await (await fetch(`${server.url}/api/docs/essay/content?format=text`)).text()).toBe('Ada wrote this.\n')
    const pre = (await versions()).find((v) => restored.stdout.includes(`version ${v.id}\n`))!
    expect(pre.label).toBe(`Before restoring version ${oldest.id}`)
    expect(await (await api(`/versions/${pre.id}/content?format=markdown`)).text()).toBe(current)
  })

  it('removes the versions with the document', async () => {
    expect((await run('rm', 'essay')).code).toBe(0)
    expect((await api('/versions')).status).toBe(404)
    const client = await person(server, 'essay', ada)
    prosemirrorToYXmlFragment(b.doc(b.p('A new essay.')), client.doc.getXmlFragment('prosemirror'))
    const fresh = await until(async () => {
      const list = await versions()
      expect(list).toHaveLength(1)
      return list
    })
    expect(fresh[0]!.id).toBe(1)
    client.destroy()
  })
})

describe('version routes with access control', SLOW, () => {
  const SECRET = 'history secret'
  let server: TestServer
  beforeAll(async () => {
    server = await startServer({ env: { QUIRE_SECRET: SECRET }, args: TIMING })
    await quire(['checkpoint', 'guarded', '--data', server.dataDir], { QUIRE_SECRET: SECRET })
    const write = await mintToken(SECRET, { doc: 'guarded', write: true, ttlSeconds: 60 })
    await fetch(`${server.url}/api/docs/guarded/content?format=text`, { method: 'PUT', body: 'hello', headers: { authorization: `Bearer ${write}` } })
  })
  afterAll(async () => {
    await server.stop()
  })

  it('needs read access to read versions and write access to record or restore them', async () => {
    const read = await mintToken(SECRET, { doc: 'guarded', write: false, ttlSeconds: 60 })
    const write = await mintToken(SECRET, { doc: 'guarded', write: true, ttlSeconds: 60 })
    const other = await mintToken(SECRET, { doc: 'other', write: true, ttlSeconds: 60 })
    const call = (method: string, path: string, token?: string) =>
      fetch(`${server.url}/api/docs/guarded${path}`, { method, headers: token ? { authorization: `Bearer ${token}` } : {} }).then((res) => res.status)
    expect(await call('GET', '/versions')).toBe(401)
    expect(await call('GET', '/versions', other)).toBe(403)
    expect(await call('POST', '/versions', write)).toBe(201)
    const [newest] = (await (await fetch(`${server.url}/api/docs/guarded/versions?token=${read}`)).json()) as VersionInfo[]
    for (const path of [`/versions/${newest!.id}/content`, `/versions/${newest!.id}/diff`]) {
      expect(await call('GET', path)).toBe(401)
      expect(await call('GET', path, read)).toBe(200)
    }
    expect(await call('POST', '/versions', read)).toBe(403)
    expect(await call('POST', `/versions/${newest!.id}/restore`, read)).toBe(403)
    expect(await call('POST', `/versions/${newest!.id}/restore`, write)).toBe(200)
  })
})
