import { InvalidArgumentError, parseIp, parseIpv4, parsePrefix, type Prefix } from '@lbkit/core';

/** Address families a session may carry. */
export type AddressFamily = 'ipv4-unicast' | 'ipv6-unicast';

/** BGP's TCP port (RFC 4271 §8.2.1). */
export const BGP_PORT = 179;
/** Hold time, RFC 4271 §10's suggestion. */
export const HOLD_TIME_S = 90;
/** Keepalive interval: a third of the hold time (RFC 4271 §10). */
export const KEEPALIVE_TIME_S = 30;
/** First ConnectRetry wait after a failed connect; doubles per failure (a load balancer wants routes back fast). */
export const CONNECT_RETRY_TIME_S = 5;
/** Ceiling of the ConnectRetry backoff: RFC 4271 §10's ConnectRetryTime. */
export const CONNECT_RETRY_MAX_TIME_S = 120;
/** How long one TCP connect attempt may take. */
export const CONNECT_TIMEOUT_S = 10;
/** First IdleHold wait after a session error; doubles per flap (RFC 4271 §8.1.1 DampPeerOscillations). */
export const IDLE_HOLD_TIME_S = 1;
/** Ceiling of the IdleHold backoff. */
export const IDLE_HOLD_MAX_TIME_S = 60;
/** A session up this long is stable: the next error waits only IDLE_HOLD_TIME_S again. */
export const DAMPING_RESET_TIME_S = 60;
/** Window in which route changes coalesce into shared UPDATEs. */
export const COALESCE_MS = 25;
/** Restart time advertised in the graceful restart capability (RFC 4724 §3; GoBGP and Cilium use 120). */
export const GRACEFUL_RESTART_TIME_S = 120;
/** TTL of GTSM (RFC 5082 §3). */
export const GTSM_TTL = 255;

/** One configured neighbour. */
export interface PeerInit {
  /** The peer's address (IPv4 or IPv6; `fe80::1%eth0` for link-local). */
  readonly address: string;
  /** The peer's AS; equal to ours makes the session internal (iBGP). */
  readonly asn: number;
  /** @default 179 — the peer's port; change it for a peer on the same host or in a test. */
  readonly port?: number;
  /** @default kernel's choice — source address of our connection, and the next hop we announce. */
  readonly localAddress?: string;
  /** @default false — only wait for the peer to connect (we still accept when active). */
  readonly passive?: boolean;
  /** @default 90 — seconds, 0 or at least 3; lower detects a dead peer sooner and costs more keepalives. */
  readonly holdTime?: number;
  /** @default 30 — seconds; the effective interval is min(this, negotiated hold / 3). */
  readonly keepaliveTime?: number;
  /** @default 5 — seconds before the first reconnect; doubles per failure up to connectRetryMaxTime. */
  readonly connectRetryTime?: number;
  /** @default 120 — ceiling of the reconnect backoff, in seconds. */
  readonly connectRetryMaxTime?: number;
  /** @default 10 — seconds one connect attempt may take (an MD5 mismatch shows as a timeout). */
  readonly connectTimeout?: number;
  /** @default 0 (off) — DelayOpenTime in seconds: wait for the peer's OPEN before sending ours. */
  readonly delayOpenTime?: number;
  /** @default 1 — IdleHold seconds after the first error; doubles per flap up to idleHoldMaxTime. */
  readonly idleHoldTime?: number;
  /** @default 60 — ceiling of the flap damping wait, in seconds. */
  readonly idleHoldMaxTime?: number;
  /** @default undefined — TCP-MD5 password (RFC 2385); needs the dgram-plus addon and root. */
  readonly md5Password?: string;
  /** @default undefined (1 hop, kernel TTL) — TTL for an eBGP peer several hops away. */
  readonly ebgpMultihop?: number;
  /** @default false — GTSM (RFC 5082): send with TTL 255 and drop segments below 255 (254 per extra hop). */
  readonly gtsm?: boolean;
  /** @default undefined — bind the connection to an interface or VRF device. */
  readonly device?: string;
  /** @default both families — what the session carries. */
  readonly families?: readonly AddressFamily[];
  /** @default the session's local IPv4 address (next hop self) — next hop of IPv4 routes. */
  readonly nextHopV4?: string;
  /** @default the session's local IPv6 address, else IPv4-mapped — global next hop of IPv6 routes. */
  readonly nextHopV6?: string;
  /**
   * @default the session's own link-local address, or that of its interface for a directly connected eBGP
   * peer — the link-local IPv6 next hop (RFC 2545 §3).
   */
  readonly linkLocalNextHopV6?: string;
  /** @default false — offer add-path send (RFC 7911); each prefix then carries path id 1. */
  readonly addPath?: boolean;
  /** @default true — offer extended messages (RFC 8654): fewer, larger UPDATEs. */
  readonly extendedMessage?: boolean;
  /** @default true — offer graceful restart (RFC 4724) with the speaker's restart time. */
  readonly gracefulRestart?: boolean;
  /** @default false — keep received routes (Adj-RIB-In) for collectors; off saves memory. */
  readonly adjRibIn?: boolean;
  /** @default 100 — LOCAL_PREF towards an internal peer when a route sets none. */
  readonly defaultLocalPref?: number;
  /** @default '' — free text shown in status. */
  readonly description?: string;
}

