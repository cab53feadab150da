import { createRequire } from 'node:module'

/**
 * The `ws` package's classes, loaded with `require`. `ws` is CommonJS, and an ES module import of
 * it makes Node scan its 130 KB of sources for export names (cjs-module-lexer) at every start:
 * enough work for V8 to optimize the lexer on a background thread, whose compiler memory then stays
 * in that thread's malloc arena, 2–4 MiB more RSS for the life of an idle server (measured on some
 * starts and not others). `require` hands over `module.exports` as it is, with no scan.
 */
const ws = createRequire(import.meta.url)('ws') as typeof import('ws')

export const { WebSocket, WebSocketServer } = ws
export type WebSocket = import('ws').WebSocket
