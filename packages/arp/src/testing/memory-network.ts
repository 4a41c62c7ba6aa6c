import { formatMac, type Clock, type MacAddress } from '@lbkit/core';
import { isBroadcastMac, macKey } from '../codec/keys.js';
import type { PacketConn, PacketConnTarget, PacketType, ReceivedFrame } from '../transport.js';

/** Knobs of a {@link MemoryNetwork}. */
export interface MemoryNetworkInit {
  /** Delivery delay in ms; 0 delivers inside `send`, synchronously. @default 0 */
  readonly delayMs?: number;
  /** Fraction of deliveries dropped, 0..1, decided per receiver with `random`. @default 0 */
  readonly loss?: number;
}

/** What {@link MemoryNetwork} needs: a clock for delays and a random source for loss. */
export interface MemoryNetworkComponents {
  readonly clock: Clock;
  readonly random?: () => number;
}

/** One frame seen on the segment, for assertions. */
export interface SentFrame {
  readonly time: number;
  /** The name of the port that sent it. */
  readonly from: string;
  readonly data: Uint8Array;
}

/**
 * An in-memory Ethernet segment (a hub with a MAC filter per port): every frame sent by one port reaches
 * every other port whose filter accepts it (broadcast, its own MAC, a joined multicast group, or anything
 * when promiscuous), subject to delay, loss, and ports that are cut off.
 */
export class MemoryNetwork {
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #ports = new Set<MemoryPacketConn>();
  /** Every frame sent on the segment, in order. */
  readonly sent: SentFrame[] = [];
  delayMs: number;
  loss: number;

  constructor(init: MemoryNetworkInit, components: MemoryNetworkComponents) {
    this.#clock = components.clock;
    this.#random = components.random ?? (() => 0.5);
    this.delayMs = init.delayMs ?? 0;
    this.loss = init.loss ?? 0;
  }

  /** Connects a port to the segment. */
  connect(target: PacketConnTarget, options: { promiscuous?: boolean } = {}): MemoryPacketConn {
    const port = new MemoryPacketConn(this, target, options.promiscuous ?? false);
    this.#ports.add(port);
    return port;
  }

  /**
   * A `PacketConn` opener that connects every interface it is asked for to this segment. Ports are named
   * `node:ifname` when `node` is given (several announcers on one segment), else `ifname`.
   */
  opener(node?: string): (target: PacketConnTarget) => Promise<MemoryPacketConn> {
    return (target) =>
      Promise.resolve(this.connect(node === undefined ? target : { ...target, name: `${node}:${target.name}` }));
  }

  /** The open port with this name, if any. */
  port(name: string): MemoryPacketConn | undefined {
    for (const p of this.#ports) if (p.name === name) return p;
    return undefined;
  }

  /** Frames sent by the named port. */
  sentBy(name: string): SentFrame[] {
    return this.sent.filter((f) => f.from === name);
  }

  /** Used by ports. */
  transmit(from: MemoryPacketConn, data: Uint8Array): void {
    this.sent.push({ time: this.#clock.now(), from: from.name, data });
    if (from.cut) return;
    for (const port of this.#ports) {
      if (port === from || port.closed || port.cut) continue;
      const type = port.accepts(data);
      if (type === undefined) continue;
      if (this.loss > 0 && this.#random() < this.loss) continue;
      const frame: ReceivedFrame = { data, packetType: type, ifindex: port.index };
      if (this.delayMs <= 0) port.deliver(frame);
      else this.#clock.setTimer(this.delayMs, () => port.deliver(frame));
    }
  }

  /** Used by ports. */
  detach(port: MemoryPacketConn): void {
    this.#ports.delete(port);
  }
}

/** One port of a {@link MemoryNetwork}: a {@link PacketConn} with its joined groups visible to tests. */
export class MemoryPacketConn implements PacketConn {
  readonly name: string;
  readonly index: number;
  readonly mac: MacAddress;
  readonly #net: MemoryNetwork;
  readonly #groups = new Map<string, number>();
  #listener: ((f: ReceivedFrame) => void) | undefined;
  promiscuous: boolean;
  /** While true, the port neither sends nor receives (a cut cable or a partition). */
  cut = false;
  closed = false;

  constructor(net: MemoryNetwork, target: PacketConnTarget, promiscuous: boolean) {
    this.#net = net;
    this.name = target.name;
    this.index = target.index;
    this.mac = target.mac;
    this.promiscuous = promiscuous;
  }

  /** The multicast MACs joined, as `33:33:ff:…` strings. */
  get groups(): string[] {
    return [...this.#groups.keys()].map((k) =>
      formatMac(Uint8Array.from(k.match(/../g) ?? [], (h) => Number.parseInt(h, 16))),
    );
  }

  send(frame: Uint8Array): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`port ${this.name} is closed`));
    this.#net.transmit(this, frame);
    return Promise.resolve();
  }

  onFrame(listener: (frame: ReceivedFrame) => void): void {
    this.#listener = listener;
  }

  addMembership(mac: MacAddress): Promise<void> {
    const k = macKey(mac);
    this.#groups.set(k, (this.#groups.get(k) ?? 0) + 1);
    return Promise.resolve();
  }

  dropMembership(mac: MacAddress): Promise<void> {
    const k = macKey(mac);
    const n = this.#groups.get(k) ?? 0;
    if (n <= 1) this.#groups.delete(k);
    else this.#groups.set(k, n - 1);
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.closed = true;
    this.#net.detach(this);
    return Promise.resolve();
  }

  /** Used by the network: the packet type this port would see the frame with, or undefined if filtered. */
  accepts(data: Uint8Array): PacketType | undefined {
    if (data.length < 6) return undefined;
    const dst = data.subarray(0, 6);
    if (isBroadcastMac(dst)) return 'broadcast';
    const k = macKey(dst);
    if (k === macKey(this.mac)) return 'host';
    if (((dst[0] as number) & 1) === 1) return this.#groups.has(k) || this.promiscuous ? 'multicast' : undefined;
    return this.promiscuous ? 'otherhost' : undefined;
  }

  /** Used by the network. */
  deliver(frame: ReceivedFrame): void {
    if (!this.closed && !this.cut) this.#listener?.(frame);
  }
}
