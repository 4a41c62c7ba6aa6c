/** One received UDP datagram, with what the socket could tell about it. */
export interface BfdDatagram {
  readonly data: Uint8Array;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** The address the receiving socket is bound to, or undefined for a wildcard socket. */
  readonly localAddress: string | undefined;
  /** 3784 or 4784. */
  readonly localPort: number;
  /** Received TTL / hop limit, or undefined when the transport cannot read it. */
  readonly ttl: number | undefined;
}

/** Where to receive: a local address (or the family's wildcard) and a port, optionally tied to a device. */
export interface BfdListenOptions {
  /** A local address, or `0.0.0.0` / `::` for every address of the family. */
  readonly address: string;
  readonly port: number;
  /** Bind to this interface (SO_BINDTODEVICE) when the transport supports it. */
  readonly device?: string;
}

/** How one session sends: from a fixed source port, with a fixed TTL, to its peer (RFC 5881 §4). */
export interface BfdSendOptions {
  readonly localAddress?: string;
  /** 49152–65535, the same for the life of the session. */
  readonly sourcePort: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** TTL / hop limit of every packet; 255 (RFC 5881 §5). */
  readonly ttl: number;
  readonly device?: string;
}

/** A receive socket. */
export interface BfdListener {
  close(): Promise<void>;
}

/** A session's send socket. */
export interface BfdSender {
  /** Sends one packet; errors are reported through the transport's `onError`, never thrown. */
  send(data: Uint8Array): void;
  close(): Promise<void>;
}

/**
 * The smallest transport BFD needs: receive sockets on 3784/4784 that report the TTL of each datagram,
 * and per-session send sockets with a bound source port and TTL 255. The real one lives in `io/`; an
 * in-memory one is exported from `@lbkit/bfd/testing`.
 */
export interface BfdTransport {
  /** Whether datagrams carry their received TTL; without it the TTL checks of RFC 5881 §5 cannot run here. */
  readonly receivesTtl: boolean;
  listen(options: BfdListenOptions, onDatagram: (d: BfdDatagram) => void): Promise<BfdListener>;
  openSender(options: BfdSendOptions): Promise<BfdSender>;
}
