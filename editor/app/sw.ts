// The app's service worker, served as /sw.js. It keeps the app shell (the two pages and every
// built asset) so that reloading `/d/<doc>` offline, or while quire is down, opens the page, which
// then opens the document from IndexedDB. Documents, the API and WebSockets are never cached here.

/** Filled in at build time (editor/build-plugins.ts) with the shell's URLs; changes with every build. */
const PRECACHE: string[] = JSON.parse('__QUIRE_PRECACHE__') as string[]
const CACHE = `quire-shell-${PRECACHE.join('|').length.toString(36)}-${hash(PRECACHE.join('|'))}`
/** The document page is the same HTML for every document; it is kept under this one address. */
const DOC_SHELL = '/d/_'

function hash(text: string): string {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  return (h >>> 0).toString(36)
}

// The DOM lib types `self` as a Window; these are the few worker APIs used, typed where used.
interface ExtendableEvent extends Event {
  waitUntil(promise: Promise<unknown>): void
}
interface FetchEvent extends ExtendableEvent {
  request: Request
  respondWith(response: Promise<Response>): void
}
interface WorkerScope {
  addEventListener(type: 'install' | 'activate', listener: (event: ExtendableEvent) => void): void
  addEventListener(type: 'fetch', listener: (event: FetchEvent) => void): void
  skipWaiting(): Promise<void>
  clients: { claim(): Promise<void> }
  location: Location
}
// reason: the DOM lib declares `self` as Window; at run time this file is a service worker's scope.
const worker = self as unknown as WorkerScope

worker.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(PRECACHE))
      .then(() => worker.skipWaiting()),
  )
})

worker.addEventListener('activate', (event) => {
  const stale = caches.keys().then((keys) => Promise.all(keys.filter((key) => key.startsWith('quire-shell-') && key !== CACHE).map((key) => caches.delete(key))))
  event.waitUntil(stale.then(() => worker.clients.claim()))
})

/** The network's answer, else the cached copy of `fallback`; the cache is refreshed on success. */
async function networkFirst(request: Request, fallback: string): Promise<Response> {
  try {
    const response = await fetch(request)
    if (response.ok) {
      const copy = response.clone()
      void caches.open(CACHE).then((cache) => cache.put(fallback, copy))
    }
    return response
  } catch (error) {
    const cached = await caches.match(fallback)
    if (cached) return cached
    throw error
  }
}

/** Built assets have content hashes in their names: a cached copy is always the right one. */
async function cacheFirst(request: Request): Promise<Response> {
  const cached = await caches.match(request)
  if (cached) return cached
  const response = await fetch(request)
  if (response.ok) {
    const copy = response.clone()
    void caches.open(CACHE).then((cache) => cache.put(request, copy))
  }
  return response
}

worker.addEventListener('fetch', (event) => {
  const { request } = event
  const url = new URL(request.url)
  if (request.method !== 'GET' || url.origin !== worker.location.origin) return
  if (request.mode === 'navigate' && url.pathname === '/') event.respondWith(networkFirst(request, '/'))
  else if (request.mode === 'navigate' && url.pathname.startsWith('/d/')) event.respondWith(networkFirst(request, DOC_SHELL))
  else if (url.pathname.startsWith('/assets/')) event.respondWith(cacheFirst(request))
})
