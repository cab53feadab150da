import type { Page } from 'playwright-core'

/** What `holdIncoming` installs in the page. */
interface Hold {
  hold(): void
  heldUpdates(): number
  release(): void
}

/**
 * Makes the page's WebSockets able to hold what they receive: while held, messages are queued
 * instead of handed to the page, and `releaseIncoming` delivers them in order. A test can then let
 * two people edit at once for certain (each edits before seeing the other's edit) and decide when
 * each sees the other's. Call it before the page loads; y-websocket reads messages through
 * `onmessage`, which is what is wrapped.
 */
export async function holdIncoming(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const Native = window.WebSocket
    let held: Array<{ update: boolean; deliver: () => void }> | null = null
    const hold: Hold = {
      hold: () => {
        held ??= []
      },
      // A sync message (0) carrying an update (2): a peer's edit relayed by the server.
      heldUpdates: () => held?.filter((message) => message.update).length ?? 0,
      release: () => {
        const queue = held ?? []
        held = null
        for (const message of queue) message.deliver()
      },
    }
    ;(window as unknown as { quireHold: Hold }).quireHold = hold
    window.WebSocket = class extends Native {
      override get onmessage(): WebSocket['onmessage'] {
        return super.onmessage
      }
      override set onmessage(handler: WebSocket['onmessage']) {
        super.onmessage =
          handler &&
          ((event: MessageEvent) => {
            if (held === null) return handler.call(this, event)
            const bytes = new Uint8Array(event.data as ArrayBuffer)
            held.push({ update: bytes[0] === 0 && bytes[1] === 2, deliver: () => handler.call(this, event) })
          })
      }
    }
  })
}

/** From now on the page's WebSockets hold what they receive (see `holdIncoming`). */
export function startHolding(page: Page): Promise<void> {
  return page.evaluate(() => (window as unknown as { quireHold: Hold }).quireHold.hold())
}

/** How many peers' updates the page holds. */
export function heldUpdates(page: Page): Promise<number> {
  return page.evaluate(() => (window as unknown as { quireHold: Hold }).quireHold.heldUpdates())
}

/** Delivers what the page held, in order, and stops holding. */
export function releaseHeld(page: Page): Promise<void> {
  return page.evaluate(() => (window as unknown as { quireHold: Hold }).quireHold.release())
}
