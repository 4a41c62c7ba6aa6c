import { InvalidArgumentError, ipFamilyOf, canonicalIp } from '@lbkit/core';
import {
  BFD_AUTH_TYPE,
  DEFAULT_DETECT_MULTIPLIER,
  DEFAULT_MINIMUM_TTL,
  DEFAULT_RECEIVE_INTERVAL_MS,
  DEFAULT_TRANSMIT_INTERVAL_MS,
  FAST_TIMER_FLOOR_MS,
  INTERVAL_RANGE_MS,
  SOURCE_PORT_MAX,
  SOURCE_PORT_MIN,
  type BfdAuthType,
} from '../constants.js';
import { BfdUnsupportedError } from '../errors.js';
import type { BfdAuthKey } from '../fsm/auth.js';

/** Authentication of a session (RFC 5880 §6.7). */
export interface BfdAuthInit {
  readonly type: BfdAuthType;
  /**
   * Key ID sent in every packet and required on receipt.
   * @default 1
   */
  readonly keyId?: number;
  /** Password (simple, 1–16 bytes) or shared secret (MD5 ≤ 16 bytes, SHA-1 ≤ 20 bytes); a string is UTF-8. */
  readonly secret: string | Uint8Array;
}

/** One BFD session as a caller configures it. Plain, serialisable data. */
export interface BfdSessionInit {
  /**
   * The peer's address (IPv4 or IPv6). An IPv6 link-local address may carry its interface as a zone
   * (`fe80::1%eth0`), which then sets `interface`.
   */
  readonly peerAddress: string;
  /**
   * Our address for this session; sent from and received on. Needed when several sessions share a peer address.
   * @default undefined (the kernel's choice, received on the wildcard address)
   */
  readonly localAddress?: string;
  /**
   * Interface the session is tied to (single hop); bound with SO_BINDTODEVICE when the transport can.
   * @default undefined
   */
  readonly interface?: string;
  /**
   * RFC 5883 multihop (port 4784, minimum-TTL check) instead of RFC 5881 single hop (port 3784, TTL 255).
   * @default false
   */
  readonly multihop?: boolean;
  /**
   * Desired Min TX (ms). Lower detects sooner and costs more packets and CPU. MetalLB `transmitInterval`.
   * @default 300
   */
  readonly transmitIntervalMs?: number;
  /**
   * Required Min RX (ms): the fastest we accept packets. MetalLB `receiveInterval`.
   * @default 300
   */
  readonly receiveIntervalMs?: number;
  /**
   * Detect Mult: packets missed before the peer declares us down. Higher tolerates loss, detects later.
   * MetalLB `detectMultiplier`.
   * @default 3
   */
  readonly detectMultiplier?: number;
  /**
   * Passive role: wait for the peer's first packet before sending (RFC 5880 §6.1). MetalLB `passiveMode`.
   * @default false
   */
  readonly passiveMode?: boolean;
  /**
   * Multihop only: the lowest received TTL accepted. MetalLB `minimumTtl`.
   * @default 254
   */
  readonly minimumTtl?: number;
  /**
   * Echo mode is not implemented: `true` is refused with {@link BfdUnsupportedError}. MetalLB `echoMode`.
   * @default false
   */
  readonly echoMode?: boolean;
  /**
   * Authentication; both sides must agree, or the session stays Down.
   * @default undefined (none)
   */
  readonly auth?: BfdAuthInit;
  /**
   * Accept intervals below 50 ms. JavaScript timers are not trustworthy below that even in a worker.
   * @default false
   */
  readonly allowFastTimers?: boolean;
  /**
   * Source port (49152–65535). Fixed for the session's life (RFC 5881 §4).
   * @default a free port chosen at random
   */
  readonly sourcePort?: number;
}

/** A validated session configuration, ready for the engine (still plain data, so it crosses to the worker). */
export interface ResolvedSessionConfig {
  readonly peerAddress: string;
  readonly localAddress: string | undefined;
  readonly interface: string | undefined;
  readonly multihop: boolean;
  readonly transmitIntervalMs: number;
  readonly receiveIntervalMs: number;
  readonly detectMultiplier: number;
  readonly passiveMode: boolean;
  readonly minimumTtl: number;
  readonly auth: BfdAuthKey | undefined;
  readonly sourcePort: number | undefined;
}

function checkInt(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(field, `an integer ${min}..${max}`, value);
  }
  return value;
}

function checkInterval(field: string, value: number, allowFast: boolean): number {
  checkInt(field, value, INTERVAL_RANGE_MS.min, INTERVAL_RANGE_MS.max);
  if (value < FAST_TIMER_FLOOR_MS && !allowFast) {
    throw new InvalidArgumentError(
      field,
      `at least ${FAST_TIMER_FLOOR_MS} ms (JavaScript timers cannot keep a shorter interval reliably; set allowFastTimers to override)`,
      value,
    );
  }
  return value;
}

