/** Ethertypes (IEEE 802 numbers, host order) and the Linux pseudo-protocol for "every frame". */
export const ETH_P = {
  /** Every protocol (Linux `ETH_P_ALL`): the socket also sees outgoing frames. */
  ALL: 0x0003,
  IP: 0x0800,
  ARP: 0x0806,
  VLAN: 0x8100,
  IPV6: 0x86dd,
} as const;

/** Reverse map of {@link ETH_P}, for logs. */
export const ETH_P_NAMES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(ETH_P).map(([k, v]) => [v, k]),
);

/** How a received frame was addressed, as the kernel classified it (`sll_pkttype`). */
export type PacketType = 'host' | 'broadcast' | 'multicast' | 'otherhost' | 'outgoing' | 'loopback' | 'unknown';

/** `PACKET_*` values of `<linux/if_packet.h>` in index order. */
export const PACKET_TYPES: readonly PacketType[] = [
  'host',
  'broadcast',
  'multicast',
  'otherhost',
  'outgoing',
  'loopback',
];

/** Default bound of a socket's receive queue: large enough for a burst, small enough to bound memory. */
export const DEFAULT_QUEUE_SIZE = 1024;

/**
 * Frames or datagrams read per readiness event before returning to the event loop: batching amortises the
 * crossing into JavaScript, the cap keeps one busy socket from starving timers and other sockets.
 */
export const DEFAULT_BATCH_SIZE = 64;

/** The TTL GTSM peers send and expect (RFC 5082 §3). */
export const GTSM_TTL = 255;

/** Longest TCP-MD5 key the kernel accepts (`TCP_MD5SIG_MAXKEYLEN`). */
export const MD5_MAX_KEY_LENGTH = 80;

/** Default listen backlog, as Node's `net.Server` uses. */
export const DEFAULT_BACKLOG = 511;

/** Default time a TCP connect may take before it fails with TimeoutError (ms). */
export const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;
