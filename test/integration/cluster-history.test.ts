import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import type { VersionInfo } from '../../shared/versions.js'
import { connectClient, type TestClient } from '../helpers/client.js'
import { subscribe } from '../helpers/events.js'
import { startRedis, type TestRedis } from '../helpers/redis.js'
import { startServer, type TestServer } from '../helpers/server.js'
import { until } from '../helpers/until.js'

let redis: TestRedis
/** Two instances that record a version 300 ms into a pause, and two that would wait an hour. */
let instances: [TestServer, TestServer, TestServer, TestServer]
const clients: TestClient[] = []

beforeAll(async () => {
  redis = await startRedis()
  const start = (idle: string) => startServer({ env: { REDIS_URL: redis.url }, args: ['--version-idle', idle, '--version-every', '1h'] })
  instances = await Promise.all([start('300ms'), start('300ms'), start('1h'), start('1h')])
})
afterAll(async () => {
  for (const client of clients) client.destroy()
  await Promise.all(instances.map((i) => i.stop()))
  await redis.stop()
})

const on = (instance: number, doc: string, path = '', init?: RequestInit) => fetch(`${instances[instance]!.url}/api/docs/${doc}/versions${path}`, init)
const list = async (instance: number, doc: string) => (await (await on(instance, doc)).json()) as VersionInfo[]
const textOf = async (instance: number, doc: string, id: number) => (await on(instance, doc, `/${id}/content?format=text`)).text()

async function editor(instance: number, doc: string, name: string): Promise<TestClient> {
  const client = connectClient(instances[instance]!.wsUrl, doc)
  clients.push(client)
  client.provider.awareness.setLocalStateField('user', { name, color: '#336699' })
  await client.synced()
  return client
}

describe('version history on two instances sharing one Redis', () => {
  it('records every checkpoint asked of either instance at once, each under its own id', async () => {
    const writer = await editor(0, 'both', 'Ada')
    writer.doc.getXmlFragment('prosemirror').insert(0, [new Y.XmlElement('paragraph')])
    await until(async () => expect((await fetch(`${instances[1].url}/api/docs/both`)).status).toBe(200))
    const asked = Array.from({ length: 10 }, (_, i) => on(i % 2, 'both', '', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ label: `named ${i}` }) }))
    const answers = await Promise.all(asked)
    expect(answers.map((res) => res.status)).toEqual(Array(10).fill(201))
    const ids = (await Promise.all(answers.map((res) => res.json() as Promise<VersionInfo>))).map((v) => v.id)
    expect(new Set(ids).size).toBe(10)
    const [fromA, fromB] = [await list(0, 'both'), await list(1, 'both')]
    expect(fromA).toEqual(fromB)
    expect(
      fromA
        .filter((v) => v.label?.startsWith('named '))
        .map((v) => v.label)
        .sort(),
    ).toEqual(Array.from({ length: 10 }, (_, i) => `named ${i}`).sort())
  })

  it('records one version of a state that both instances are asked to record at once, and restores through either', async () => {
    const ada = await editor(0, 'paper', 'Ada')
    const bob = await editor(1, 'paper', 'Bob')
    const paragraph = new Y.XmlElement('paragraph')
    paragraph.insert(0, [new Y.XmlText('Ada and ')])
    ada.doc.getXmlFragment('prosemirror').insert(0, [paragraph])
    await until(() => expect(bob.doc.getXmlFragment('prosemirror').length).toBe(1))
    const text = (bob.doc.getXmlFragment('prosemirror').get(0) as Y.XmlElement).get(0) as Y.XmlText
    text.insert(text.length, 'Bob')
    await until(async () => expect(await (await fetch(`${instances[0].url}/api/docs/paper/content?format=text`)).text()).toBe('Ada and Bob\n'))
    const before = await list(0, 'paper')
    // Unnamed checkpoints record only a change: asked of both at once, one records it and the
    // other finds it recorded (or both find the pause's automatic version), never two copies.
    const [a, b] = await Promise.all([0, 1].map(async (i) => (await on(i, 'paper', '', { method: 'POST' })).json() as Promise<VersionInfo>))
    expect(a!.id).toBe(b!.id)
    const after = await list(1, 'paper')
    expect(after.length - before.length).toBeLessThanOrEqual(1)
    expect(await textOf(1, 'paper', a!.id)).toBe('Ada and Bob\n')
    // Each instance names its own editor, on a version of its own or on the other's.
    await until(async () => expect((await list(0, 'paper')).flatMap((v) => v.authors.map((author) => author.name)).sort()).toEqual(['Ada', 'Bob']))
    const texts = await Promise.all(after.map((v) => textOf(1, 'paper', v.id)))
    for (let i = 1; i < texts.length; i++) expect(texts[i]).not.toBe(texts[i - 1])

    const first = after.at(-1)!
    expect((await on(1, 'paper', `/${first.id}/restore`, { method: 'POST' })).status).toBe(200)
    const restored = texts.at(-1)!.trimEnd()
    const adaText = () => ((ada.doc.getXmlFragment('prosemirror').get(0) as Y.XmlElement | undefined)?.get(0) as Y.XmlText | undefined)?.toString() ?? ''
    await until(() => expect(adaText()).toBe(restored))
  })

  it('records the pending edits of a document renamed on another instance under its new name, with their authors', async () => {
    const ada = await editor(2, 'draft', 'Ada')
    const bob = await editor(3, 'draft', 'Bob')
    ada.doc.getXmlFragment('prosemirror').insert(0, [new Y.XmlElement('paragraph')])
    await until(() => expect(bob.doc.getXmlFragment('prosemirror').length).toBe(1))
    bob.doc.getXmlFragment('prosemirror').insert(1, [new Y.XmlElement('paragraph')])
    await until(async () => expect(await (await fetch(`${instances[2].url}/api/docs/draft/content?format=text`)).text()).toBe('\n\n'))
    // Neither instance has recorded anything yet: both pauses would last an hour.
    expect(await list(2, 'draft')).toEqual([])
    const renamed = await fetch(`${instances[2].url}/api/docs/draft/rename`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ to: 'final' }) })
    expect(renamed.status).toBe(200)
    // Bob's instance hears of the rename from the cluster and records his edits where they went.
    await until(async () => expect((await list(3, 'final')).flatMap((v) => v.authors.map((author) => author.name)).sort()).toEqual(['Ada', 'Bob']))
    expect((await on(3, 'draft')).status).toBe(404)
  })

  it('tells history panels watching either instance of a version recorded through the other, the document open there or not', async () => {
    const writer = await editor(2, 'watched', 'Ada')
    writer.doc.getXmlFragment('prosemirror').insert(0, [new Y.XmlElement('paragraph')])
    await until(async () => expect((await fetch(`${instances[3].url}/api/docs/watched`)).status).toBe(200))
    // A history panel on the instance its editor uses, and a dashboard on one without the document open.
    const [here, elsewhere] = [await subscribe(`${instances[2].url}/api/docs/watched/events`), await subscribe(`${instances[1].url}/api/docs/watched/events`)]
    const res = await on(3, 'watched', '', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ label: 'from afar' }) })
    const version = (await res.json()) as VersionInfo
    for (const stream of [here, elsewhere]) await until(() => expect(stream.events).toContainEqual({ id: expect.any(String), event: 'version', data: { doc: 'watched', version } }))
    await Promise.all([here.close(), elsewhere.close()])
  })
})
