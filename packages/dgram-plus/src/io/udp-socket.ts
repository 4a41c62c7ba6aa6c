import { EventEmitter } from 'node:events';
import { InvalidArgumentError, type IpFamily } from '@lbkit/core';
import { DEFAULT_BATCH_SIZE, DEFAULT_QUEUE_SIZE } from '../constants.js';
import { SocketClosedError, toSocketError, type SocketError } from '../errors.js';
import { checkPort, checkTtl, formatAddressBytes, parseSocketAddress } from '../net/address.js';
import { ReceiveQueue, drainQueue } from '../queue/receive-queue.js';
import { interfaceIndex } from './interface.js';
import { nativeAddon, type NativeAddon, type NativeFdWatcher } from './native.js';
import { handleReadable, type ReadableSocket } from './readable.js';
import { bindToDevice, setTtl } from './socket-options.js';

/** Options of {@link openUdpSocket}. */
export interface UdpSocketInit {
  /**
   * Local address to bind (IPv4 or IPv6 literal; `fe80::…%eth0` for link-local).
   * @default '0.0.0.0' for family 4, '::' for family 6
   */
  readonly address?: string;
  /**
   * Address family when `address` is not given.
   * @default 4
   */
  readonly family?: IpFamily;
  /**
   * Local port; 0 picks a free one. BFD listens on 3784 (RFC 5881 §4) and sends from 49152-65535.
   * @default 0
   */
  readonly port?: number;
  /**
   * Bind to an interface or VRF (SO_BINDTODEVICE), before the address. Needs CAP_NET_RAW.
   * @default undefined (any interface)
   */
  readonly device?: string;
  /**
   * Bind an address not yet assigned here (IP_FREEBIND), e.g. a service IP before it is configured.
   * @default false
   */
  readonly freebind?: boolean;
  /**
   * TTL / hop limit of sent datagrams. BFD single hop sends 255 (RFC 5881 §5).
   * @default undefined (the kernel default, usually 64)
   */
  readonly ttl?: number;
  /**
   * Drop datagrams that arrive with a lower TTL / hop limit (GTSM for UDP; 255 admits directly connected
   * senders only, RFC 5881 §5). Checked on each datagram's received TTL, since Linux applies IP_MINTTL to
   * TCP only; drops are counted in `stats().ttlDrops`.
   * @default undefined (no check)
   */
  readonly minTtl?: number;
  /**
   * Traffic class / TOS byte of sent datagrams (DSCP in the upper six bits; 0xc0 is CS6, network control).
   * @default undefined (0)
   */
  readonly tos?: number;
  /**
   * Share the address and port with other sockets that set it too (SO_REUSEADDR).
   * @default false
   */
  readonly reuseAddress?: boolean;
  /**
   * Accept only IPv6 on an IPv6 socket (IPV6_V6ONLY); otherwise `::` receives IPv4 too, as mapped addresses.
   * @default false
   */
  readonly ipv6Only?: boolean;
  /**
   * Datagrams held for `receive()` and iteration when nobody listens to `'message'`; beyond it they are
   * dropped and counted.
   * @default 1024
   */
  readonly queueSize?: number;
  /**
   * Datagrams read per readiness event before yielding to the event loop.
   * @default 64
   */
  readonly batchSize?: number;
}

/** A datagram with the metadata Node's dgram does not give. */
export interface ReceivedDatagram {
  readonly data: Uint8Array;
  /** Source address (IPv4-mapped on a dual-stack socket shows as `::ffff:a.b.c.d`). */
  readonly address: string;
  readonly port: number;
  readonly family: IpFamily;
  /** TTL (IPv4) or hop limit (IPv6) the datagram arrived with; `undefined` if the kernel gave none. */
  readonly ttl: number | undefined;
  /** Index of the interface it arrived on (0 if unknown). */
  readonly ifindex: number;
  /** The destination address it was sent to, if known. */
  readonly localAddress: string | undefined;
  /** True if the datagram was longer than the receive buffer (never for datagrams up to 64 KiB). */
  readonly truncated: boolean;
}

