import { DEFAULTS } from '../shared/defaults.js'
import { LOG_LEVELS, type LogLevel } from './log.js'

/** Everything the server can be configured with, resolved and validated. */
export interface Config {
  port: number
  host: string
  dataDir: string
  maxMessageBytes: number
  /** Largest import body (`PUT /api/docs/<doc>/content`); bigger ones get 413. */
  maxImportBytes: number
  messagesPerSecond: number
  /** Sustained bytes per second a connection may send (bursts: 10 s' worth or two largest messages). */
  bytesPerSecond: number
  /** Largest a document may grow, in bytes of stored updates. */
  maxDocBytes: number
  /** Largest awareness state a client may publish. */
  maxAwarenessBytes: number
  /** Open WebSockets and event streams per client IP. */
  maxConnectionsPerIp: number
  /** Open event streams, all clients together. */
  maxEventStreams: number
  compactAfterUpdates: number
  logLevel: LogLevel
  /** Shared secret of access tokens; when set, every connection needs a valid token. */
  secret: string | null
  /** Origins allowed to open WebSockets; empty means the server's own and loopback origins, `'*'` all. */
  allowedOrigins: string[]
  /** With a secret: the document list, metadata, `/metrics` and `/api/server` need a token too. */
  privateListing: boolean
  /** Redis shared by several instances: documents are stored there and edits cross through it. */
  redisUrl: string | null
  /** A version is recorded once a document has had no edit for this long (ms). */
  versionIdleMs: number
  /** ...and at least this often while editing goes on (ms). */
  versionEveryMs: number
}

/** A configuration value that cannot be used; the CLI prints it and exits 2. */
export class ConfigError extends Error {
  override name = 'ConfigError'
}

/** One configurable setting: its flag, its environment variable, its default and its parser. */
export interface ConfigOption<K extends keyof Config = keyof Config> {
  key: K
  flag: string
  env: string
  description: string
  default: Config[K]
  /** How the default is written in help and the README, when not as `String(default)`. */
  defaultText?: string
  parse: (raw: string, name: string) => Config[K]
}

