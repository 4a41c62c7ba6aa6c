import type { Clock } from '@lbkit/core';
import type {
  BfdDatagram,
  BfdListenOptions,
  BfdListener,
  BfdSendOptions,
  BfdSender,
  BfdTransport,
} from '../transport.js';

/** Options of {@link MemoryNetwork}. */
export interface MemoryNetworkInit {
  /** Delivery happens on this clock (use the manual clock in tests). */
  readonly clock: Clock;
  /** Uniform in [0, 1), for loss. @default a fixed sequence that never drops */
  readonly random?: () => number;
  /** One-way delay (ms). @default 0.5 */
  readonly delayMs?: number;
}

interface Host {
  readonly addresses: ReadonlySet<string>;
  readonly listeners: Set<{ address: string; port: number; deliver: (d: BfdDatagram) => void }>;
}

/**
 * An in-memory network of BFD transports, with knobs for loss, delay, partitions and the TTL packets
 * arrive with. Every delivery is a timer on the given clock, so a manual clock makes runs deterministic.
 */
export class MemoryNetwork {
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #hosts: Host[] = [];
  readonly #blocked = new Set<string>();
  readonly #ttlLoss = new Map<string, number>();
  #delayMs: number;
  #loss = 0;
  /** Datagrams delivered, for assertions. */
  delivered = 0;
  /** Datagrams lost to loss, partitions or a missing listener. */
  lost = 0;

  constructor(init: MemoryNetworkInit) {
    this.#clock = init.clock;
    this.#random = init.random ?? (() => 0.999);
    this.#delayMs = init.delayMs ?? 0.5;
  }

  /** A transport for a host owning `addresses`. */
  transport(addresses: readonly string[]): BfdTransport {
    const host: Host = { addresses: new Set(addresses), listeners: new Set() };
    this.#hosts.push(host);
    return {
      receivesTtl: true,
      listen: async (options: BfdListenOptions, onDatagram: (d: BfdDatagram) => void): Promise<BfdListener> => {
        const l = { address: options.address, port: options.port, deliver: onDatagram };
        host.listeners.add(l);
        return { close: async () => void host.listeners.delete(l) };
      },
      openSender: async (options: BfdSendOptions): Promise<BfdSender> => {
        const from = options.localAddress ?? [...host.addresses][0] ?? '0.0.0.0';
        let open = true;
        return {
          send: (data: Uint8Array) => {
            if (open) this.#send(from, options, data.slice());
          },
          close: async () => {
            open = false;
          },
        };
      },
    };
  }

  /** Fraction of datagrams dropped, 0..1. */
  setLoss(fraction: number): void {
    this.#loss = fraction;
  }

  /** One-way delay (ms). */
  setDelay(ms: number): void {
    this.#delayMs = ms;
  }

  /** Drops everything from `a` to `b` and back until {@link heal}. */
  partition(a: string, b: string): void {
    this.#blocked.add(`${a}>${b}`);
    this.#blocked.add(`${b}>${a}`);
  }

  /** Ends every partition. */
  heal(): void {
    this.#blocked.clear();
  }

  /** Packets from `from` arrive with their TTL lowered by `hops` (as if routed). */
  setHops(from: string, hops: number): void {
    this.#ttlLoss.set(from, hops);
  }

  #send(from: string, options: BfdSendOptions, data: Uint8Array): void {
    if (this.#blocked.has(`${from}>${options.remoteAddress}`) || (this.#loss > 0 && this.#random() < this.#loss)) {
      this.lost++;
      return;
    }
    const host = this.#hosts.find((h) => h.addresses.has(options.remoteAddress));
    const ttl = options.ttl - (this.#ttlLoss.get(from) ?? 0);
    this.#clock.setTimer(this.#delayMs, () => {
      const target = host === undefined ? undefined : pick(host, options.remoteAddress, options.remotePort);
      if (target === undefined) {
        this.lost++;
        return;
      }
      this.delivered++;
      target.deliver({
        data,
        remoteAddress: from,
        remotePort: options.sourcePort,
        localAddress: target.address === '0.0.0.0' || target.address === '::' ? undefined : target.address,
        localPort: options.remotePort,
        ttl,
      });
    });
  }
}

function pick(
  host: Host,
  address: string,
  port: number,
): { address: string; deliver: (d: BfdDatagram) => void } | undefined {
  let wildcard;
  for (const l of host.listeners) {
    if (l.port !== port) continue;
    if (l.address === address) return l;
    if ((l.address === '0.0.0.0' && !address.includes(':')) || (l.address === '::' && address.includes(':')))
      wildcard = l;
  }
  return wildcard;
}