/** Options of {@link UdpSocket.send}. */
export interface UdpSendOptions {
  /** TTL / hop limit of this datagram only. */
  readonly ttl?: number;
}

/** Events of a {@link UdpSocket}. */
export interface UdpSocketEvents {
  /** A datagram arrived; while anyone listens, datagrams go here and not to the queue. */
  message: [datagram: ReceivedDatagram];
  /** A receive error, e.g. ECONNREFUSED from an ICMP port unreachable (the socket stays open). */
  error: [error: SocketError];
  close: [];
}

/** Counters of a UDP socket. */
export interface UdpSocketStats {
  /** Datagrams read from the kernel. */
  readonly received: number;
  /** Datagrams dropped because the receive queue was full. */
  readonly queueDrops: number;
  /** Datagrams dropped for arriving below `minTtl`. */
  readonly ttlDrops: number;
  /** Datagrams sent. */
  readonly sent: number;
  /** Receive errors reported by the kernel. */
  readonly errors: number;
}

const META_INTS = 8;
const ADDR_BYTES = 32;

/**
 * A UDP socket that reports each datagram's received TTL / hop limit (IP_RECVTTL, IPV6_RECVHOPLIMIT), its
 * receiving interface and destination address, and sends with a chosen TTL, from a chosen port, bound to a
 * device if asked.
 */
export class UdpSocket extends EventEmitter<UdpSocketEvents> implements AsyncIterable<ReceivedDatagram> {
  /** Address family of the socket. */
  readonly family: IpFamily;
  readonly #addon: NativeAddon;
  readonly #fd: number;
  readonly #watcher: NativeFdWatcher;
  readonly #queue: ReceiveQueue<ReceivedDatagram>;
  readonly #batch: number;
  #closed = false;
  #received = 0;
  #sent = 0;
  #errors = 0;
  #ttlDrops = 0;
  readonly #minTtl: number;