function checkAddress(field: string, value: unknown): { address: string; zone: string | undefined } {
  if (typeof value !== 'string') throw new InvalidArgumentError(field, 'an IPv4 or IPv6 address', value);
  const pct = value.indexOf('%');
  const bare = pct === -1 ? value : value.slice(0, pct);
  const zone = pct === -1 ? undefined : value.slice(pct + 1);
  let address: string;
  try {
    address = canonicalIp(bare);
  } catch (err) {
    throw new InvalidArgumentError(field, 'an IPv4 or IPv6 address', value, { cause: err });
  }
  if (zone !== undefined && (zone === '' || !isLinkLocal(address))) {
    throw new InvalidArgumentError(field, 'a zone (%interface) only on an IPv6 link-local address', value);
  }
  return { address, zone };
}

/** Whether an address is IPv6 link-local (fe80::/10), which needs an interface to be used. */
export function isLinkLocal(address: string): boolean {
  return /^fe[89ab][0-9a-f]?:/i.test(address);
}

function resolveAuth(auth: BfdAuthInit): BfdAuthKey {
  if (!(auth.type in BFD_AUTH_TYPE))
    throw new InvalidArgumentError('auth.type', Object.keys(BFD_AUTH_TYPE).join(' | '), auth.type);
  const keyId = checkInt('auth.keyId', auth.keyId ?? 1, 0, 255);
  const secret = typeof auth.secret === 'string' ? new TextEncoder().encode(auth.secret) : auth.secret;
  if (!(secret instanceof Uint8Array))
    throw new InvalidArgumentError('auth.secret', 'a string or Uint8Array', auth.secret);
  const max = auth.type === 'simple-password' || auth.type.endsWith('md5') ? 16 : 20;
  if (secret.length < 1 || secret.length > max)
    throw new InvalidArgumentError('auth.secret', `1..${max} bytes for ${auth.type}`, `${secret.length} bytes`);
  return { type: auth.type, keyId, secret: Uint8Array.from(secret) };
}

/** Validates a session configuration and fills in defaults; throws naming the field, what was expected and what came. */
export function resolveSessionConfig(init: BfdSessionInit): ResolvedSessionConfig {
  if (typeof init !== 'object' || init === null) throw new InvalidArgumentError('session', 'an object', init);
  const peer = checkAddress('peerAddress', init.peerAddress);
  const local = init.localAddress === undefined ? undefined : checkAddress('localAddress', init.localAddress);
  const peerAddress = peer.address;
  const localAddress = local?.address;
  const zones = [peer.zone, local?.zone, init.interface].filter((z): z is string => z !== undefined);
  if (new Set(zones).size > 1)
    throw new InvalidArgumentError(
      'interface',
      `one interface (zones and interface disagree: ${zones.join(', ')})`,
      init.interface,
    );
  const iface = zones[0];
  if ((isLinkLocal(peerAddress) || (localAddress !== undefined && isLinkLocal(localAddress))) && iface === undefined) {
    throw new InvalidArgumentError(
      'interface',
      'an interface for an IPv6 link-local session (or a %zone on the address)',
      undefined,
    );
  }
  if (localAddress !== undefined && ipFamilyOf(localAddress) !== ipFamilyOf(peerAddress)) {
    throw new InvalidArgumentError(
      'localAddress',
      `an address of the same family as peerAddress ${peerAddress}`,
      localAddress,
    );
  }
  if (init.echoMode === true) {
    throw new BfdUnsupportedError(
      'echo-mode',
      "echoMode: BFD echo mode is not implemented by @lbkit/bfd (it needs packets looped through the peer's forwarding plane); set echoMode to false and rely on asynchronous control packets",
    );
  }
  const allowFast = init.allowFastTimers === true;
  const multihop = init.multihop === true;
  if (
    init.interface !== undefined &&
    (typeof init.interface !== 'string' || init.interface === '' || init.interface.length > 15)
  ) {
    throw new InvalidArgumentError('interface', 'an interface name of 1..15 characters', init.interface);
  }
  return {
    peerAddress,
    localAddress,
    interface: iface,
    multihop,
    transmitIntervalMs: checkInterval(
      'transmitIntervalMs',
      init.transmitIntervalMs ?? DEFAULT_TRANSMIT_INTERVAL_MS,
      allowFast,
    ),
    receiveIntervalMs: checkInterval(
      'receiveIntervalMs',
      init.receiveIntervalMs ?? DEFAULT_RECEIVE_INTERVAL_MS,
      allowFast,
    ),
    detectMultiplier: checkInt('detectMultiplier', init.detectMultiplier ?? DEFAULT_DETECT_MULTIPLIER, 1, 255),
    passiveMode: init.passiveMode === true,
    minimumTtl: checkInt('minimumTtl', init.minimumTtl ?? DEFAULT_MINIMUM_TTL, 1, 255),
    auth: init.auth === undefined ? undefined : resolveAuth(init.auth),
    sourcePort:
      init.sourcePort === undefined
        ? undefined
        : checkInt('sourcePort', init.sourcePort, SOURCE_PORT_MIN, SOURCE_PORT_MAX),
  };
}