/** A range of addresses from which unconfigured peers may connect (dynamic neighbours, passive only). */
export interface DynamicNeighborInit extends Omit<PeerInit, 'address' | 'asn' | 'passive'> {
  /** Accepted source prefix, e.g. `192.0.2.0/24`. */
  readonly prefix: string;
  /** The AS such peers must have; undefined accepts any AS in their OPEN. */
  readonly asn?: number;
}

/** A {@link PeerInit} with every default filled in and checked. */
export interface PeerConfig {
  readonly address: string;
  /** undefined for a dynamic neighbour that accepts any AS. */
  readonly asn: number | undefined;
  readonly port: number;
  readonly localAddress?: string;
  readonly passive: boolean;
  readonly holdTime: number;
  readonly keepaliveTime: number;
  readonly connectRetryTime: number;
  readonly connectRetryMaxTime: number;
  readonly connectTimeout: number;
  readonly delayOpenTime: number;
  readonly idleHoldTime: number;
  readonly idleHoldMaxTime: number;
  readonly md5Password?: string;
  readonly ebgpMultihop?: number;
  readonly gtsm: boolean;
  readonly device?: string;
  readonly families: readonly AddressFamily[];
  readonly nextHopV4?: string;
  readonly nextHopV6?: string;
  readonly linkLocalNextHopV6?: string;
  readonly addPath: boolean;
  readonly extendedMessage: boolean;
  readonly gracefulRestart: boolean;
  readonly adjRibIn: boolean;
  readonly defaultLocalPref: number;
  readonly description: string;
  readonly dynamic: boolean;
}

function num(v: number | undefined, dflt: number, field: string, min: number, max: number): number {
  const x = v ?? dflt;
  if (typeof x !== 'number' || !Number.isFinite(x) || x < min || x > max)
    throw new InvalidArgumentError(field, `a number in ${min}..${max}`, v);
  return x;
}

function checkAsn(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 0xffffffff)
    throw new InvalidArgumentError(field, 'an AS number in 1..4294967295', v);
  return v;
}

function checkAddress(v: string | undefined, field: string, family?: 4 | 6): string | undefined {
  if (v === undefined) return undefined;
  try {
    const a = parseIp(v.split('%')[0]!);
    if (family !== undefined && a.family !== family) throw new Error('wrong family');
  } catch (err) {
    throw new InvalidArgumentError(field, family === undefined ? 'an IP address' : `an IPv${family} address`, v, {
      cause: err,
    });
  }
  return v;
}