  /** Use {@link openUdpSocket}. */
  constructor(init: UdpSocketInit = {}) {
    super();
    const addon = nativeAddon();
    this.#addon = addon;
    const family = init.family ?? 4;
    if (family !== 4 && family !== 6) throw new InvalidArgumentError('family', '4 or 6', family);
    const local = parseSocketAddress(init.address ?? (family === 4 ? '0.0.0.0' : '::'), 'address');
    this.family = local.family;
    const port = checkPort(init.port ?? 0);
    const batch = init.batchSize ?? DEFAULT_BATCH_SIZE;
    if (!Number.isInteger(batch) || batch < 1 || batch > 4096)
      throw new InvalidArgumentError('batchSize', 'an integer 1-4096', batch);
    this.#batch = batch;
    this.#queue = new ReceiveQueue(init.queueSize ?? DEFAULT_QUEUE_SIZE, 'UDP socket');
    if (init.ttl !== undefined) checkTtl(init.ttl);
    this.#minTtl = init.minTtl === undefined ? 0 : checkTtl(init.minTtl, 'minTtl');
    if (init.tos !== undefined && (!Number.isInteger(init.tos) || init.tos < 0 || init.tos > 255))
      throw new InvalidArgumentError('tos', 'an integer 0-255', init.tos);
    const scope =
      local.zone === undefined ? 0 : /^\d+$/.test(local.zone) ? Number(local.zone) : interfaceIndex(local.zone);
    try {
      this.#fd = addon.inetSocket(local.family, false);
    } catch (err) {
      throw toSocketError(err, { operation: 'create a UDP socket' });
    }
    const c = addon.constants;
    const opt = (level: number, name: number, value: number, label: string): void =>
      addon.setIntOption(this.#fd, level, name, value, label);
    try {
      if (init.device !== undefined) bindToDevice(this.#fd, init.device);
      try {
        if (local.family === 6) {
          opt(c.IPPROTO_IPV6, c.IPV6_V6ONLY, init.ipv6Only === true ? 1 : 0, 'IPV6_V6ONLY');
          opt(c.IPPROTO_IPV6, c.IPV6_RECVHOPLIMIT, 1, 'IPV6_RECVHOPLIMIT');
          opt(c.IPPROTO_IPV6, c.IPV6_RECVPKTINFO, 1, 'IPV6_RECVPKTINFO');
        }
        // Also on IPv6 sockets: IPv4 datagrams to a dual-stack socket report their TTL this way.
        opt(c.IPPROTO_IP, c.IP_RECVTTL, 1, 'IP_RECVTTL');
        opt(c.IPPROTO_IP, c.IP_PKTINFO, 1, 'IP_PKTINFO');
        if (init.reuseAddress === true) opt(c.SOL_SOCKET, c.SO_REUSEADDR, 1, 'SO_REUSEADDR');
        if (init.freebind === true) opt(c.IPPROTO_IP, c.IP_FREEBIND, 1, 'IP_FREEBIND');
        if (init.tos !== undefined) {
          if (local.family === 6) opt(c.IPPROTO_IPV6, c.IPV6_TCLASS, init.tos, 'IPV6_TCLASS');
          opt(c.IPPROTO_IP, c.IP_TOS, init.tos, 'IP_TOS');
        }
      } catch (err) {
        throw toSocketError(err, { operation: 'set UDP socket options' });
      }
      if (init.ttl !== undefined) setTtl(this.#fd, init.ttl);
      try {
        addon.bindAddress(this.#fd, local.family, local.bytes, port, scope);
      } catch (err) {
        throw toSocketError(err, {
          operation: `bind UDP ${init.address ?? 'wildcard'} port ${port}`,
          capability: 'CAP_NET_BIND_SERVICE',
        });
      }
      const readable: ReadableSocket<[Buffer, Int32Array, Buffer, number]> = {
        addon,
        fd: this.#fd,
        syscall: 'recvmsg',
        closed: () => this.#closed,
        read: () => addon.udpRecv(this.#fd, this.#batch),
        deliver: (batch) => this.#deliver(batch),
        fail: (err) => this.#reportError(err),
        resume: () => this.#watcher.start(1),
      };
      this.#watcher = new addon.FdWatcher(this.#fd, (status) => handleReadable(readable, status));
      this.#watcher.start(1);
    } catch (err) {
      addon.closeFd(this.#fd);
      throw err;
    }
  }

  /** The socket's file descriptor (owned by this object). */
  get fd(): number {
    return this.#fd;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The bound local address and port. */
  address(): { readonly address: string; readonly port: number; readonly family: IpFamily } {
    this.#checkOpen();
    const [family, bytes, port] = this.#addon.socketName(this.#fd);
    return { address: formatAddressBytes(family, bytes), port, family };
  }

  /**
   * Sends one datagram (synchronously; the kernel queues it). `address` may carry a zone (`fe80::1%eth0`).
   * On an IPv6 socket an IPv4 destination is sent as IPv4-mapped. Throws SocketError (`ENOBUFS`/`EAGAIN`
   * when the send buffer is full, `ENETUNREACH`, …).
   */
  send(data: Uint8Array, port: number, address: string, options: UdpSendOptions = {}): void {
    this.#checkOpen();
    if (!(data instanceof Uint8Array)) throw new InvalidArgumentError('data', 'a Uint8Array', data);
    checkPort(port, 'port', false);
    const ttl = options.ttl === undefined ? -1 : checkTtl(options.ttl);
    const dest = parseSocketAddress(address, 'address');
    let family = dest.family;
    let bytes = dest.bytes;
    if (this.family === 6 && family === 4) {
      const mapped = new Uint8Array(16);
      mapped[10] = 0xff;
      mapped[11] = 0xff;
      mapped.set(bytes, 12);
      bytes = mapped;
      family = 6;
    } else if (this.family === 4 && family === 6) {
      throw new InvalidArgumentError('address', 'an IPv4 destination on an IPv4 socket', address);
    }
    const scope = dest.zone === undefined ? 0 : /^\d+$/.test(dest.zone) ? Number(dest.zone) : interfaceIndex(dest.zone);
    try {
      this.#addon.udpSend(this.#fd, family, bytes, port, scope, data, ttl);
    } catch (err) {
      throw toSocketError(err, { operation: `send a UDP datagram to ${address} port ${port}` });
    }
    this.#sent++;
  }

  /** Changes the TTL / hop limit of datagrams sent from now on. */
  setTtl(ttl: number): void {
    this.#checkOpen();
    setTtl(this.#fd, ttl);
  }

  /** The next datagram from the queue. Rejects with SocketClosedError on close, AbortError on abort. */
  receive(options: { signal?: AbortSignal } = {}): Promise<ReceivedDatagram> {
    return this.#queue.shift(options);
  }

  /** Iterates received datagrams until the socket closes (the loop ends) or the signal fires (AbortError). */
  messages(options: { signal?: AbortSignal } = {}): AsyncGenerator<ReceivedDatagram, void, undefined> {
    return drainQueue(this.#queue, options);
  }

  /** Same as {@link messages} without a signal. */
  [Symbol.asyncIterator](): AsyncIterator<ReceivedDatagram> {
    return this.messages();
  }

  stats(): UdpSocketStats {
    return {
      received: this.#received,
      queueDrops: this.#queue.dropped,
      ttlDrops: this.#ttlDrops,
      sent: this.#sent,
      errors: this.#errors,
    };
  }

  /** Lets the process exit while this socket is open. */
  unref(): this {
    if (!this.#closed) this.#watcher.unref();
    return this;
  }

  /** Undoes {@link unref}. */
  ref(): this {
    if (!this.#closed) this.#watcher.ref();
    return this;
  }

  /** Closes the socket; pending `receive()` calls reject, iterations end. Idempotent; resolves once closed. */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    this.#watcher.close();
    try {
      this.#addon.closeFd(this.#fd);
    } finally {
      this.#queue.close();
      this.emit('close');
    }
    return Promise.resolve();
  }

  #checkOpen(): void {
    if (this.#closed) throw new SocketClosedError('UDP socket');
  }

  /** Hands a batch of datagrams to `'message'` listeners or the queue; returns the errno met after it. */
  #deliver(batch: [Buffer, Int32Array, Buffer, number]): number {
    const [data, meta, addrs, pendingErrno] = batch;
    const n = meta.length / META_INTS;
    this.#received += n;
    for (let i = 0; i < n && !this.#closed; i++) {
      const m = i * META_INTS;
      const offset = meta[m] as number;
      const family = meta[m + 2] === 6 ? 6 : 4;
      const ttl = meta[m + 4] as number;
      if (ttl < this.#minTtl) {
        this.#ttlDrops++;
        continue;
      }
      const a = i * ADDR_BYTES;
      const local = addrs.subarray(a + 16, a + 32);
      const hasLocal = local.some((b) => b !== 0);
      const dgram: ReceivedDatagram = {
        data: data.subarray(offset, offset + (meta[m + 1] as number)),
        address: formatAddressBytes(family, addrs.subarray(a, a + 16)),
        port: meta[m + 3] as number,
        family,
        ttl: ttl < 0 ? undefined : ttl,
        ifindex: meta[m + 5] as number,
        localAddress: hasLocal ? formatAddressBytes(family, local) : undefined,
        truncated: meta[m + 6] === 1,
      };
      if (this.listenerCount('message') > 0) this.emit('message', dgram);
      else this.#queue.push(dgram);
    }
    return pendingErrno;
  }

  #reportError(err: unknown): void {
    this.#errors++;
    const e = toSocketError(err, { operation: 'receive a UDP datagram' }) as SocketError;
    this.#queue.fail(e);
    if (this.listenerCount('error') > 0) this.emit('error', e);
  }
}

/**
 * Opens and binds a UDP socket that reports received TTLs.
 *
 * @example
 * ```ts
 * const sock = openUdpSocket({ address: '192.0.2.1', port: 3784, ttl: 255 });
 * sock.on('message', (d) => { if (d.ttl !== 255) return; // RFC 5881 §5
 *   console.log(d.address, d.port, d.data.length); });
 * ```
 */
export function openUdpSocket(init: UdpSocketInit = {}): UdpSocket {
  return new UdpSocket(init);
}
