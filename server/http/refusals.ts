import { HttpError } from './http-error.js'

// The refusals that WebSocket upgrades and HTTP requests share, so that both edges answer them with
// the same status and words and count them under the same problem kind.

/** A request for a Host that a loopback server does not answer to (the DNS-rebinding defence). */
export const hostRefusal = (): HttpError => new HttpError(421, 'this server answers only loopback host names', 'host')

/** A browser request from a page of an origin that may not reach this server. */
export const originRefusal = (): HttpError => new HttpError(403, 'origin not allowed', 'origin')

/** A connection (WebSocket or event stream) over its client address's cap. */
export const connectionCapRefusal = (): HttpError => new HttpError(429, 'too many connections from this address', 'connection-cap')
