/**
 * Whether a WebSocket upgrade from `origin` is allowed. An empty allow-list allows every origin;
 * requests without an Origin header (non-browser clients) are always allowed, because Origin only
 * protects browsers from being used against the server by other sites.
 */
export function isOriginAllowed(origin: string | undefined, allowed: readonly string[]): boolean {
  return allowed.length === 0 || origin === undefined || allowed.includes(origin)
}
