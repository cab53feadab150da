import { Redis } from 'ioredis'
import type { Logger } from '../log.js'
import type { Rooms } from '../sync/rooms.js'
import { type BusOptions, type BusTransport, type ClusterBus, startBus } from './bus.js'

/**
 * Redis pub/sub as the bus's transport: one channel per document (`<prefix>:doc:<name>:bus`), a
 * connection to publish on and one to subscribe with. ioredis resubscribes by itself after a
 * reconnection; the bus then catches its rooms up from the store.
 */
export function redisTransport(url: string, prefix: string, log: Logger): BusTransport {
  const pub = new Redis(url, { enableAutoPipelining: true })
  const sub = new Redis(url)
  const channel = (doc: string) => `${prefix}:doc:${doc}:bus`
  const docOf = (name: string) => name.slice(prefix.length + 5, -4)
  // A SUBSCRIBE sent before the connection's ready check puts it in subscriber mode, where the
  // check's INFO fails and the connection starts over: a message published meanwhile is lost with
  // no reconnection announced. So subscriptions wait until the link is ready.
  const ready = new Promise<void>((resolve) => sub.once('ready', resolve))
  reportLink(pub, 'publish', log)
  reportLink(sub, 'subscribe', log)
  return {
    publish: async (doc, message) => {
      await pub.publish(channel(doc), message)
    },
    subscribe: async (doc) => {
      await ready
      await sub.subscribe(channel(doc))
    },
    unsubscribe: async (doc) => {
      await sub.unsubscribe(channel(doc))
    },
    onMessage: (handler) => sub.on('messageBuffer', (name: Buffer, message: Buffer) => handler(docOf(name.toString()), message)),
    onReconnect: (handler) => {
      let connectedOnce = false
      sub.on('ready', () => {
        if (connectedOnce) handler()
        connectedOnce = true
      })
    },
    connected: () => pub.status === 'ready' && sub.status === 'ready',
    close: async () => {
      await Promise.all([pub.quit(), sub.quit()])
    },
  }
}

/**
 * Logs what happens to one link to Redis: while Redis is away, ioredis fails to reconnect several
 * times a second at first and then every 2 s for as long as it lasts, so only the first failure of
 * a break is logged (`cluster.redis_error`, saying why), and its end (`cluster.redis_ready`), which
 * an operator would otherwise have to infer from the errors stopping.
 */
function reportLink(redis: Redis, link: 'publish' | 'subscribe', log: Logger): void {
  let state: 'up' | 'down' | 'reported' = 'down'
  let readyOnce = false
  redis.on('close', () => {
    if (state === 'up') state = 'down'
  })
  redis.on('error', (error: Error) => {
    if (state === 'reported') return
    log.warn('cluster.redis_error', { link, error: error.message })
    if (state === 'down') state = 'reported'
  })
  redis.on('ready', () => {
    if (readyOnce && state !== 'up') log.info('cluster.redis_ready', { link })
    readyOnce = true
    state = 'up'
  })
}

/** The cluster bus over the Redis at `url`, shared by every instance using the same `prefix`. */
export function startRedisBus(url: string, prefix: string, rooms: Rooms, log: Logger, options?: BusOptions): ClusterBus {
  return startBus(redisTransport(url, prefix, log), rooms, log, options)
}
