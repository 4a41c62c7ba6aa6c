import { EventEmitter } from 'node:events';
import { InvalidArgumentError, formatMac, parseMac, type MacAddress } from '@lbkit/core';
import { encodeBpfProgram, type BpfProgram } from '../bpf/program.js';
import { DEFAULT_BATCH_SIZE, DEFAULT_QUEUE_SIZE, PACKET_TYPES, type PacketType } from '../constants.js';
import { SocketClosedError, toSocketError, type SocketError } from '../errors.js';
import { ReceiveQueue, drainQueue } from '../queue/receive-queue.js';
import { resolveInterface } from './interface.js';
import { nativeAddon, type NativeAddon, type NativeFdWatcher } from './native.js';
import { handleReadable, type ReadableSocket } from './readable.js';

/** Options of {@link openPacketSocket}. */
export interface PacketSocketInit {
  /** Interface name (`eth0`) or index. */
  readonly interface: string | number;
  /**
   * Ethertype to receive, host order: `ETH_P.ARP`, `ETH_P.IPV6`, `ETH_P.ALL` for every frame, or `0` to
   * receive nothing (a socket that only sends). Sent frames carry their own ethertype in their header.
   */
  readonly protocol: number;
  /**
   * Classic BPF program run by the kernel before a frame is queued; frames it drops never reach the process.
   * Attached before the socket is bound, so no unfiltered frame slips in.
   * @default undefined (every frame of `protocol`)
   */
  readonly filter?: BpfProgram;
  /**
   * Frames held for `receive()` and iteration when nobody listens to `'frame'`; beyond it frames are
   * dropped and counted in `stats().queueDrops`. Larger absorbs longer stalls, at the cost of memory.
   * @default 1024
   */
  readonly queueSize?: number;
  /**
   * Frames read per readiness event before yielding to the event loop. Larger is faster under floods,
   * smaller is fairer to timers and other sockets.
   * @default 64
   */
  readonly batchSize?: number;
  /**
   * Do not receive frames this host sends (PACKET_IGNORE_OUTGOING, Linux 4.20+); only `ETH_P.ALL` sockets see
   * them in the first place.
   * @default false
   */
  readonly ignoreOutgoing?: boolean;
  /**
   * Kernel receive buffer in bytes (SO_RCVBUFFORCE with CAP_NET_ADMIN, else SO_RCVBUF capped by
   * net.core.rmem_max). Larger rides out longer bursts before the kernel drops frames.
   * @default undefined (net.core.rmem_default, usually 208 KiB)
   */
  readonly receiveBufferSize?: number;
}

/** A frame as received, with the kernel's link-layer metadata. */
export interface ReceivedFrame {
  /** The whole frame, Ethernet header included (no FCS). */
  readonly data: Uint8Array;
  /** Length of the frame on the wire; larger than `data.length` only if the filter truncated it. */
  readonly length: number;
  /** Index of the interface it arrived on. */
  readonly ifindex: number;
  /** How it was addressed: to this host, broadcast, multicast, another host (promiscuous), or sent by us. */
  readonly packetType: PacketType;
  /** Source MAC from the link header (`sll_addr`). */
  readonly source: MacAddress;
  /** Ethertype, host order. */
  readonly protocol: number;
}

/** Counters of a packet socket. */
export interface PacketSocketStats {
  /** Frames read from the kernel. */
  readonly received: number;
  /** Frames dropped because the receive queue was full. */
  readonly queueDrops: number;
  /** Frames the kernel dropped because the socket buffer was full (PACKET_STATISTICS). */
  readonly kernelDrops: number;
  /** Frames sent. */
  readonly sent: number;
  /** Receive errors reported by the kernel (`ENETDOWN` when the interface goes down, …). */
  readonly errors: number;
}

/** Events of a {@link PacketSocket}. */
export interface PacketSocketEvents {
  /** A frame arrived; while anyone listens, frames go here and not to the queue. */
  frame: [frame: ReceivedFrame];
  /** A receive error (the socket stays open). */
  error: [error: SocketError];
  /** The socket's descriptor was released. */
  close: [];
}

