import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CONFIG_OPTIONS, ConfigError, resolveConfig } from '../../server/config.js'

describe('resolveConfig', () => {
  it('uses defaults from shared/defaults.ts when nothing is set', () => {
    expect(resolveConfig({}, {})).toMatchObject({ port: 1234, host: '127.0.0.1', dataDir: './data', maxMessageBytes: 16 * 1024 * 1024, secret: null, allowedOrigins: [] })
  })

  it('lets flags win over environment variables', () => {
    expect(resolveConfig({ port: '4000' }, { PORT: '5000', QUIRE_DATA: '/srv/quire' })).toMatchObject({ port: 4000, dataDir: '/srv/quire' })
  })

  it('refuses unusable values with a message naming the setting', () => {
    expect(() => resolveConfig({ port: 'http' }, {})).toThrow(new ConfigError('--port must be a whole number from 0 to 65535, got "http"'))
    expect(() => resolveConfig({}, { LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL must be one of debug, info, warn, error/)
  })

  it('reads version timings as durations', () => {
    expect(resolveConfig({}, {})).toMatchObject({ versionIdleMs: 120_000, versionEveryMs: 600_000 })
    expect(resolveConfig({ versionIdleMs: '30s' }, { QUIRE_VERSION_EVERY: '1h' })).toMatchObject({ versionIdleMs: 30_000, versionEveryMs: 3_600_000 })
    expect(resolveConfig({ versionIdleMs: '200ms' }, {}).versionIdleMs).toBe(200)
    expect(() => resolveConfig({ versionIdleMs: '2 minutes' }, {})).toThrow(/--version-idle must be a duration like 30s, 2m or 1h/)
    expect(() => resolveConfig({}, { QUIRE_VERSION_EVERY: '0s' })).toThrow(/QUIRE_VERSION_EVERY must be a duration/)
  })

  it('takes only redis:// and rediss:// URLs for Redis', () => {
    expect(resolveConfig({ redisUrl: 'redis://127.0.0.1:6379' }, {}).redisUrl).toBe('redis://127.0.0.1:6379')
    expect(resolveConfig({}, { REDIS_URL: 'rediss://user:pw@redis.example:6380/2' }).redisUrl).toBe('rediss://user:pw@redis.example:6380/2')
    expect(() => resolveConfig({ redisUrl: 'notaurl' }, {})).toThrow(new ConfigError('--redis-url must be a redis:// or rediss:// URL, got "notaurl"'))
    expect(() => resolveConfig({}, { REDIS_URL: 'localhost:6379' })).toThrow(new ConfigError('REDIS_URL must be a redis:// or rediss:// URL, got "localhost:6379"'))
  })

  it('splits allowed origins on commas', () => {
    expect(resolveConfig({ allowedOrigins: 'https://a.example, https://b.example' }, {}).allowedOrigins).toEqual(['https://a.example', 'https://b.example'])
  })
})

describe('the README configuration table', () => {
  it('lists exactly the options of server/config.ts with their variables and defaults', () => {
    const readme = readFileSync(resolve(import.meta.dirname, '../../README.md'), 'utf8')
    const table = readme.split('<!-- config-table:start -->')[1]!.split('<!-- config-table:end -->')[0]!
    const rows = table
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .map((line) => line.split('|').map((cell) => cell.trim()))
      .map(([, flag, env, def]) => ({ flag, env, def }))
    const expected = CONFIG_OPTIONS.map((o) => ({
      flag: `\`${o.flag.split(' ')[0]}\``,
      env: `\`${o.env}\``,
      def: o.defaultText !== undefined ? `\`${o.defaultText}\`` : o.default === null ? '(none)' : Array.isArray(o.default) ? '(own + loopback)' : `\`${o.default}\``,
    }))
    expect(rows).toEqual(expected)
  })
})
