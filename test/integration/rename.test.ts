import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { prosemirrorToYXmlFragment } from 'y-prosemirror'
import { mintToken } from '../../server/guard/access.js'
import { toNode } from '../../shared/content/ydoc.js'
import { CloseCode } from '../../shared/protocol.js'
import { b } from '../fixtures/sample.js'
import { connectClient } from '../helpers/client.js'
import { startServer, type TestServer } from '../helpers/server.js'
import { until } from '../helpers/until.js'

const SECRET = 'rename-secret'
let server: TestServer
let guarded: TestServer
beforeAll(async () => {
  ;[server, guarded] = await Promise.all([startServer(), startServer({ env: { QUIRE_SECRET: SECRET } })])
})
afterAll(async () => {
  await Promise.all([server.stop(), guarded.stop()])
})

const docUrl = (base: TestServer, doc: string) => `${base.url}/api/docs/${encodeURIComponent(doc)}`
const rename = (base: TestServer, from: string, to: unknown, headers: Record<string, string> = {}) =>
  fetch(`${docUrl(base, from)}/rename`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ to }) })

describe('POST /api/docs/<doc>/rename', () => {
  it('closes the connected official client with 4404 "renamed to <to>"; the new name has the content and the old versions', async () => {
    const client = connectClient(server.wsUrl, 'draft')
    await client.synced()
    prosemirrorToYXmlFragment(b.doc(b.p('Moving house.')), client.doc.getXmlFragment('prosemirror'))
    await until(async () => expect(await (await fetch(`${docUrl(server, 'draft')}/content?format=text`)).text()).toBe('Moving house.\n'))
    const checkpoint = await fetch(`${docUrl(server, 'draft')}/versions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ label: 'Before' }) })
    expect(checkpoint.status).toBe(201)
    const versions = await (await fetch(`${docUrl(server, 'draft')}/versions`)).json()

    const closed = client.closed()
    const res = await rename(server, 'draft', 'final/2026')
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ name: 'final/2026', clients: 0 })
    expect(await closed).toEqual({ code: CloseCode.documentDeleted, reason: 'renamed to final/2026' })
    expect(client.provider.shouldConnect).toBe(false)
    client.destroy()

    expect(await (await fetch(`${docUrl(server, 'final/2026')}/content?format=text`)).text()).toBe('Moving house.\n')
    expect(await (await fetch(`${docUrl(server, 'final/2026')}/versions`)).json()).toEqual(versions)
    const gone = await fetch(docUrl(server, 'draft'))
    expect(gone.status).toBe(404)
    expect(await gone.json()).toMatchObject({ error: expect.stringMatching(/^document "draft" was renamed to "final\/2026"/), renamedTo: 'final/2026' })
    expect(((await (await fetch(`${server.url}/api/docs`)).json()) as Array<{ name: string }>).map((d) => d.name)).toEqual(['final/2026'])

    // Editors on the new name carry on with it.
    const next = connectClient(server.wsUrl, 'final/2026')
    await next.synced()
    expect(toNode(next.doc).textContent).toBe('Moving house.')
    next.destroy()
  })

  it('refuses a name that exists (409), a bad new name (400) and an unknown document (404)', async () => {
    for (const doc of ['a', 'b']) await fetch(`${docUrl(server, doc)}/content?format=text`, { method: 'PUT', body: doc })
    const taken = await rename(server, 'a', 'b')
    expect(taken.status).toBe(409)
    expect(await taken.json()).toEqual({ error: 'a document named "b" exists already' })
    expect((await rename(server, 'a', 'bad\u0007name')).status).toBe(400)
    expect((await rename(server, 'a', 42)).status).toBe(400)
    expect((await rename(server, 'a', 'a')).status).toBe(400)
    expect((await rename(server, 'nobody', 'c')).status).toBe(404)
    // An editor open on a name nobody wrote to has no document to rename: it stays connected.
    const idle = connectClient(server.wsUrl, 'unwritten')
    await idle.synced()
    expect((await rename(server, 'unwritten', 'c')).status).toBe(404)
    idle.doc.getText('t').insert(0, 'still here')
    await until(async () => expect((await fetch(docUrl(server, 'unwritten'))).status).toBe(200))
    expect(idle.provider.wsconnected).toBe(true)
    idle.destroy()
    expect(await (await fetch(`${docUrl(server, 'a')}/content?format=text`)).text()).toBe('a\n')
  })

  it('needs write access to both names when access control is on', async () => {
    const auth = async (doc: string, write = true) => ({ authorization: `Bearer ${await mintToken(SECRET, { doc, write, ttlSeconds: 60 })}` })
    expect((await fetch(`${docUrl(guarded, 'mine')}/content?format=text`, { method: 'PUT', body: 'mine', headers: await auth('mine') })).status).toBe(200)
    expect((await rename(guarded, 'mine', 'theirs', await auth('mine'))).status).toBe(403)
    expect((await rename(guarded, 'mine', 'theirs', await auth('*', false))).status).toBe(403)
    expect((await rename(guarded, 'mine', 'theirs')).status).toBe(401)
    expect((await rename(guarded, 'mine', 'theirs', await auth('*'))).status).toBe(200)
    expect(await (await fetch(`${docUrl(guarded, 'theirs')}/content?format=text`, { headers: await auth('theirs', false) })).text()).toBe('mine\n')
  })
})