const MEMBERSHIP_MULTICAST = 0;
const MEMBERSHIP_PROMISC = 1;
const META_INTS = 8;
const READABLE = 1;

/**
 * An AF_PACKET socket bound to one interface and ethertype. Receives through libuv polling: readiness wakes
 * the event loop, a batch of frames is read without blocking, and each frame goes to `'frame'` listeners or,
 * with none, to a bounded queue read by `receive()` and `for await`.
 */
export class PacketSocket extends EventEmitter<PacketSocketEvents> implements AsyncIterable<ReceivedFrame> {
  /** Interface index. */
  readonly ifindex: number;
  /** Interface name. */
  readonly ifname: string;
  /** The ethertype the socket receives. */
  readonly protocol: number;
  readonly #addon: NativeAddon;
  readonly #fd: number;
  readonly #watcher: NativeFdWatcher;
  readonly #queue: ReceiveQueue<ReceivedFrame>;
  readonly #batch: number;
  #closed = false;
  #closing: Promise<void> | undefined;
  #received = 0;
  #sent = 0;
  #errors = 0;
  #kernelDrops = 0;

  /** Use {@link openPacketSocket}. */
  constructor(init: PacketSocketInit) {
    super();
    const addon = nativeAddon();
    if (!Number.isInteger(init.protocol) || init.protocol < 0 || init.protocol > 0xffff) {
      throw new InvalidArgumentError(
        'protocol',
        'an ethertype 0-65535 (ETH_P.ARP, ETH_P.IPV6, ETH_P.ALL)',
        init.protocol,
      );
    }
    const batch = init.batchSize ?? DEFAULT_BATCH_SIZE;
    if (!Number.isInteger(batch) || batch < 1 || batch > 4096)
      throw new InvalidArgumentError('batchSize', 'an integer 1-4096', batch);
    this.#queue = new ReceiveQueue(init.queueSize ?? DEFAULT_QUEUE_SIZE, 'packet socket');
    this.#batch = batch;
    const iface = resolveInterface(init.interface);
    this.ifindex = iface.index;
    this.ifname = iface.name;
    this.protocol = init.protocol;
    this.#addon = addon;
    const filter = init.filter === undefined ? null : encodeBpfProgram(init.filter);
    try {
      this.#fd = addon.packetOpen(iface.index, init.protocol, filter, init.ignoreOutgoing === true);
    } catch (err) {
      throw toSocketError(err, {
        operation: `open a packet socket on ${iface.name}`,
        capability: 'CAP_NET_RAW',
        interface: init.interface,
      });
    }
    if (init.receiveBufferSize !== undefined) this.#setReceiveBuffer(init.receiveBufferSize);
    try {
      const readable: ReadableSocket<[Buffer, Int32Array, number]> = {
        addon,
        fd: this.#fd,
        syscall: 'recvfrom(AF_PACKET)',
        closed: () => this.#closed,
        read: () => addon.packetRecv(this.#fd, this.#batch),
        deliver: (batch) => this.#deliver(batch),
        fail: (err) => this.#reportError(err),
        resume: () => this.#watcher.start(READABLE),
      };
      this.#watcher = new addon.FdWatcher(this.#fd, (status) => handleReadable(readable, status));
      if (init.protocol !== 0) this.#watcher.start(READABLE);
    } catch (err) {
      addon.closeFd(this.#fd);
      throw toSocketError(err, { operation: 'watch a packet socket' });
    }
  }

  /** True once closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** The socket's file descriptor (owned by this object; do not close it). */
  get fd(): number {
    return this.#fd;
  }

  /** Sends one frame, Ethernet header included. Throws SocketError (`ENOBUFS` when the queue is full, `EMSGSIZE`, `ENETDOWN`). */
  send(frame: Uint8Array): void {
    this.#checkOpen();
    if (!(frame instanceof Uint8Array) || frame.length < 14)
      throw new InvalidArgumentError('frame', 'a Uint8Array of at least 14 bytes (an Ethernet header)', frame);
    const ethertype = ((frame[12] as number) << 8) | (frame[13] as number);
    try {
      this.#addon.packetSend(this.#fd, this.ifindex, ethertype, frame);
    } catch (err) {
      throw toSocketError(err, { operation: `send a frame on ${this.ifname}`, capability: 'CAP_NET_RAW' });
    }
    this.#sent++;
  }

  /** Receives frames sent to a multicast MAC (PACKET_ADD_MEMBERSHIP), e.g. an IPv6 solicited-node group. */
  addMembership(mac: MacAddress | string): void {
    this.#membership(mac, true);
  }

  /** Leaves a multicast MAC group joined with {@link addMembership}. */
  dropMembership(mac: MacAddress | string): void {
    this.#membership(mac, false);
  }

  /** Puts the interface in promiscuous mode while this socket is open (or leaves it). */
  setPromiscuous(on: boolean): void {
    this.#checkOpen();
    try {
      this.#addon.packetMembership(this.#fd, this.ifindex, MEMBERSHIP_PROMISC, new Uint8Array(6), on);
    } catch (err) {
      throw toSocketError(err, {
        operation: `${on ? 'enable' : 'disable'} promiscuous mode on ${this.ifname}`,
        capability: 'CAP_NET_RAW',
      });
    }
  }

  /** Replaces the kernel filter, or removes it with `null`. */
  setFilter(filter: BpfProgram | null): void {
    this.#checkOpen();
    const code = filter === null ? null : encodeBpfProgram(filter);
    try {
      this.#addon.packetSetFilter(this.#fd, code);
    } catch (err) {
      throw toSocketError(err, { operation: 'attach a BPF filter' });
    }
  }

  /** The next frame from the queue. Rejects with SocketClosedError when the socket closes, AbortError on abort. */
  receive(options: { signal?: AbortSignal } = {}): Promise<ReceivedFrame> {
    return this.#queue.shift(options);
  }

  /** Iterates received frames until the socket closes (the loop ends) or the signal fires (AbortError). */
  frames(options: { signal?: AbortSignal } = {}): AsyncGenerator<ReceivedFrame, void, undefined> {
    return drainQueue(this.#queue, options);
  }

  /** Same as {@link frames} without a signal. */
  [Symbol.asyncIterator](): AsyncIterator<ReceivedFrame> {
    return this.frames();
  }

  /** Counters since open. */
  stats(): PacketSocketStats {
    if (!this.#closed) this.#pollKernelStats();
    return {
      received: this.#received,
      queueDrops: this.#queue.dropped,
      kernelDrops: this.#kernelDrops,
      sent: this.#sent,
      errors: this.#errors,
    };
  }

  /** Lets the process exit while this socket is open (like `net.Socket.unref`). */
  unref(): this {
    if (!this.#closed) this.#watcher.unref();
    return this;
  }

  /** Undoes {@link unref}. */
  ref(): this {
    if (!this.#closed) this.#watcher.ref();
    return this;
  }

  /**
   * Stops receiving at once (pending `receive()` calls reject, iterations end) and releases the descriptor
   * off the event loop: the kernel waits an RCU grace period when a packet socket closes. Resolves when the
   * descriptor is closed. Idempotent.
   */
  close(): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    this.#pollKernelStats();
    this.#closed = true;
    // The poll handle must stop watching before the descriptor number can be reused.
    this.#watcher.close();
    this.#queue.close();
    this.#closing = new Promise<void>((resolve) => {
      this.#addon.closeFdAsync(this.#fd, () => {
        this.emit('close');
        resolve();
      });
    });
    return this.#closing;
  }

  #checkOpen(): void {
    if (this.#closed) throw new SocketClosedError('packet socket');
  }

  #membership(mac: MacAddress | string, add: boolean): void {
    this.#checkOpen();
    const bytes = typeof mac === 'string' ? parseMac(mac) : mac;
    if (!(bytes instanceof Uint8Array) || bytes.length !== 6)
      throw new InvalidArgumentError('mac', 'a 6-byte MAC address', mac);
    try {
      this.#addon.packetMembership(this.#fd, this.ifindex, MEMBERSHIP_MULTICAST, bytes, add);
    } catch (err) {
      throw toSocketError(err, {
        operation: `${add ? 'join' : 'leave'} multicast group ${formatMac(bytes)} on ${this.ifname}`,
        capability: 'CAP_NET_RAW',
      });
    }
  }

