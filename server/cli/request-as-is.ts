import { request } from 'node:http'

/** What `requestAsIs` sends besides the method and path. */
export interface RequestParts {
  headers: Record<string, string>
  body?: string
}

/**
 * Sends one HTTP request to the server at `baseUrl` with `path` exactly as given, and resolves with
 * its answer as a fetch `Response` (body read in full). `fetch` cannot be used for document paths:
 * WHATWG URL parsing removes dot-segments, `%2E` and `%2e%2E` included, so the one segment of a
 * document named `.` or `..` would vanish and the request reach another document's route.
 * Rejects only when no answer came (connection refused, reset before the status line).
 */
export function requestAsIs(baseUrl: string, method: string, path: string, { headers, body }: RequestParts): Promise<Response> {
  return new Promise((resolve, reject) => {
    let answered = false
    const req = request(baseUrl, { method, path, headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      answered = true
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('error', reject)
      res.on('end', () => {
        const bytes = Buffer.concat(chunks)
        const answer = new Headers()
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) answer.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!)
        // A Response cannot carry a body for 204 and the like, even an empty one.
        resolve(new Response(bytes.length === 0 ? null : bytes, { status: res.statusCode, statusText: res.statusMessage, headers: answer }))
      })
    })
    // A server that refuses a body (413) may answer and close before all of it was sent: the
    // answer, which has come by then, is what counts, not the write that failed after it.
    req.on('error', (error) => (answered ? undefined : reject(error)))
    req.end(body)
  })
}
