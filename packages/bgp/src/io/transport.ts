/**
 * The smallest transport a BGP session needs: a reliable byte stream with backpressure. The TCP one lives in
 * `tcp-transport.ts`; an in-memory pair for tests is exported from `@lbkit/bgp/testing`.
 */
export interface BgpConnection {
  readonly localAddress: string;
  readonly localPort: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** Queues bytes; false when the send buffer is above its high-water mark (wait for `drain`). */
  write(bytes: Uint8Array): boolean;
  /** Sends what is queued, then closes. */
  end(): void;
  /** Closes at once, dropping anything queued. */
  destroy(): void;
  /** Installs the handlers (once; replaces any earlier ones). */
  setHandlers(handlers: ConnectionHandlers): void;
}

/** Callbacks of a {@link BgpConnection}. */
export interface ConnectionHandlers {
  data(chunk: Uint8Array): void;
  /** The connection closed, by either side or by error; called once. */
  close(error?: Error): void;
  /** The send buffer drained below its high-water mark. */
  drain(): void;
}

/** Socket options of an outgoing BGP connection. */
export interface ConnectOptions {
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress?: string;
  /** Give up after this long. */
  readonly timeoutMs: number;
  /** TCP-MD5 password (RFC 2385). */
  readonly md5Password?: string;
  /** TTL of sent segments (eBGP multihop, or 255 for GTSM). */
  readonly ttl?: number;
  /** GTSM minimum received TTL (RFC 5082). */
  readonly minTtl?: number;
  /** Interface or VRF to bind to. */
  readonly device?: string;
  readonly signal?: AbortSignal;
}

/** A TCP-MD5 key for one peer address, set on a listening socket. */
export interface ListenMd5Key {
  readonly address: string;
  readonly password: string;
}

/** Socket options of the BGP listener. */
export interface ListenOptions {
  readonly address: string;
  readonly port: number;
  readonly md5?: readonly ListenMd5Key[];
  readonly minTtl?: number;
  readonly ttl?: number;
  readonly device?: string;
}

/** A listening socket. */
export interface BgpListener {
  /** The port actually bound (useful with port 0). */
  readonly port: number;
  /** Adds or replaces the TCP-MD5 key of a peer. */
  setMd5(key: ListenMd5Key): void;
  /** Removes the TCP-MD5 key of a peer. */
  removeMd5(address: string): void;
  close(): Promise<void>;
}

/** Opens connections and listeners. */
export interface BgpTransport {
  connect(options: ConnectOptions): Promise<BgpConnection>;
  listen(options: ListenOptions, onConnection: (conn: BgpConnection) => void): Promise<BgpListener>;
}
