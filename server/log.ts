/** Log levels, least to most severe. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

/** Fields of one log event; values must be JSON-serialisable. */
export type LogFields = Record<string, unknown>

/**
 * Structured logs: one JSON object per line with `time`, `level`, `event` and the event's fields.
 * Events are named (`doc.loaded`, `conn.closed`), not sentences, so they can be counted and grepped.
 */
export interface Logger {
  debug(event: string, fields?: LogFields): void
  info(event: string, fields?: LogFields): void
  warn(event: string, fields?: LogFields): void
  error(event: string, fields?: LogFields): void
}

/** A logger that writes events at `level` or above through `write` (standard output by default). */
export function createLogger(level: LogLevel, write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Logger {
  const threshold = LOG_LEVELS.indexOf(level)
  const at =
    (name: LogLevel) =>
    (event: string, fields: LogFields = {}): void => {
      if (LOG_LEVELS.indexOf(name) < threshold) return
      write(JSON.stringify({ time: new Date().toISOString(), level: name, event, ...fields }))
    }
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
}
