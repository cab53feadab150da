const SAFE_SCHEMES = new Set(['http', 'https', 'mailto'])

/**
 * Whether a link or image URL may be rendered as live: http(s), mailto, or relative. Browsers
 * ignore tabs, newlines and leading control characters inside a URL (`java\tscript:` runs), so
 * those are removed before the scheme is read; anything with another scheme is refused.
 */
export function isSafeUrl(url: string): boolean {
  const cleaned = url.replace(/[\u0000-\u0020\u007f-\u009f]/g, '')
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(cleaned)
  return scheme === null || SAFE_SCHEMES.has(scheme[1]!.toLowerCase())
}

/** `url` when it is safe to render, else `null` (callers render the text without the link). */
export function safeUrl(url: unknown): string | null {
  return typeof url === 'string' && isSafeUrl(url) ? url : null
}
