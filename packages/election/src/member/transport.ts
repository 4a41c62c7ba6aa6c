/** What a transport calls when traffic arrives. */
export interface TransportHandlers {
  /** A datagram from `from` ("host:port"). */
  onPacket(from: string, bytes: Uint8Array): void;
  /** A push-pull request; answer through `reply` (once). */
  onExchange(from: string, bytes: Uint8Array, reply: (bytes: Uint8Array) => void): void;
}

/**
 * The smallest network a member needs: unreliable datagrams (UDP) and a request/response stream exchange
 * (TCP push-pull). Callbacks, not promises, so a simulated network delivers in virtual time.
 */
export interface ElectionTransport {
  /** This member's address as peers should reach it ("host:port"). */
  readonly localAddress: string;
  send(to: string, bytes: Uint8Array): void;
  /** Sends one frame over a stream and calls `done` with the single reply, or with an error. */
  exchange(
    to: string,
    bytes: Uint8Array,
    timeoutMs: number,
    done: (err: Error | undefined, reply: Uint8Array | undefined) => void,
  ): void;
  listen(handlers: TransportHandlers): void;
  close(): void | Promise<void>;
}
