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
})
