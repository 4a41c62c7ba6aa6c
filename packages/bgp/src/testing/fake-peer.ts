import {
  DEFAULT_CONTEXT,
  createOpen,
  decodeMessage,
  encodeKeepalive,
  encodeMessage,
  negotiateSession,
  splitMessages,
  type BgpMessage,
  type Capability,
  type CodecContext,
  type OpenMessage,
} from '../codec/index.js';
import type { BgpConnection } from '../io/transport.js';

/** Settings of a {@link FakePeer}. */
export interface FakePeerInit {
  readonly asn: number;
  readonly bgpIdentifier: string;
  /** @default 90 */
  readonly holdTime?: number;
  /** @default multiprotocol IPv4 and IPv6 unicast, route refresh, enhanced route refresh */
  readonly capabilities?: readonly Capability[];
  /** @default true — answer the handshake by itself. */
  readonly autoRespond?: boolean;
}

/**
 * A scripted BGP peer on one end of a connection, for tests: it decodes everything it receives (kept in
 * `received`) and sends what the test tells it to. Nothing is automatic unless `autoRespond` is on, which
 * answers OPEN with OPEN + KEEPALIVE and KEEPALIVE during OpenConfirm with KEEPALIVE, like a plain router.
 */
export class FakePeer {
  readonly received: BgpMessage[] = [];
  readonly conn: BgpConnection;
  readonly open: OpenMessage;
  /** Answer the handshake by itself. */
  autoRespond = true;
  #buf = new Uint8Array(0);
  #ctx: CodecContext = DEFAULT_CONTEXT;
  #sentOpen = false;
  #established = false;
  #waiters: Array<{ pred: (m: BgpMessage) => boolean; resolve: (m: BgpMessage) => void }> = [];
  closed = false;

  constructor(conn: BgpConnection, init: FakePeerInit) {
    this.conn = conn;
    this.autoRespond = init.autoRespond ?? true;
    this.open = createOpen({
      asn: init.asn,
      holdTime: init.holdTime ?? 90,
      bgpIdentifier: init.bgpIdentifier,
      capabilities: init.capabilities ?? [
        { type: 'multiprotocol', afi: 1, safi: 1 },
        { type: 'multiprotocol', afi: 2, safi: 1 },
        { type: 'route-refresh' },
        { type: 'enhanced-route-refresh' },
      ],
    });
    conn.setHandlers({
      data: (chunk) => this.#onData(chunk),
      close: () => {
        this.closed = true;
      },
      drain: () => undefined,
    });
  }

  /** Whether the handshake completed (KEEPALIVE both ways). */
  get established(): boolean {
    return this.#established;
  }

  /** Sends a message in the negotiated context. */
  send(msg: BgpMessage): void {
    if (msg.type === 'open') this.#sentOpen = true;
    this.conn.write(encodeMessage(msg, this.#ctx));
  }

  /** Sends raw bytes (malformed input tests). */
  sendRaw(bytes: Uint8Array): void {
    this.conn.write(bytes);
  }

  /** Resolves with the first received message (already received or future) matching `pred`. */
  waitFor(pred: (m: BgpMessage) => boolean): Promise<BgpMessage> {
    const found = this.received.find(pred);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve) => this.#waiters.push({ pred, resolve }));
  }

  /** Received messages of one type. */
  ofType<T extends BgpMessage['type']>(type: T): Array<Extract<BgpMessage, { type: T }>> {
    return this.received.filter((m): m is Extract<BgpMessage, { type: T }> => m.type === type);
  }

  #onData(chunk: Uint8Array): void {
    const b = new Uint8Array(this.#buf.length + chunk.length);
    b.set(this.#buf);
    b.set(chunk, this.#buf.length);
    const { messages, consumed } = splitMessages(b, this.#ctx);
    this.#buf = b.slice(consumed);
    for (const m of messages) {
      const msg = decodeMessage(m, this.#ctx);
      this.received.push(msg);
      if (msg.type === 'open') {
        this.#ctx = negotiateSession(this.open, msg).receive;
        if (this.autoRespond) {
          if (!this.#sentOpen) this.send(this.open);
          this.conn.write(encodeKeepalive());
        }
      } else if (msg.type === 'keepalive' && !this.#established) {
        this.#established = true;
      }
      this.#waiters = this.#waiters.filter((w) => {
        if (!w.pred(msg)) return true;
        w.resolve(msg);
        return false;
      });
    }
  }
}