  #setReceiveBuffer(bytes: number): void {
    const c = this.#addon.constants;
    if (!Number.isInteger(bytes) || bytes < 1024 || bytes > 0x3fffffff) {
      this.#addon.closeFd(this.#fd);
      throw new InvalidArgumentError('receiveBufferSize', 'an integer of bytes from 1024 to 2^30', bytes);
    }
    try {
      this.#addon.setIntOption(this.#fd, c.SOL_SOCKET, c.SO_RCVBUFFORCE, bytes, 'SO_RCVBUFFORCE');
    } catch {
      try {
        // Without CAP_NET_ADMIN: the kernel caps this at net.core.rmem_max.
        this.#addon.setIntOption(this.#fd, c.SOL_SOCKET, c.SO_RCVBUF, bytes, 'SO_RCVBUF');
      } catch (err) {
        this.#addon.closeFd(this.#fd);
        throw toSocketError(err, { operation: 'set the receive buffer size', capability: 'CAP_NET_ADMIN' });
      }
    }
  }

  #pollKernelStats(): void {
    try {
      const [, drops] = this.#addon.packetStats(this.#fd);
      this.#kernelDrops += drops;
    } catch {
      /* statistics are best effort */
    }
  }

  /** Hands a batch of frames to `'frame'` listeners or the queue; returns the errno met after it. */
  #deliver(batch: [Buffer, Int32Array, number]): number {
    const [data, meta, pendingErrno] = batch;
    const n = meta.length / META_INTS;
    this.#received += n;
    for (let i = 0; i < n && !this.#closed; i++) {
      const m = i * META_INTS;
      const offset = meta[m] as number;
      const caplen = meta[m + 1] as number;
      const hi = meta[m + 6] as number;
      const lo = meta[m + 7] as number;
      const source = new Uint8Array([hi >>> 16, (hi >>> 8) & 255, hi & 255, lo >>> 16, (lo >>> 8) & 255, lo & 255]);
      const frame: ReceivedFrame = {
        data: data.subarray(offset, offset + caplen),
        length: meta[m + 2] as number,
        ifindex: meta[m + 3] as number,
        packetType: PACKET_TYPES[meta[m + 4] as number] ?? 'unknown',
        source,
        protocol: meta[m + 5] as number,
      };
      if (this.listenerCount('frame') > 0) this.emit('frame', frame);
      else this.#queue.push(frame);
    }
    return pendingErrno;
  }

  #reportError(err: unknown): void {
    this.#errors++;
    const e = toSocketError(err, { operation: `receive on ${this.ifname}` }) as SocketError;
    const told = this.#queue.fail(e);
    if (this.listenerCount('error') > 0) this.emit('error', e);
    else if (told === 0) this.#lastError = e;
  }

  #lastError: SocketError | undefined;

  /** The last receive error nobody was listening for, if any. */
  get lastError(): SocketError | undefined {
    return this.#lastError;
  }
}

/**
 * Opens an AF_PACKET socket on an interface. Needs CAP_NET_RAW.
 *
 * @example
 * ```ts
 * const sock = openPacketSocket({ interface: 'eth0', protocol: ETH_P.ARP, filter: arpFilter() });
 * for await (const frame of sock) console.log(frame.packetType, frame.data.length);
 * ```
 */
export function openPacketSocket(init: PacketSocketInit): PacketSocket {
  return new PacketSocket(init);
}
