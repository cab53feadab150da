import { afterEach, describe, expect, it, vi } from 'vitest'
import { createLogger } from '../../server/log.js'
import { LogSummary } from '../../server/log-summary.js'

afterEach(() => {
  vi.useRealTimers()
})

function logged() {
  const lines: Array<Record<string, unknown>> = []
  const log = createLogger('debug', (line) => lines.push(JSON.parse(line) as Record<string, unknown>))
  return { lines, log }
}

describe('LogSummary', () => {
  it('logs the first of a key at once and counts the rest of its window into one line', () => {
    vi.useFakeTimers()
    const { lines, log } = logged()
    const summary = new LogSummary(log, 10_000)
    for (let i = 0; i < 500; i++) summary.warn('access', 'problem', { kind: 'access', message: `refusal ${i}` })
    expect(lines).toMatchObject([{ level: 'warn', event: 'problem', kind: 'access', message: 'refusal 0' }])
    vi.advanceTimersByTime(10_000)
    expect(lines.slice(1)).toMatchObject([{ level: 'warn', event: 'problem.repeated', key: 'access', count: 499, seconds: 10 }])
  })

  it('keeps keys apart, adds no summary when nothing was held back, and logs again in the next window', () => {
    vi.useFakeTimers()
    const { lines, log } = logged()
    const summary = new LogSummary(log, 1_000)
    summary.warn('access', 'problem', { kind: 'access' })
    summary.warn('protocol', 'problem', { kind: 'protocol' })
    vi.advanceTimersByTime(1_000)
    summary.warn('access', 'problem', { kind: 'access' })
    expect(lines.map((l) => `${l.event}:${l.kind}`)).toEqual(['problem:access', 'problem:protocol', 'problem:access'])
  })
})
