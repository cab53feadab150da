import { describe, expect, it } from 'vitest'
import { isHostAllowed, isLoopbackHostname, isOriginAllowed } from '../../../server/guard/origin.js'

describe('isOriginAllowed', () => {
  it('allows requests without an Origin (non-browser clients) whatever the list', () => {
    expect(isOriginAllowed(undefined, [], 'quire.example')).toBe(true)
    expect(isOriginAllowed(undefined, ['https://app.example'], 'quire.example')).toBe(true)
  })

  it('by default allows the server’s own origin and loopback origins on any port, and nothing else', () => {
    expect(isOriginAllowed('https://quire.example', [], 'quire.example')).toBe(true)
    expect(isOriginAllowed('https://quire.example', [], 'quire.example:443')).toBe(true)
    expect(isOriginAllowed('http://quire.example:8080', [], 'quire.example:8080')).toBe(true)
    for (const origin of ['http://localhost:5173', 'http://127.0.0.1:9999', 'https://[::1]:8443', 'http://app.localhost:3000']) {
      expect(isOriginAllowed(origin, [], '127.0.0.1:1234')).toBe(true)
    }
    expect(isOriginAllowed('http://evil.example', [], '127.0.0.1:1234')).toBe(false)
    expect(isOriginAllowed('http://quire.example:9000', [], 'quire.example:8080')).toBe(false)
    expect(isOriginAllowed('null', [], '127.0.0.1:1234')).toBe(false)
    expect(isOriginAllowed('file://', [], '127.0.0.1:1234')).toBe(false)
    expect(isOriginAllowed('http://127.0.0.1.evil.example', [], '127.0.0.1:1234')).toBe(false)
  })

  it('with a list allows exactly its origins, and with "*" every origin', () => {
    expect(isOriginAllowed('https://app.example', ['https://app.example'], 'quire.example')).toBe(true)
    expect(isOriginAllowed('http://localhost:5173', ['https://app.example'], 'localhost:1234')).toBe(false)
    expect(isOriginAllowed('http://evil.example', ['*'], '127.0.0.1:1234')).toBe(true)
  })
})

describe('isHostAllowed (a server bound to loopback)', () => {
  it('answers loopback names and requests without a Host', () => {
    for (const host of ['localhost', 'localhost:1234', '127.0.0.1:1234', '127.1.2.3', '[::1]:1234', 'app.localhost:1234', undefined]) expect(isHostAllowed(host)).toBe(true)
  })

  it('refuses any other name, as a DNS-rebinding page would send', () => {
    for (const host of ['evil.example', 'evil.example:1234', '127.0.0.1.evil.example', '', 'a b']) expect(isHostAllowed(host)).toBe(false)
  })
})

describe('isLoopbackHostname', () => {
  it('knows the --host values that bind to loopback', () => {
    for (const host of ['127.0.0.1', 'localhost', '::1', '[::1]']) expect(isLoopbackHostname(host)).toBe(true)
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'quire.example']) expect(isLoopbackHostname(host)).toBe(false)
  })
})
