import type { MacAddress } from '@lbkit/core';

/**
 * How a frame reached the socket, as Linux's `PACKET_*` packet types: addressed to us, broadcast,
 * multicast, to another host (promiscuous), or one we sent.
 */
export type PacketType = 'host' | 'broadcast' | 'multicast' | 'otherhost' | 'outgoing';

/** A frame received on a {@link PacketConn}. */
export interface ReceivedFrame {
  /** The whole Ethernet frame, header first, without FCS. */
  readonly data: Uint8Array;
  readonly packetType: PacketType;
  /** The interface it arrived on. */
  readonly ifindex: number;
}

/**
 * The smallest raw-frame transport the responder needs, bound to one interface: send a frame, receive
 * ARP and IPv6 frames, join and leave link-layer multicast groups. `@lbkit/dgram-plus` provides it on Linux
 * (see the `io/` adapter); `./testing` has an in-memory one.
 */
export interface PacketConn {
  /** Sends one Ethernet frame, header included. */
  send(frame: Uint8Array): Promise<void>;
  /** Sets the one listener that receives every frame (ARP and IPv6 at least). */
  onFrame(listener: (frame: ReceivedFrame) => void): void;
  /** Receives frames sent to a link-layer multicast address (the solicited-node groups of IPv6 VIPs). */
  addMembership(mac: MacAddress): Promise<void>;
  /** Stops receiving a group joined with {@link PacketConn.addMembership}. */
  dropMembership(mac: MacAddress): Promise<void>;
  close(): Promise<void>;
}

/** The interface a {@link PacketConn} is opened on. */
export interface PacketConnTarget {
  readonly name: string;
  readonly index: number;
  readonly mac: MacAddress;
}

/** Opens a {@link PacketConn} on an interface. */
export type OpenPacketConn = (target: PacketConnTarget) => Promise<PacketConn>;
