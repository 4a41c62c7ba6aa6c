import { InvalidArgumentError } from '@lbkit/core';
import { checkUint, readIpv4Text, readU16, writeIpv4Text, writeU16 } from './address.js';
import { decodeCapability, writeCapability, capabilityValueLength, type Capability } from './capabilities.js';
import {
  AS_TRANS,
  BGP_VERSION,
  HEADER_LENGTH,
  MAX_MESSAGE_LENGTH,
  MessageType,
  OptionalParameterType,
} from './constants.js';
import { BgpDecodeError } from './errors.js';
import { writeHeader } from './header.js';

/** An optional parameter of OPEN: a list of capabilities (RFC 5492) or a parameter of another type, kept raw. */
export type OptionalParameter =
  | { readonly type: 'capabilities'; readonly capabilities: readonly Capability[] }
  | { readonly type: 'unknown'; readonly code: number; readonly value: Uint8Array };

/** The OPEN message (RFC 4271 §4.2). */
export interface OpenMessage {
  readonly type: 'open';
  readonly version: number;
  /** The 2-octet My Autonomous System field (AS_TRANS when the real ASN needs 4 octets). */
  readonly myAutonomousSystem: number;
  readonly holdTime: number;
  /** BGP Identifier in dotted-quad form. */
  readonly bgpIdentifier: string;
  readonly optionalParameters: readonly OptionalParameter[];
  /**
   * Whether the parameters use the extended length form of RFC 9072. Decoding sets it only when the peer used
   * it; encoding uses it when set or when the parameters exceed 255 octets.
   */
  readonly extendedParameters?: true;
}

/** Decodes an OPEN body; `b` is the whole message, header included. */
export function decodeOpenBody(b: Uint8Array): OpenMessage {
  const end = b.length;
  // The header check guarantees at least the 10 fixed octets.
  const version = b[19]!;
  const myAutonomousSystem = readU16(b, 20);
  const holdTime = readU16(b, 22);
  const bgpIdentifier = readIpv4Text(b, 24);
  let optLen = b[28]!;
  let o = 29;
  let extended = false;
  // RFC 9072 §2: a non-extended length of 255 followed by parameter type 255 announces the extended form.
  if (optLen === 255 && o < end && b[o] === OptionalParameterType.EXTENDED_LENGTH) {
    if (o + 3 > end) throw new BgpDecodeError('open-parameters-overrun', o, 2, 0);
    extended = true;
    optLen = readU16(b, o + 1);
    o += 3;
  }
  if (o + optLen !== end) throw new BgpDecodeError('open-parameters-overrun', 28, 2, 0);
  const optionalParameters: OptionalParameter[] = [];
  while (o < end) {
    const head = extended ? 3 : 2;
    if (o + head > end) throw new BgpDecodeError('open-parameter-truncated', o, 2, 0);
    const ptype = b[o]!;
    const plen = extended ? readU16(b, o + 1) : b[o + 1]!;
    const vstart = o + head;
    if (vstart + plen > end) throw new BgpDecodeError('open-parameter-truncated', o, 2, 0);
    if (ptype === OptionalParameterType.CAPABILITIES) {
      const capabilities: Capability[] = [];
      let c = vstart;
      const cend = vstart + plen;
      while (c < cend) {
        if (c + 2 > cend) throw new BgpDecodeError('open-capability-truncated', c, 2, 0);
        const code = b[c]!;
        const clen = b[c + 1]!;
        if (c + 2 + clen > cend) throw new BgpDecodeError('open-capability-truncated', c, 2, 0);
        capabilities.push(decodeCapability(code, b, c + 2, clen));
        c += 2 + clen;
      }
      optionalParameters.push({ type: 'capabilities', capabilities });
    } else {
      optionalParameters.push({ type: 'unknown', code: ptype, value: b.slice(vstart, vstart + plen) });
    }
    o = vstart + plen;
  }
  const msg: OpenMessage = { type: 'open', version, myAutonomousSystem, holdTime, bgpIdentifier, optionalParameters };
  return extended ? { ...msg, extendedParameters: true } : msg;
}

function parameterValueLength(p: OptionalParameter): number {
  if (p.type === 'unknown') return p.value.length;
  let n = 0;
  for (const c of p.capabilities) n += 2 + capabilityValueLength(c);
  return n;
}

/**
 * Encodes an OPEN message.
 *
 * ```
 * +---------+-------------+-----------+----------------+-------------+---------------------+
 * | Version | My AS (2)   | Hold (2)  | BGP Identifier | Opt Len (1) | Optional Parameters |
 * +---------+-------------+-----------+----------------+-------------+---------------------+
 * RFC 9072 form: Opt Len = 255, then type 255 and a 2-octet length; each parameter then has a 2-octet length.
 * ```
 */
