/**
 * The WebSocket URL of the quire server. Built pages are served by quire itself, so it is this
 * page's own host; under `npm run dev` the pages come from Vite and the server is elsewhere.
 */
export function serverUrl(): string {
  if (import.meta.env.VITE_QUIRE_WS) return import.meta.env.VITE_QUIRE_WS
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}`
}
