/**
 * Registers the service worker (`/sw.js`, built from `sw.ts`) that keeps the app's pages and
 * assets, so reloading `/d/<doc>` without a connection opens the page, which then opens the
 * document from IndexedDB. Only the built app has it; `npm run dev` serves no worker.
 */
export function keepShellOffline(): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return
  navigator.serviceWorker.register('/sw.js').catch(() => {
    // No worker (a browser policy, a private mode): everything works but offline reloads.
  })
}