export function encodeOpen(msg: OpenMessage): Uint8Array {
  checkUint(msg.version, 8, 'open.version');
  checkUint(msg.myAutonomousSystem, 16, 'open.myAutonomousSystem');
  checkUint(msg.holdTime, 16, 'open.holdTime');
  let plain = 0;
  let fitsPlain = true;
  for (const p of msg.optionalParameters) {
    const len = parameterValueLength(p);
    if (len > 255) fitsPlain = false;
    plain += 2 + len;
  }
  const extended = msg.extendedParameters === true || !fitsPlain || plain > 255;
  const paramsLen = extended ? plain + msg.optionalParameters.length : plain;
  const total = HEADER_LENGTH + 10 + (extended ? 3 : 0) + paramsLen;
  if (total > MAX_MESSAGE_LENGTH)
    throw new InvalidArgumentError('open.optionalParameters', 'an OPEN of at most 4096 octets', total);
  const b = new Uint8Array(total);
  writeHeader(b, MessageType.OPEN);
  b[19] = msg.version;
  writeU16(b, 20, msg.myAutonomousSystem);
  writeU16(b, 22, msg.holdTime);
  writeIpv4Text(b, 24, msg.bgpIdentifier, 'open.bgpIdentifier');
  let o = 29;
  if (extended) {
    b[28] = 255;
    b[29] = OptionalParameterType.EXTENDED_LENGTH;
    writeU16(b, 30, paramsLen);
    o = 32;
  } else {
    b[28] = paramsLen;
  }
  for (const p of msg.optionalParameters) {
    const len = parameterValueLength(p);
    const code = p.type === 'unknown' ? p.code : OptionalParameterType.CAPABILITIES;
    checkUint(code, 8, 'optionalParameter.code');
    b[o] = code;
    if (extended) {
      writeU16(b, o + 1, len);
      o += 3;
    } else {
      b[o + 1] = len;
      o += 2;
    }
    if (p.type === 'unknown') {
      b.set(p.value, o);
      o += len;
    } else {
      for (const c of p.capabilities) o = writeCapability(b, o, c);
    }
  }
  return b;
}

/** Every capability of an OPEN, across all its capability parameters, in wire order. */
export function openCapabilities(msg: OpenMessage): Capability[] {
  const out: Capability[] = [];
  for (const p of msg.optionalParameters) if (p.type === 'capabilities') out.push(...p.capabilities);
  return out;
}

/** The peer's real AS number: the 4-octet AS capability when present, else My Autonomous System (RFC 6793 §4). */
export function openAsn(msg: OpenMessage): number {
  for (const c of openCapabilities(msg)) if (c.type === 'four-octet-as') return c.asn;
  return msg.myAutonomousSystem;
}

/** What {@link createOpen} needs. */
export interface CreateOpenInit {
  /** Our AS number (1..4294967295). */
  readonly asn: number;
  /** Proposed hold time in seconds (0 or at least 3, RFC 4271 §4.2). */
  readonly holdTime: number;
  /** Our BGP Identifier, dotted quad. */
  readonly bgpIdentifier: string;
  /** Capabilities to advertise; a 4-octet AS capability carrying `asn` is added when missing. */
  readonly capabilities: readonly Capability[];
}

/**
 * Builds an OPEN as RFC 6793 wants it: AS_TRANS in the 2-octet field when the ASN needs 4 octets, the 4-octet
 * AS capability always present, and every capability in one optional parameter.
 */
export function createOpen(init: CreateOpenInit): OpenMessage {
  checkUint(init.asn, 32, 'asn');
  if (init.asn === 0) throw new InvalidArgumentError('asn', 'an AS number in 1..4294967295', init.asn);
  if (
    !Number.isInteger(init.holdTime) ||
    init.holdTime < 0 ||
    init.holdTime > 65535 ||
    init.holdTime === 1 ||
    init.holdTime === 2
  ) {
    throw new InvalidArgumentError('holdTime', 'seconds: 0 or 3..65535 (RFC 4271 §4.2)', init.holdTime);
  }
  const caps = init.capabilities.some((c) => c.type === 'four-octet-as')
    ? init.capabilities
    : [...init.capabilities, { type: 'four-octet-as', asn: init.asn } as const];
  return {
    type: 'open',
    version: BGP_VERSION,
    myAutonomousSystem: init.asn > 0xffff ? AS_TRANS : init.asn,
    holdTime: init.holdTime,
    bgpIdentifier: init.bgpIdentifier,
    optionalParameters: [{ type: 'capabilities', capabilities: caps }],
  };
}