/** Fills in and checks a peer's settings; `prefix` names the field in errors (`peers[2]`). */
export function resolvePeer(
  init: PeerInit | (DynamicNeighborInit & { address: string }),
  field: string,
  dynamic = false,
): PeerConfig {
  if (typeof init !== 'object' || init === null) throw new InvalidArgumentError(field, 'an object', init);
  const address = checkAddress(init.address, `${field}.address`)!;
  const asn = init.asn === undefined && dynamic ? undefined : checkAsn(init.asn, `${field}.asn`);
  const holdTime = num(init.holdTime, HOLD_TIME_S, `${field}.holdTime`, 0, 65535);
  if (holdTime !== 0 && holdTime < 3)
    throw new InvalidArgumentError(`${field}.holdTime`, 'seconds: 0 or at least 3 (RFC 4271 §4.2)', holdTime);
  if (!Number.isInteger(holdTime)) throw new InvalidArgumentError(`${field}.holdTime`, 'whole seconds', holdTime);
  const families = init.families ?? ['ipv4-unicast', 'ipv6-unicast'];
  for (const f of families)
    if (f !== 'ipv4-unicast' && f !== 'ipv6-unicast')
      throw new InvalidArgumentError(`${field}.families`, "'ipv4-unicast' or 'ipv6-unicast'", f);
  if (families.length === 0) throw new InvalidArgumentError(`${field}.families`, 'at least one family', families);
  const md5 = init.md5Password;
  if (md5 !== undefined && (typeof md5 !== 'string' || md5.length === 0 || md5.length > 80)) {
    throw new InvalidArgumentError(`${field}.md5Password`, 'a string of 1..80 characters (TCP_MD5SIG_MAXKEYLEN)', md5);
  }
  const out: PeerConfig = {
    address,
    asn,
    port: num(init.port, BGP_PORT, `${field}.port`, 1, 65535),
    passive: dynamic ? true : ((init as PeerInit).passive ?? false),
    holdTime,
    keepaliveTime: num(init.keepaliveTime, KEEPALIVE_TIME_S, `${field}.keepaliveTime`, 0.01, 21845),
    connectRetryTime: num(init.connectRetryTime, CONNECT_RETRY_TIME_S, `${field}.connectRetryTime`, 0.01, 65535),
    connectRetryMaxTime: num(
      init.connectRetryMaxTime,
      CONNECT_RETRY_MAX_TIME_S,
      `${field}.connectRetryMaxTime`,
      0.01,
      65535,
    ),
    connectTimeout: num(init.connectTimeout, CONNECT_TIMEOUT_S, `${field}.connectTimeout`, 0.01, 3600),
    delayOpenTime: num(init.delayOpenTime, 0, `${field}.delayOpenTime`, 0, 240),
    idleHoldTime: num(init.idleHoldTime, IDLE_HOLD_TIME_S, `${field}.idleHoldTime`, 0, 3600),
    idleHoldMaxTime: num(init.idleHoldMaxTime, IDLE_HOLD_MAX_TIME_S, `${field}.idleHoldMaxTime`, 0, 86400),
    gtsm: init.gtsm ?? false,
    families,
    addPath: init.addPath ?? false,
    extendedMessage: init.extendedMessage ?? true,
    gracefulRestart: init.gracefulRestart ?? true,
    adjRibIn: init.adjRibIn ?? false,
    defaultLocalPref: num(init.defaultLocalPref, 100, `${field}.defaultLocalPref`, 0, 0xffffffff),
    description: init.description ?? '',
    dynamic,
    ...(init.localAddress === undefined
      ? {}
      : { localAddress: checkAddress(init.localAddress, `${field}.localAddress`)! }),
    ...(md5 === undefined ? {} : { md5Password: md5 }),
    ...(init.ebgpMultihop === undefined
      ? {}
      : { ebgpMultihop: num(init.ebgpMultihop, 1, `${field}.ebgpMultihop`, 1, 255) }),
    ...(init.device === undefined ? {} : { device: init.device }),
    ...(init.nextHopV4 === undefined ? {} : { nextHopV4: checkAddress(init.nextHopV4, `${field}.nextHopV4`, 4)! }),
    ...(init.nextHopV6 === undefined ? {} : { nextHopV6: checkAddress(init.nextHopV6, `${field}.nextHopV6`, 6)! }),
    ...(init.linkLocalNextHopV6 === undefined
      ? {}
      : { linkLocalNextHopV6: checkAddress(init.linkLocalNextHopV6, `${field}.linkLocalNextHopV6`, 6)! }),
  };
  if (out.connectRetryMaxTime < out.connectRetryTime)
    throw new InvalidArgumentError(
      `${field}.connectRetryMaxTime`,
      `at least connectRetryTime (${out.connectRetryTime})`,
      out.connectRetryMaxTime,
    );
  return out;
}

/** Checks a router ID: a non-zero dotted quad (RFC 6286 §2.1). */
export function checkRouterId(v: unknown, field: string): string {
  if (typeof v !== 'string') throw new InvalidArgumentError(field, 'a dotted-quad BGP Identifier', v);
  let n: bigint;
  try {
    n = parseIpv4(v);
  } catch (err) {
    throw new InvalidArgumentError(field, 'a dotted-quad BGP Identifier', v, { cause: err });
  }
  if (n === 0n) throw new InvalidArgumentError(field, 'a non-zero BGP Identifier', v);
  return v;
}

/** Parses a dynamic neighbour range. */
export function checkRange(v: unknown, field: string): Prefix {
  if (typeof v !== 'string') throw new InvalidArgumentError(field, 'a prefix such as 192.0.2.0/24', v);
  try {
    return parsePrefix(v);
  } catch (err) {
    throw new InvalidArgumentError(field, 'a prefix such as 192.0.2.0/24', v, { cause: err });
  }
}

export { checkAsn };
