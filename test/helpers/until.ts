/**
 * Polls `check` until it stops throwing (and returns its value) or `timeout` ms pass, then rethrows
 * its last error. Tests wait for outcomes this way instead of sleeping for a guessed time.
 */
export async function until<T>(check: () => T | Promise<T>, { timeout = 10_000, interval = 20 } = {}): Promise<T> {
  const deadline = Date.now() + timeout
  for (;;) {
    try {
      return await check()
    } catch (error) {
      if (Date.now() > deadline) throw error
      await new Promise((resolve) => setTimeout(resolve, interval))
    }
  }
}
