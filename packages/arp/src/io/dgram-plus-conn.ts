import {
  ETH_P,
  arpFilter,
  ndpFilter,
  openPacketSocket,
  type PacketSocket,
  type ReceivedFrame as DgramFrame,
} from '@lbkit/dgram-plus';
import type { MacAddress } from '@lbkit/core';
import type { PacketConn, PacketConnTarget, PacketType, ReceivedFrame } from '../transport.js';

/** Options of {@link openDgramPlusConn}. */
export interface DgramPlusConnOptions {
  /** Frames read per readiness event (see dgram-plus `batchSize`). @default 64 */
  readonly batchSize?: number;
  /**
   * Kernel receive buffer per socket, in bytes. A request flood that outpaces the event loop for a moment is
   * queued rather than dropped; the default buffer (about 208 KiB, some 500 frames) overflows within
   * milliseconds under a flood.
   * @default 4 MiB ({@link DEFAULT_RECEIVE_BUFFER_BYTES})
   */
  readonly receiveBufferSize?: number;
}

/** Receive buffer of the ARP and NDP sockets: about 10,000 queued frames, a second of a 10,000/s flood. */
export const DEFAULT_RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

function mapType(t: DgramFrame['packetType']): PacketType {
  switch (t) {
    case 'host':
    case 'broadcast':
    case 'multicast':
    case 'otherhost':
    case 'outgoing':
      return t;
    case 'loopback':
      return 'outgoing';
    default:
      return 'otherhost';
  }
}

/**
 * A {@link PacketConn} on Linux AF_PACKET sockets from `@lbkit/dgram-plus`: one socket for ARP and one for
 * ICMPv6 neighbour solicitations and advertisements, each with a kernel BPF filter so the process sees
 * nothing else. Needs `CAP_NET_RAW`. Opens in the calling process's network namespace.
 */
export function openDgramPlusConn(target: PacketConnTarget, options: DgramPlusConnOptions = {}): Promise<PacketConn> {
  const batch = {
    ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
    receiveBufferSize: options.receiveBufferSize ?? DEFAULT_RECEIVE_BUFFER_BYTES,
  };
  const arp = openPacketSocket({ interface: target.index, protocol: ETH_P.ARP, filter: arpFilter(), ...batch });
  let ndp: PacketSocket;
  try {
    ndp = openPacketSocket({ interface: target.index, protocol: ETH_P.IPV6, filter: ndpFilter(), ...batch });
  } catch (err) {
    arp.close();
    throw err;
  }
  return Promise.resolve(new DgramPlusConn(arp, ndp));
}

class DgramPlusConn implements PacketConn {
  readonly #arp: PacketSocket;
  readonly #ndp: PacketSocket;
  #listener: ((f: ReceivedFrame) => void) | undefined;

  constructor(arp: PacketSocket, ndp: PacketSocket) {
    this.#arp = arp;
    this.#ndp = ndp;
    const forward = (f: DgramFrame): void =>
      this.#listener?.({ data: f.data, packetType: mapType(f.packetType), ifindex: f.ifindex });
    // Receive errors (ENETDOWN while the link is down) leave the socket open; the interface rescan reports
    // the link state, so they need no handling here beyond keeping them from being thrown.
    const ignore = (): void => undefined;
    for (const s of [arp, ndp]) {
      s.on('frame', forward);
      s.on('error', ignore);
    }
  }

  send(frame: Uint8Array): Promise<void> {
    try {
      this.#arp.send(frame);
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err);
    }
  }

  onFrame(listener: (frame: ReceivedFrame) => void): void {
    this.#listener = listener;
  }

  addMembership(mac: MacAddress): Promise<void> {
    try {
      this.#ndp.addMembership(mac);
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err);
    }
  }

  dropMembership(mac: MacAddress): Promise<void> {
    try {
      this.#ndp.dropMembership(mac);
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err);
    }
  }

  close(): Promise<void> {
    this.#arp.close();
    this.#ndp.close();
    return Promise.resolve();
  }
}
