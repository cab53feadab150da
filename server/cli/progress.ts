/** A one-line status shown while long work runs. */
export interface Progress {
  /** Replaces the status line with `text`. */
  show(text: string): void
  /** Clears the status line, leaving the terminal as it was. */
  done(): void
}

/**
 * A status line on `stream` when it is a terminal, and nothing otherwise, so piped or logged
 * output never fills with carriage returns.
 */
export function progress(stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return { show() {}, done() {} }
  let shown = false
  return {
    show(text) {
      // Cut to the terminal's width: a wrapped line could not be overwritten by the next one.
      stream.write(`\r\x1b[2K${text.slice(0, (stream.columns || 80) - 1)}`)
      shown = true
    },
    done() {
      if (shown) stream.write('\r\x1b[2K')
      shown = false
    },
  }
}
