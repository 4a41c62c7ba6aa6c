import type {
  BgpConnection,
  BgpListener,
  BgpTransport,
  ConnectOptions,
  ConnectionHandlers,
  ListenMd5Key,
  ListenOptions,
} from '../io/transport.js';

/** Knobs of one direction of an in-memory stream. */
interface Direction {
  /** Bytes written but not yet delivered (while partitioned, or before handlers are installed). */
  queue: Uint8Array[];
  blackhole: boolean;
}

/** One end of an in-memory stream pair. */
export class MemoryConnection implements BgpConnection {
  readonly localAddress: string;
  readonly localPort: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** Every chunk this end wrote, in order (for assertions). */
  readonly written: Uint8Array[] = [];
  peer!: MemoryConnection;
  #handlers: ConnectionHandlers | undefined;
  #closed = false;
  readonly #inbound: Direction = { queue: [], blackhole: false };

  constructor(local: string, localPort: number, remote: string, remotePort: number) {
    this.localAddress = local;
    this.localPort = localPort;
    this.remoteAddress = remote;
    this.remotePort = remotePort;
  }

  /** Whether this end is closed. */
  get closed(): boolean {
    return this.#closed;
  }

  write(bytes: Uint8Array): boolean {
    if (this.#closed) return true;
    const copy = bytes.slice();
    this.written.push(copy);
    if (this.#stalled) {
      // The peer is not reading: bytes wait, and the writer is told to back off.
      this.#outbox.push(copy);
      return false;
    }
    this.peer.#receive(copy);
    return true;
  }

  #stalled = false;
  readonly #outbox: Uint8Array[] = [];

  /**
   * Makes the peer stop reading (on) — writes are held back and return false, as on a full TCP window — or
   * resume (off): held bytes go out and `drain` fires.
   */
  stallWrites(on: boolean): void {
    this.#stalled = on;
    if (on) return;
    for (const b of this.#outbox.splice(0)) this.peer.#receive(b);
    const h = this.#handlers;
    queueMicrotask(() => h?.drain());
  }

  end(): void {
    this.#close(undefined);
  }

  destroy(): void {
    this.#close(undefined);
  }

  setHandlers(handlers: ConnectionHandlers): void {
    this.#handlers = handlers;
    this.#flush();
    // Closed before anyone listened: report it now, after the data that came first.
    if (this.#closed) this.#reportClose();
  }

  /**
   * Silently drops everything the peer sends to this end from now on (a firewall dropping packets: no FIN,
   * no RST), or stops doing so.
   */
  dropInbound(on: boolean): void {
    this.#inbound.blackhole = on;
  }

  /** Closes both ends as a reset would. */
  reset(): void {
    this.#close(new Error('connection reset'));
  }

  #receive(bytes: Uint8Array): void {
    if (this.#closed || this.#inbound.blackhole) return;
    this.#inbound.queue.push(bytes);
    // Deliver on a later turn, as a socket would: a write never re-enters the writer.
    queueMicrotask(() => this.#flush());
  }

  #flush(): void {
    const h = this.#handlers;
    if (h === undefined) return;
    // Bytes that arrived before a close are still delivered, as TCP delivers them before the FIN.
    while (this.#inbound.queue.length > 0) h.data(this.#inbound.queue.shift()!);
  }

  #closeError: Error | undefined;
  #closeReported = false;

  #reportClose(): void {
    const h = this.#handlers;
    if (h === undefined || this.#closeReported) return;
    this.#closeReported = true;
    h.close(this.#closeError);
  }

  #close(error: Error | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closeError = error;
    queueMicrotask(() => {
      this.#flush();
      this.#reportClose();
    });
    // The other end sees the close after any data already in flight.
    queueMicrotask(() => this.peer.#close(error));
  }
}

/** Creates two connected ends: `a` at `addressA`, `b` at `addressB`. */
export function createStreamPair(
  addressA = '192.0.2.1',
  addressB = '192.0.2.2',
  portA = 40000,
  portB = 179,
): [MemoryConnection, MemoryConnection] {
  const a = new MemoryConnection(addressA, portA, addressB, portB);
  const b = new MemoryConnection(addressB, portB, addressA, portA);
  a.peer = b;
  b.peer = a;
  return [a, b];
}

interface ListenerEntry {
  readonly onConnection: (c: BgpConnection) => void;
  readonly md5: Map<string, string>;
}

/**
 * An in-memory network of BGP transports: each address gets a {@link BgpTransport}; connecting to an
 * address and port where a listener waits creates a stream pair. TCP-MD5 is checked as the kernel would: a
 * missing or wrong key on either side means no connection (the attempt times out). Partition a pair of
 * addresses to make connections fail and open streams go silent.
 */
export class MemoryNetwork {
  readonly #listeners = new Map<string, ListenerEntry>();
  readonly #partitions = new Set<string>();
  readonly #open = new Set<MemoryConnection>();
  #nextPort = 40000;

  /** The transport of one address. */
  transport(address: string): BgpTransport {
    return {
      connect: (o) => this.#connect(address, o),
      listen: (o, onConnection) => this.#listen(address, o, onConnection),
    };
  }

  /** Cuts (or heals) traffic between two addresses: new connects fail, open streams drop everything. */
  partition(a: string, b: string, on: boolean): void {
    const key = [a, b].sort().join('|');
    if (on) this.#partitions.add(key);
    else this.#partitions.delete(key);
    for (const c of this.#open) {
      const k = [c.localAddress, c.remoteAddress].sort().join('|');
      if (k === key) c.dropInbound(on);
    }
  }

  /** Open connections (both ends), for assertions. */
  get connections(): readonly MemoryConnection[] {
    return [...this.#open].filter((c) => !c.closed);
  }

  #partitioned(a: string, b: string): boolean {
    return this.#partitions.has([a, b].sort().join('|'));
  }

  async #connect(local: string, o: ConnectOptions): Promise<BgpConnection> {
    await Promise.resolve();
    const entry = this.#listeners.get(`${o.remoteAddress}:${o.remotePort}`);
    const theirKey = entry?.md5.get(local);
    if (entry === undefined || this.#partitioned(local, o.remoteAddress) || theirKey !== o.md5Password) {
      // No listener answers with a reset; a key mismatch or a partition drops the SYN (a timeout).
      throw new Error(entry === undefined ? 'connect ECONNREFUSED' : 'connect ETIMEDOUT');
    }
    const [a, b] = createStreamPair(local, o.remoteAddress, this.#nextPort++, o.remotePort);
    this.#open.add(a);
    this.#open.add(b);
    entry.onConnection(b);
    return a;
  }

  async #listen(address: string, o: ListenOptions, onConnection: (c: BgpConnection) => void): Promise<BgpListener> {
    const port = o.port === 0 ? 179 : o.port;
    const key = `${address}:${port}`;
    const md5 = new Map<string, string>((o.md5 ?? []).map((k: ListenMd5Key) => [k.address, k.password]));
    this.#listeners.set(key, { onConnection, md5 });
    return {
      port,
      setMd5: (k) => void md5.set(k.address, k.password),
      removeMd5: (a) => void md5.delete(a),
      close: async () => {
        this.#listeners.delete(key);
      },
    };
  }
}
