import { docNameProblem } from '../shared/doc-name.js'
import { MAX_PRESENCE_NAME, type PresenceUser } from '../shared/presence.js'
import { toHexColor } from './color.js'

/** Who is editing, as others see them next to the caret and in the presence list. */
export interface EditorUser {
  /** Non-empty; longer than 64 characters is cut. */
  name: string
  /**
   * Any opaque CSS colour (`#e91e63`, `#e16`, `teal`, `rgb(…)`, `hsl(…)`); it travels as the
   * `#rrggbb` the browser reads it as. Translucent colours are refused.
   */
  color: string
}

/** How to open a document: where, which one, as whom, and with what rights. */
export interface EditorOptions {
  /** The quire server's WebSocket URL, e.g. `ws://localhost:1234` (`wss://` behind TLS). */
  url: string
  /** The document name; any valid name, including ones with `/` or spaces. */
  doc: string
  /** Shown to others next to this user's caret and in their presence list. */
  user: EditorUser
  /** Access token, sent as `?token=` when the server requires one; `setToken` replaces it. */
  token?: string
  /** View only: the document cannot be edited and nothing but presence is sent; `setReadOnly` changes it. */
  readOnly?: boolean
  /** Also keep the document in IndexedDB so offline edits survive a reload. */
  offline?: boolean
  /** Colors: `auto` (the default) follows the reader's `prefers-color-scheme`. */
  theme?: EditorTheme
  /** Shown in an empty document; `''` shows nothing. */
  placeholder?: string
}

/** The editor's colour schemes; `auto` follows `prefers-color-scheme`. */
export type EditorTheme = 'light' | 'dark' | 'auto'

const THEMES: readonly EditorTheme[] = ['light', 'dark', 'auto']

/** What an empty document shows when `placeholder` is not given. */
const DEFAULT_PLACEHOLDER = 'Start typing, or use # for a heading'

/** The options once checked: the URL without trailing slashes, the user as it travels in presence. */
export interface CheckedOptions {
  url: string
  doc: string
  user: PresenceUser
  token: string | undefined
  readOnly: boolean
  offline: boolean
  theme: EditorTheme
  placeholder: string
}

function fail(what: string): never {
  throw new TypeError(`quire editor: ${what}`)
}

/** `user` as it travels in presence, or a `TypeError` saying what is wrong with it. */
export function checkUser(user: unknown, where = 'user'): PresenceUser {
  if (typeof user !== 'object' || user === null) fail(`${where} must be an object { name, color }`)
  const { name, color } = user as { name?: unknown; color?: unknown }
  if (typeof name !== 'string' || name.trim() === '') fail(`${where}.name must be a non-empty string`)
  const hex = toHexColor(color)
  if (hex === null) fail(`${where}.color must be an opaque CSS colour such as '#e91e63', got ${JSON.stringify(color)}`)
  return { name: name.trim().slice(0, MAX_PRESENCE_NAME), color: hex }
}

/** `token` if it is one (a non-empty string) or absent; a `TypeError` otherwise. */
export function checkToken(token: unknown, where = 'token'): string | undefined {
  if (token === undefined || token === null) return undefined
  if (typeof token !== 'string' || token === '') fail(`${where} must be a non-empty string or undefined`)
  return token
}

function flag(options: Record<string, unknown>, key: string): boolean {
  const value = options[key]
  if (value !== undefined && typeof value !== 'boolean') fail(`options.${key} must be a boolean`)
  return value === true
}

function choice(theme: unknown, where: string): EditorTheme {
  if (theme === undefined) return 'auto'
  if (!THEMES.includes(theme as EditorTheme)) fail(`${where} must be one of ${THEMES.join(', ')}`)
  return theme as EditorTheme
}

/**
 * Everything `createEditor` is given, checked before anything is created: a mistake throws a
 * `TypeError` naming it, and no socket, presence or DOM is left behind.
 */
export function checkOptions(element: unknown, options: unknown): CheckedOptions {
  // `nodeType` rather than `instanceof`, so elements of another frame are accepted too.
  if (typeof element !== 'object' || element === null || (element as Node).nodeType !== 1) fail('element must be a DOM element')
  if (typeof options !== 'object' || options === null) fail('options must be an object { url, doc, user }')
  const o = options as Record<string, unknown>
  let url: URL | null = null
  try {
    url = typeof o.url === 'string' ? new URL(o.url) : null
  } catch {
    // reported below
  }
  if (url === null || (url.protocol !== 'ws:' && url.protocol !== 'wss:')) fail(`options.url must be a ws:// or wss:// URL, got ${JSON.stringify(o.url)}`)
  if (typeof o.doc !== 'string') fail('options.doc must be a string')
  const problem = docNameProblem(o.doc)
  if (problem !== null) fail(`options.doc: ${problem}`)
  return {
    url: (o.url as string).replace(/\/+$/, ''),
    doc: o.doc,
    user: checkUser(o.user, 'options.user'),
    token: checkToken(o.token, 'options.token'),
    readOnly: flag(o, 'readOnly'),
    offline: flag(o, 'offline'),
    theme: choice(o.theme, 'options.theme'),
    placeholder: o.placeholder === undefined ? DEFAULT_PLACEHOLDER : typeof o.placeholder === 'string' ? o.placeholder : fail('options.placeholder must be a string'),
  }
}
