/**
 * Every default quire ships with, in one place: the server's config table, the CLI's help and the
 * README all read from here, so a default can never be documented as one value and run as another.
 */
export const DEFAULTS = {
  port: 1234,
  host: '127.0.0.1',
  dataDir: './data',
  /** Largest WebSocket message accepted; bigger ones close the socket with 1009. */
  maxMessageBytes: 16 * 1024 * 1024,
  /** A document's appended updates are merged into one record once it has this many. */
  compactAfterUpdates: 500,
  /** A peer whose unsent backlog exceeds this is too slow to keep up and is dropped. */
  maxBufferedBytes: 64 * 1024 * 1024,
  /**
   * Messages a connection may send per second, sustained; more closes it with 1008. Ten seconds'
   * worth may come at once (a paste, a replay of offline edits) before the rate applies.
   */
  messagesPerSecond: 2_000,
  /**
   * Bytes a connection may send per second, sustained; more closes it with 1008. Typing sends a
   * few bytes a keystroke; ten seconds' worth, or two of the largest messages if that is more,
   * may come at once (a first sync of a document written offline, a big paste).
   */
  bytesPerSecond: 1024 * 1024,
  /**
   * Largest a document may grow (bytes of its stored updates); an update that would pass it closes
   * its connection with 4413 and an import gets 413. Every joiner downloads the whole document,
   * and the server holds it in memory while anyone has it open.
   */
  maxDocBytes: 64 * 1024 * 1024,
  /**
   * Open WebSocket connections and event streams per client IP address; more are refused (429).
   * Behind a reverse proxy every client has the proxy's address: raise it there, and limit clients
   * in the proxy.
   */
  maxConnectionsPerIp: 256,
  /** Open Server-Sent Event streams, all clients together; more get 503. */
  maxEventStreams: 1_000,
  /**
   * Largest awareness state (a client's name, colour and cursor, as JSON) a client may publish;
   * a bigger one is dropped. Real states are a few hundred bytes.
   */
  maxAwarenessBytes: 64 * 1024,
  /**
   * Awareness client ids one connection may introduce: an editor uses one, a page with several
   * editors of the same document one each.
   */
  maxAwarenessIdsPerConnection: 16,
  /**
   * Query-awareness messages a connection may send per second (10 at once); each is answered with
   * every state of the document, and the official client never sends one. More closes it (1008).
   */
  queryAwarenessPerSecond: 1,
  /**
   * Interval of WebSocket pings; a peer that misses one whole interval is terminated, and its
   * awareness states are removed for everyone. A connection that died without closing (network
   * gone, laptop shut) thus leaves presence within two intervals, well under 15 s, instead of
   * lingering until y-protocols' 30 s awareness timeout.
   */
  pingIntervalMs: 5_000,
  logLevel: 'info',
  /**
   * Largest body an import (`PUT /api/docs/<doc>/content`) accepts; bigger ones get 413. Parsing
   * and converting text costs tens of times its size in memory; 8 MiB is far more than any
   * document written by hand (a long novel is about 1 MiB) and stays well inside the memory an
   * import may use.
   */
  maxImportBytes: 8 * 1024 * 1024,
  /** An automatic version is recorded once a document has had no edit for this long... */
  versionIdle: '2m',
  /** ...and at least this often while editing goes on without such a pause. */
  versionEvery: '10m',
} as const

/**
 * How deep and how big an imported document may be (`shared/content/limits.ts`). 128 levels is
 * far beyond any real nesting of quotes and lists, and below where recursive parsers overflow
 * the stack. 100,000 nodes is a book of 50,000 paragraphs (a long novel has about 20,000); what
 * an import builds is applied to the open document on the event loop, and this keeps that under a
 * second.
 */
export const IMPORT_LIMITS = { maxDepth: 128, maxNodes: 100_000 } as const

/** The longest document name, counted in UTF-8 bytes. */
export const MAX_DOC_NAME_BYTES = 256
