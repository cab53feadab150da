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
  pub.on('error', (error: Error) => log.warn('cluster.redis_error', { error: error.message }))
  sub.on('error', (error: Error) => log.warn('cluster.redis_error', { error: error.message }))
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

/** The cluster bus over the Redis at `url`, shared by every instance using the same `prefix`. */
export function startRedisBus(url: string, prefix: string, rooms: Rooms, log: Logger, options?: BusOptions): ClusterBus {
  return startBus(redisTransport(url, prefix, log), rooms, log, options)
}
