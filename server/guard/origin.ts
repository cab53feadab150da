/** The `--allowed-origins` value that lets a page of any origin connect (for embedding on other sites). */
export const ANY_ORIGIN = '*'

/**
 * Whether a browser request from `origin` may reach the server, judged against the
 * `--allowed-origins` list and the request's `Host` header:
 * - no Origin header (a non-browser client): allowed, because Origin only protects browsers from
 *   being used against the server by other sites;
 * - `'*'` in the list: every origin;
 * - a list: exactly its origins;
 * - no list (the default): the server's own origin (the page's host is the Host it asked for) and
 *   loopback origins, so an embed on another local port works while a page on another site
 *   cannot drive a quire on the user's machine.
 */
export function isOriginAllowed(origin: string | undefined, allowed: readonly string[], host: string | undefined): boolean {
  if (origin === undefined) return true
  if (allowed.includes(ANY_ORIGIN)) return true
  if (allowed.length > 0) return allowed.includes(origin)
  const page = parseUrl(origin)
  // Sandboxed frames and file pages send the opaque origin "null": never one of ours.
  if (!page || (page.protocol !== 'http:' && page.protocol !== 'https:')) return false
  if (isLoopbackHostname(page.hostname)) return true
  // Normalised through the page's scheme, so "example.com:443" and "https://example.com" agree.
  return host !== undefined && parseUrl(`${page.protocol}//${host}`)?.host === page.host
}

/**
 * Whether a server bound to loopback should answer a request for `host` (its Host header). A DNS
 * rebinding attack points a name the attacker controls at 127.0.0.1, so the browser sends that
 * name as Host: only loopback names are answered. A request without Host (HTTP/1.0, not a
 * browser) is answered.
 */
export function isHostAllowed(host: string | undefined): boolean {
  if (host === undefined) return true
  const url = parseUrl(`http://${host}`)
  return url !== null && isLoopbackHostname(url.hostname)
}

/**
 * Whether `hostname` (as in a URL, IPv6 in brackets, or as given to `--host`) names this machine:
 * `localhost` and its subdomains (which browsers resolve to loopback themselves), 127.0.0.0/8 and ::1.
 */
export function isLoopbackHostname(hostname: string): boolean {
  const name = hostname.toLowerCase()
  return name === 'localhost' || name.endsWith('.localhost') || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name) || name === '[::1]' || name === '::1'
}

function parseUrl(text: string): URL | null {
  try {
    return new URL(text)
  } catch {
    return null
  }
}