const integer =
  (min: number, max: number) =>
  (raw: string, name: string): number => {
    const value = Number(raw)
    if (!/^\d+$/.test(raw.trim()) || value < min || value > max) throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`)
    return value
  }

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/** Parses a duration like `2m`, `30s`, `1h` or `500ms` into milliseconds. */
export function parseDuration(raw: string, name: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(raw.trim())
  const ms = match ? Number(match[1]) * DURATION_UNITS[match[2]!]! : Number.NaN
  if (!(ms > 0) || ms > 2 ** 31 - 1) throw new ConfigError(`${name} must be a duration like 30s, 2m or 1h, got "${raw}"`)
  return Math.round(ms)
}

const duration = (text: string) => ({ default: parseDuration(text, 'default'), defaultText: text, parse: parseDuration })

const option = <K extends keyof Config>(o: ConfigOption<K>): ConfigOption => o as unknown as ConfigOption

/**
 * The one table of settings. The CLI derives its flags from it, `resolveConfig` its values, and the
 * README's configuration table is checked against it. Flags win over environment variables, which
 * win over defaults.
 */
export const CONFIG_OPTIONS: readonly ConfigOption[] = [
  option({ key: 'port', flag: '--port <port>', env: 'PORT', description: 'port to listen on (0 picks a free one)', default: DEFAULTS.port, parse: integer(0, 65535) }),
  option({ key: 'host', flag: '--host <host>', env: 'HOST', description: 'interface to listen on', default: DEFAULTS.host, parse: (raw) => raw }),
  option({ key: 'dataDir', flag: '--data <dir>', env: 'QUIRE_DATA', description: 'data directory', default: DEFAULTS.dataDir, parse: (raw) => raw }),
  option({
    key: 'maxMessageBytes',
    flag: '--max-message-bytes <bytes>',
    env: 'QUIRE_MAX_MESSAGE_BYTES',
    description: 'largest WebSocket message accepted',
    default: DEFAULTS.maxMessageBytes,
    parse: integer(1024, 1024 ** 3),
  }),
  option({
    key: 'maxImportBytes',
    flag: '--max-import-bytes <bytes>',
    env: 'QUIRE_MAX_IMPORT_BYTES',
    description: "largest import (PUT of a document's content) accepted; bigger ones get 413",
    default: DEFAULTS.maxImportBytes,
    parse: integer(1024, 1024 ** 3),
  }),
  option({
    key: 'messagesPerSecond',
    flag: '--rate-limit <messages>',
    env: 'QUIRE_RATE_LIMIT',
    description: 'messages per second a connection may send, sustained (bursts up to 10x)',
    default: DEFAULTS.messagesPerSecond,
    parse: integer(1, 10_000_000),
  }),
  option({
    key: 'bytesPerSecond',
    flag: '--byte-rate-limit <bytes>',
    env: 'QUIRE_BYTE_RATE_LIMIT',
    description: 'bytes per second a connection may send, sustained (bursts up to 10x, or two largest messages)',
    default: DEFAULTS.bytesPerSecond,
    parse: integer(1024, 1024 ** 3),
  }),
  option({
    key: 'maxDocBytes',
    flag: '--max-doc-bytes <bytes>',
    env: 'QUIRE_MAX_DOC_BYTES',
    description: 'largest a document may grow; an update past it closes its connection with 4413',
    default: DEFAULTS.maxDocBytes,
    parse: integer(1024, 16 * 1024 ** 3),
  }),
  option({
    key: 'maxAwarenessBytes',
    flag: '--max-awareness-bytes <bytes>',
    env: 'QUIRE_MAX_AWARENESS_BYTES',
    description: 'largest awareness state (name, colour, cursor) a client may publish; bigger ones are dropped',
    default: DEFAULTS.maxAwarenessBytes,
    parse: integer(256, 16 * 1024 ** 2),
  }),
  option({
    key: 'maxConnectionsPerIp',
    flag: '--max-connections-per-ip <count>',
    env: 'QUIRE_MAX_CONNECTIONS_PER_IP',
    description: 'open WebSockets and event streams per client IP address (429 above)',
    default: DEFAULTS.maxConnectionsPerIp,
    parse: integer(1, 10_000_000),
  }),
  option({
    key: 'maxEventStreams',
    flag: '--max-event-streams <count>',
    env: 'QUIRE_MAX_EVENT_STREAMS',
    description: 'open event streams, all clients together (503 above)',
    default: DEFAULTS.maxEventStreams,
    parse: integer(1, 10_000_000),
  }),
  option({
    key: 'compactAfterUpdates',
    flag: '--compact-after <updates>',
    env: 'QUIRE_COMPACT_AFTER',
    description: "merge a document's records once it has this many",
    default: DEFAULTS.compactAfterUpdates,
    parse: integer(2, 1_000_000),
  }),
  option({
    key: 'logLevel',
    flag: '--log-level <level>',
    env: 'LOG_LEVEL',
    description: `log level (${LOG_LEVELS.join(', ')})`,
    default: DEFAULTS.logLevel,
    parse: (raw, name) => {
      if (!(LOG_LEVELS as readonly string[]).includes(raw)) throw new ConfigError(`${name} must be one of ${LOG_LEVELS.join(', ')}, got "${raw}"`)
      return raw as LogLevel
    },
  }),
  option({ key: 'secret', flag: '--secret <secret>', env: 'QUIRE_SECRET', description: 'secret for access tokens (enables access control)', default: null, parse: (raw) => raw || null }),
  option({
    key: 'allowedOrigins',
    flag: '--allowed-origins <origins>',
    env: 'QUIRE_ALLOWED_ORIGINS',
    description: "comma-separated Origins allowed to connect; '*' for any (default: the server's own and loopback origins)",
    default: [],
    parse: (raw) =>
      raw
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
  }),
  option({
    key: 'privateListing',
    flag: '--private-listing',
    env: 'QUIRE_PRIVATE_LISTING',
    description: 'with --secret: the document list, metadata, /metrics and /api/server need a token too',
    default: false,
    parse: (raw, name) => {
      if (!/^(true|1|yes|false|0|no)$/i.test(raw)) throw new ConfigError(`${name} must be true or false, got "${raw}"`)
      return /^(true|1|yes)$/i.test(raw)
    },
  }),
  option({ key: 'versionIdleMs', flag: '--version-idle <duration>', env: 'QUIRE_VERSION_IDLE', description: 'record a version once editing pauses this long', ...duration(DEFAULTS.versionIdle) }),
  option({
    key: 'versionEveryMs',
    flag: '--version-every <duration>',
    env: 'QUIRE_VERSION_EVERY',
    description: 'record a version at least this often while editing goes on',
    ...duration(DEFAULTS.versionEvery),
  }),
  option({
    key: 'redisUrl',
    flag: '--redis-url <url>',
    env: 'REDIS_URL',
    description: 'Redis shared by several instances (store + live relay)',
    default: null,
    // ioredis takes anything for a host name ("notaurl") and fails later, with a stack trace.
    parse: (raw, name) => {
      if (raw === '') return null
      if (!/^rediss?:$/.test(URL.canParse(raw) ? new URL(raw).protocol : '')) throw new ConfigError(`${name} must be a redis:// or rediss:// URL, got "${raw}"`)
      return raw
    },
  }),
]

/** How a message names a setting so it can be changed: `--max-import-bytes or QUIRE_MAX_IMPORT_BYTES`. */
export function settingName(key: keyof Config): string {
  const o = CONFIG_OPTIONS.find((option) => option.key === key)!
  return `${o.flag.split(' ')[0]} or ${o.env}`
}

/**
 * Resolves the configuration from parsed CLI flags (keyed by `Config` key) and the environment.
 * This and the CLI are the only readers of `process.env`; everything else receives a `Config`.
 */
export function resolveConfig(flags: Partial<Record<keyof Config, string>>, env: NodeJS.ProcessEnv = process.env): Config {
  const config: Record<string, unknown> = {}
  for (const o of CONFIG_OPTIONS) {
    const fromFlag = flags[o.key]
    const fromEnv = env[o.env]
    if (fromFlag !== undefined) config[o.key] = o.parse(fromFlag, o.flag.split(' ')[0]!)
    else if (fromEnv !== undefined && fromEnv !== '') config[o.key] = o.parse(fromEnv, o.env)
    else config[o.key] = o.default
  }
  if (config.privateListing && config.secret === null) throw new ConfigError('--private-listing needs a secret (--secret or QUIRE_SECRET): without one there are no tokens to ask for')
  return config as unknown as Config
}
