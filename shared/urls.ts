const SAFE_SCHEMES = new Set(['http', 'https', 'mailto'])

/**
 * Whether a link or image URL may be rendered as live: http(s), mailto, or relative. Browsers
 * ignore tabs, newlines and leading control characters inside a URL (`java\tscript:` runs), so
 * those are removed before the scheme is read; anything with another scheme is refused. So is a URL
 * with `&` before its scheme could end: a browser given it as it is reads a relative path, but
 * whatever decodes character references on the way (an HTML attribute written unescaped, a Markdown
 * renderer) reads `javascript&colon;…` or `&#106;avascript:…` as `javascript:`.
 */
export function isSafeUrl(url: string): boolean {
  const cleaned = url.replace(/[\u0000-\u0020\u007f-\u009f]/g, '')
  if (/^[^:/?#]*&/.test(cleaned)) return false
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(cleaned)
  return scheme === null || SAFE_SCHEMES.has(scheme[1]!.toLowerCase())
}

/** `url` when it is safe to render, else `null` (callers render the text without the link). */
export function safeUrl(url: unknown): string | null {
  return typeof url === 'string' && isSafeUrl(url) ? url : null
}

/** A bare domain, optionally with a path: `example.com`, `www.example.org/a?b`. */
const BARE_DOMAIN = /^[\p{L}\p{N}-]+(\.[\p{L}\p{N}-]+)*\.\p{L}{2,}(:\d+)?([/?#]\S*)?$/u

/**
 * What a person typed into a link box, as the address to store: `example.com` becomes
 * `https://example.com`, as every browser's address bar does; safe URLs and relative paths stay as
 * they are; anything unsafe (`javascript:`), empty or containing spaces is `null`.
 */
export function normalizeHref(input: string): string | null {
  const text = input.trim()
  if (text === '' || /\s/.test(text)) return null
  if (BARE_DOMAIN.test(text)) return `https://${text}`
  if (/^[^\s@/:]+@[^\s@/]+\.[^\s@/]+$/.test(text)) return `mailto:${text}`
  return safeUrl(text)
}

/**
 * The address a pasted text stands for when it is nothing but a link (`https://…`, `mailto:…` or a
 * bare domain), else `null`: only then does pasting over a selection turn it into a link.
 */
export function pastedHref(text: string): string | null {
  const trimmed = text.trim()
  if (/^(https?:\/\/|mailto:)\S+$/i.test(trimmed)) return safeUrl(trimmed)
  return BARE_DOMAIN.test(trimmed) ? `https://${trimmed}` : null
}
