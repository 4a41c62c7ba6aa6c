/**
 * Wire constants of BFD, named as in RFC 5880 §4 and the IANA "BFD Parameters" registry, with reverse maps
 * for logs, and the defaults of this package with the reason for each.
 */

/** Protocol version carried in every control packet (RFC 5880 §4.1). */
export const BFD_VERSION = 1;

/** UDP destination port of single-hop control packets (RFC 5881 §4). */
export const SINGLE_HOP_CONTROL_PORT = 3784;
/** UDP destination port of single-hop echo packets (RFC 5881 §4); echo is not implemented. */
export const SINGLE_HOP_ECHO_PORT = 3785;
/** UDP destination port of multihop control packets (RFC 5883 §5). */
export const MULTIHOP_CONTROL_PORT = 4784;
/** Lowest source port a control packet may come from (RFC 5881 §4). */
export const SOURCE_PORT_MIN = 49152;
/** Highest source port a control packet may come from (RFC 5881 §4). */
export const SOURCE_PORT_MAX = 65535;
/** TTL / hop limit of every packet we send; single-hop receivers require it (RFC 5881 §5, RFC 5082). */
export const SEND_TTL = 255;

/** Length of the mandatory section of a control packet (RFC 5880 §4.1). */
export const CONTROL_HEADER_LENGTH = 24;

/**
 * While a session is not Up, Desired Min TX must be at least one second (RFC 5880 §6.8.3), in microseconds.
 */
export const SLOW_TX_INTERVAL_US = 1_000_000;

/** Session states (RFC 5880 §4.1, "Sta"). */
export const BFD_STATE = { AdminDown: 0, Down: 1, Init: 2, Up: 3 } as const;
/** A session state by its RFC name. */
export type BfdState = keyof typeof BFD_STATE;
/** State names by wire value. */
export const BFD_STATE_NAME: Readonly<Record<number, BfdState>> = { 0: 'AdminDown', 1: 'Down', 2: 'Init', 3: 'Up' };

/** Diagnostic codes (RFC 5880 §4.1, "Diag"), by the reason they name. */
export const BFD_DIAG = {
  none: 0,
  'control-detection-time-expired': 1,
  'echo-function-failed': 2,
  'neighbor-signaled-session-down': 3,
  'forwarding-plane-reset': 4,
  'path-down': 5,
  'concatenated-path-down': 6,
  'administratively-down': 7,
  'reverse-concatenated-path-down': 8,
} as const;
/** A diagnostic code by name; values 9–31 are reserved and appear as `reserved-N`. */
export type BfdDiag = keyof typeof BFD_DIAG | `reserved-${number}`;
const DIAG_BY_VALUE = new Map<number, BfdDiag>(Object.entries(BFD_DIAG).map(([k, v]) => [v, k as BfdDiag]));

/** The name of a wire diagnostic value. */
export function diagName(value: number): BfdDiag {
  return DIAG_BY_VALUE.get(value) ?? `reserved-${value}`;
}

/** The wire value of a diagnostic name. */
export function diagValue(name: BfdDiag): number {
  const known = (BFD_DIAG as Record<string, number>)[name];
  if (known !== undefined) return known;
  return Number(name.slice('reserved-'.length));
}

/** Authentication types (RFC 5880 §4.1, "Auth Type"). */
export const BFD_AUTH_TYPE = {
  'simple-password': 1,
  'keyed-md5': 2,
  'meticulous-keyed-md5': 3,
  'keyed-sha1': 4,
  'meticulous-keyed-sha1': 5,
} as const;
/** An authentication type by name. */
export type BfdAuthType = keyof typeof BFD_AUTH_TYPE;
/** Authentication type names by wire value. */
export const BFD_AUTH_TYPE_NAME: Readonly<Record<number, BfdAuthType>> = {
  1: 'simple-password',
  2: 'keyed-md5',
  3: 'meticulous-keyed-md5',
  4: 'keyed-sha1',
  5: 'meticulous-keyed-sha1',
};

/** Length of the authentication section of each type (RFC 5880 §4.2–4.4); simple password varies. */
export const AUTH_SECTION_LENGTH = { md5: 24, sha1: 28, simpleMin: 4, simpleMax: 19 } as const;
/** Digest lengths: MD5 16 bytes (RFC 1321), SHA-1 20 bytes (FIPS 180). */
export const DIGEST_LENGTH = { md5: 16, sha1: 20 } as const;

/** MetalLB's BFDProfile default receive interval, 300 ms (`bfdprofile_types.go`, FRR's default). */
export const DEFAULT_RECEIVE_INTERVAL_MS = 300;
/** MetalLB's BFDProfile default transmit interval, 300 ms. */
export const DEFAULT_TRANSMIT_INTERVAL_MS = 300;
/** FRR's default multiplier, which MetalLB inherits: 3 × 300 ms detects a failure in 900 ms. */
export const DEFAULT_DETECT_MULTIPLIER = 3;
/** FRR's default minimum TTL for multihop sessions, which MetalLB inherits. */
export const DEFAULT_MINIMUM_TTL = 254;
/** Intervals MetalLB's CRD accepts (ms). */
export const INTERVAL_RANGE_MS = { min: 10, max: 60_000 } as const;
/**
 * Below this interval (ms) a JavaScript timer cannot be trusted even in a worker thread on a loaded node
 * (shared/reference/election.md §5.3); shorter intervals need `allowFastTimers`.
 */
export const FAST_TIMER_FLOOR_MS = 50;
