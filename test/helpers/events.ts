import { expect } from 'vitest'

/** One Server-Sent Event as `EventSource` hands it over. */
export interface ServerEvent {
  id: string
  event: string
  data: Record<string, unknown>
}

/**
 * Reads an event stream (`/api/events`, `/api/docs/<doc>/events`) the way `EventSource` does,
 * collecting what arrives: for a spec to wait on with `until`.
 */
export async function subscribe(url: string, lastEventId?: string) {
  const abort = new AbortController()
  const res = await fetch(url, { signal: abort.signal, headers: lastEventId ? { 'last-event-id': lastEventId } : {} })
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toContain('text/event-stream')
  const events: ServerEvent[] = []
  const reading = (async () => {
    const reader = res.body!.getReader()
    const decoder = new TextDecoder()
    let pending = ''
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return
      pending += decoder.decode(value, { stream: true })
      let end: number
      while ((end = pending.indexOf('\n\n')) !== -1) {
        const fields = new Map(
          pending
            .slice(0, end)
            .split('\n')
            .filter((line) => !line.startsWith(':'))
            .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)] as const),
        )
        pending = pending.slice(end + 2)
        const event = fields.get('event')
        if (event) events.push({ id: fields.get('id') ?? '', event, data: JSON.parse(fields.get('data') ?? 'null') })
      }
    }
  })().catch(() => undefined)
  return {
    events,
    /** Resolves when the server ends the stream. */
    ended: reading,
    close: async () => {
      abort.abort()
      await reading
    },
  }
}
