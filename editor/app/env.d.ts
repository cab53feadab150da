/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Set by `npm run dev`: the WebSocket URL of the quire server the dev pages talk to. */
  readonly VITE_QUIRE_WS?: string
}
