/**
 * An error answer that the HTTP side decides on by itself rather than a document operation (those
 * are `DocsError`s): a route that does not exist, a method a route does not take, a guard or a
 * limit turning a request away. It carries its status, a message meant for the client, and, for
 * a refusal, the `problem` kind under which it is counted (`quire_errors_total{kind}`) and logged:
 * refusals are what a hostile client causes, and an operator sees them there.
 */
export class HttpError extends Error {
  override name = 'HttpError'

  constructor(
    readonly status: number,
    message: string,
    readonly problem: string | null = null,
  ) {
    super(message)
  }
}
