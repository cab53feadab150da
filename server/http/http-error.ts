/**
 * An error answer that the HTTP side decides on by itself rather than a document operation (those
 * are `DocsError`s): a route that does not exist, a method a route does not take. It carries its
 * status, and its message is meant for the client.
 */
export class HttpError extends Error {
  override name = 'HttpError'

  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}
