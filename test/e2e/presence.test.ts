import { randomUUID } from 'node:crypto'
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net'
import { describe, expect, it } from 'vitest'
import { openDocPage } from '../helpers/browser.js'
import { connectClient } from '../helpers/client.js'
import { e2eSession } from '../helpers/e2e.js'
import { until } from '../helpers/until.js'

const session = e2eSession()

/**
 * A TCP relay to the server whose `cut()` stops carrying bytes both ways while leaving both
 * sockets open: the connection dies as when a laptop lid shuts or Wi-Fi drops, with no FIN, RST
 * or close frame for either end to notice.
 */
async function blackholeRelay(port: number): Promise<{ url: string; cut(): void; close(): void }> {
  const sockets: Socket[] = []
  const relay: Server = createServer((client) => {
    const upstream = connect(port, '127.0.0.1')
    sockets.push(client, upstream)
    client.pipe(upstream)
    upstream.pipe(client)
  })
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve))
  return {
    url: `ws://127.0.0.1:${(relay.address() as AddressInfo).port}`,
    cut() {
      for (const socket of sockets) {
        socket.unpipe()
        socket.pause()
      }
    },
    close() {
      for (const socket of sockets) socket.destroy()
      relay.close()
    },
  }
}

/** CONTRACT: a peer whose connection died without closing disappears from presence within 15 s. */
const DEAD_PEER_GONE_MS = 15_000

describe('presence that tells the truth', () => {
  it('drops a peer whose connection died without a close, caret and all, within 15 s', async () => {
    const doc = `presence ${randomUUID().slice(0, 8)}`
    const ada = await openDocPage(session.browser, session.server.url, doc, 'Ada')
    await ada.page.locator('.ProseMirror').click()
    await ada.page.keyboard.type('Who is here?')
    const relay = await blackholeRelay(session.server.port)
    const ghost = connectClient(relay.url, doc)
    ghost.provider.awareness.setLocalStateField('user', { name: 'Ghost', color: '#1e88e5' })
    ghost.provider.awareness.setLocalStateField('typing', true)
    const names = () => ada.page.locator('[data-quire="presence"] .quire-person-name').allInnerTexts()
    await until(async () => expect(await names()).toEqual(['Ada (you)', 'Ghost']))
    expect(await ada.page.locator('[data-quire="presence"] [data-typing]').count()).toBe(1)

    relay.cut()
    const cutAt = Date.now()
    await until(async () => expect(await names()).toEqual(['Ada (you)']), { timeout: DEAD_PEER_GONE_MS + 5000, interval: 100 })
    expect(Date.now() - cutAt).toBeLessThan(DEAD_PEER_GONE_MS)
    expect(await ada.page.locator('[data-quire="presence"] [data-typing]').count()).toBe(0)
    // The server let go of the dead socket too: its connection count is back to Ada's alone.
    await until(async () => expect((await (await fetch(`${session.server.url}/api/docs`)).json()).find((d: { name: string }) => d.name === doc)?.clients).toBe(1))
    ghost.destroy()
    relay.close()
    await ada.context.close()
  })

  it('withdraws a closed tab at once while another tab of the same browser stays on the document', async () => {
    const doc = `tabs ${randomUUID().slice(0, 8)}`
    const ada = await openDocPage(session.browser, session.server.url, doc, 'Ada')
    const grace = await openDocPage(session.browser, session.server.url, doc, 'Grace')
    // A second tab of Grace's browser: same storage, same BroadcastChannel scope.
    const secondTab = await grace.context.newPage()
    await secondTab.goto(`${session.server.url}/d/${encodeURIComponent(doc)}?name=Grace`)
    await secondTab.locator('[data-quire="status"][data-state="connected"]').waitFor()
    await secondTab.locator('.ProseMirror').click()
    await secondTab.keyboard.type('From the second tab.')
    const people = () => ada.page.locator('[data-quire="presence"] > *').count()
    await until(async () => expect(await people()).toBe(3))
    await until(async () => expect(await ada.page.locator('.ProseMirror-yjs-cursor').count()).toBe(1))

    // Closing the tab closes its socket, and the server withdraws what that socket introduced: well
    // within the 10 s this waits, where a presence left to awareness' own timeout stays 30 s.
    await secondTab.close()
    await until(async () => expect(await people()).toBe(2))
    expect(await ada.page.locator('.ProseMirror-yjs-cursor').count()).toBe(0)
    await Promise.all([ada.context.close(), grace.context.close()])
  })
})
