import {
  AUTH_SECTION_LENGTH,
  BFD_AUTH_TYPE,
  BFD_AUTH_TYPE_NAME,
  BFD_STATE,
  BFD_STATE_NAME,
  CONTROL_HEADER_LENGTH,
  DIGEST_LENGTH,
  diagName,
  diagValue,
  type BfdAuthType,
  type BfdDiag,
  type BfdState,
} from '../constants.js';
import { InvalidArgumentError } from '@lbkit/core';
import { BfdDecodeError } from '../errors.js';
import { writeDigest } from './digest.js';

/** Authentication types whose section carries a sequence number and a digest (RFC 5880 §4.3, §4.4). */
export type BfdDigestAuthType = Exclude<BfdAuthType, 'simple-password'>;

/** The Simple Password authentication section (RFC 5880 §4.2). */
export interface BfdSimplePasswordAuth {
  readonly type: 'simple-password';
  readonly keyId: number;
  /** 1 to 16 bytes. */
  readonly password: Uint8Array;
}

/** A Keyed / Meticulous Keyed MD5 or SHA-1 authentication section (RFC 5880 §4.3, §4.4). */
export interface BfdDigestAuth {
  readonly type: BfdDigestAuthType;
  readonly keyId: number;
  readonly sequence: number;
  /** 16 bytes for MD5, 20 for SHA-1. */
  readonly digest: Uint8Array;
}

/** An authentication section of a type this package does not know, kept raw so it re-encodes unchanged. */
export interface BfdUnknownAuth {
  readonly type: 'unknown';
  readonly authType: number;
  /** The section after its Auth Type and Auth Len bytes. */
  readonly data: Uint8Array;
}

/** The optional authentication section of a control packet. */
export type BfdAuthSection = BfdSimplePasswordAuth | BfdDigestAuth | BfdUnknownAuth;

/** A BFD control packet (RFC 5880 §4.1); intervals are in microseconds as on the wire. */
export interface BfdControlPacket {
  /** 1 for every packet this package sends; checked on receipt by validation, not by the decoder. */
  readonly version: number;
  readonly diag: BfdDiag;
  readonly state: BfdState;
  /** P: the sender asks for verification of a parameter change. */
  readonly poll: boolean;
  /** F: the answer to a packet with P set. */
  readonly final: boolean;
  /** C: the sender's BFD does not share fate with its control plane. */
  readonly controlPlaneIndependent: boolean;
  /** D: the sender wishes to run demand mode. */
  readonly demand: boolean;
  /** M: reserved for multipoint; must be zero. */
  readonly multipoint: boolean;
  readonly detectMult: number;
  readonly myDiscriminator: number;
  readonly yourDiscriminator: number;
  readonly desiredMinTxInterval: number;
  readonly requiredMinRxInterval: number;
  readonly requiredMinEchoRxInterval: number;
  /** Present exactly when the A bit is set. */
  readonly auth?: BfdAuthSection;
}

/** Options of {@link encodeControl}. */
export interface EncodeControlOptions {
  /**
   * The shared secret of a Keyed MD5 / SHA-1 section: when given, the digest is computed over the packet
   * (RFC 5880 §6.7.3, §6.7.4) and the section's own `digest` is ignored.
   */
  readonly key?: Uint8Array;
}

const FLAG_P = 0x20;
const FLAG_F = 0x10;
const FLAG_C = 0x08;
const FLAG_A = 0x04;
const FLAG_D = 0x02;
const FLAG_M = 0x01;
const U32_MAX = 0xffff_ffff;

/** Length of the authentication section as it will be written. */
export function authSectionLength(auth: BfdAuthSection): number {
  switch (auth.type) {
    case 'simple-password':
      return 3 + auth.password.length;
    case 'keyed-md5':
    case 'meticulous-keyed-md5':
      return AUTH_SECTION_LENGTH.md5;
    case 'keyed-sha1':
    case 'meticulous-keyed-sha1':
      return AUTH_SECTION_LENGTH.sha1;
    case 'unknown':
      return 2 + auth.data.length;
  }
}

/** Whether an authentication type uses MD5 (16-byte digest) rather than SHA-1. */
export function isMd5(type: BfdDigestAuthType): boolean {
  return type === 'keyed-md5' || type === 'meticulous-keyed-md5';
}

/**
 * Encodes a control packet.
 *
 * ```
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * |Vers |  Diag   |Sta|P|F|C|A|D|M|  Detect Mult  |    Length     |
 * |                       My Discriminator                        |
 * |                      Your Discriminator                       |
 * |                    Desired Min TX Interval                    |
 * |                   Required Min RX Interval                    |
 * |                 Required Min Echo RX Interval                 |
 * |   Auth Type   |   Auth Len    |  Auth Key ID  |  ...          |   (optional, A set)
 * ```
 * Simple password: Key ID then 1–16 password bytes. MD5 / SHA-1: Key ID, a reserved byte, a 32-bit sequence
 * number and a 16- or 20-byte digest.
 */
export function encodeControl(packet: BfdControlPacket, options: EncodeControlOptions = {}): Uint8Array {
  checkPacket(packet);
  const authLength = packet.auth === undefined ? 0 : authSectionLength(packet.auth);
  const length = CONTROL_HEADER_LENGTH + authLength;
  if (length > 255) throw new InvalidArgumentError('auth', 'a section that keeps the packet within 255 bytes', length);
  const bytes = new Uint8Array(length);
  const view = new DataView(bytes.buffer);
  bytes[0] = ((packet.version & 0x7) << 5) | (diagValue(packet.diag) & 0x1f);
  bytes[1] =
    (BFD_STATE[packet.state] << 6) |
    (packet.poll ? FLAG_P : 0) |
    (packet.final ? FLAG_F : 0) |
    (packet.controlPlaneIndependent ? FLAG_C : 0) |
    (packet.auth !== undefined ? FLAG_A : 0) |
    (packet.demand ? FLAG_D : 0) |
    (packet.multipoint ? FLAG_M : 0);
  bytes[2] = packet.detectMult;
  bytes[3] = length;
  view.setUint32(4, packet.myDiscriminator);
  view.setUint32(8, packet.yourDiscriminator);
  view.setUint32(12, packet.desiredMinTxInterval);
  view.setUint32(16, packet.requiredMinRxInterval);
  view.setUint32(20, packet.requiredMinEchoRxInterval);
  const auth = packet.auth;
  if (auth === undefined) return bytes;
  const at = CONTROL_HEADER_LENGTH;
  bytes[at + 1] = authLength;
  switch (auth.type) {
    case 'simple-password':
      bytes[at] = BFD_AUTH_TYPE['simple-password'];
      bytes[at + 2] = auth.keyId;
      bytes.set(auth.password, at + 3);
      break;
    case 'unknown':
      bytes[at] = auth.authType;
      bytes.set(auth.data, at + 2);
      break;
    default: {
      bytes[at] = BFD_AUTH_TYPE[auth.type];
      bytes[at + 2] = auth.keyId;
      view.setUint32(at + 4, auth.sequence);
      const digestAt = at + 8;
      if (options.key !== undefined) {
        writeDigest(auth.type, bytes, digestAt, options.key);
      } else {
        bytes.set(auth.digest, digestAt);
      }
    }
  }
  return bytes;
}

function checkPacket(p: BfdControlPacket): void {
  const fields: Array<[string, number, number]> = [
    ['version', p.version, 7],
    ['detectMult', p.detectMult, 255],
    ['myDiscriminator', p.myDiscriminator, U32_MAX],
    ['yourDiscriminator', p.yourDiscriminator, U32_MAX],
    ['desiredMinTxInterval', p.desiredMinTxInterval, U32_MAX],
    ['requiredMinRxInterval', p.requiredMinRxInterval, U32_MAX],
    ['requiredMinEchoRxInterval', p.requiredMinEchoRxInterval, U32_MAX],
    ['diag', diagValue(p.diag), 31],
  ];
  for (const [name, value, max] of fields) {
    if (!Number.isInteger(value) || value < 0 || value > max)
      throw new InvalidArgumentError(name, `an integer 0..${max}`, value);
  }
  const auth = p.auth;
  if (auth === undefined) return;
  if (auth.type === 'simple-password') {
    if (auth.password.length < 1 || auth.password.length > 16)
      throw new InvalidArgumentError('auth.password', '1 to 16 bytes', auth.password.length);
  } else if (auth.type !== 'unknown') {
    const want = isMd5(auth.type) ? DIGEST_LENGTH.md5 : DIGEST_LENGTH.sha1;
    if (auth.digest.length !== want)
      throw new InvalidArgumentError('auth.digest', `${want} bytes for ${auth.type}`, auth.digest.length);
  }
}

/**
 * Decodes a control packet from a UDP payload. Only structure is checked here (RFC 5880 §6.8.6: Length at
 * least 24, or 26 with A, and no more than the payload; the authentication section consistent with its
 * type); whether the packet is acceptable to a session is {@link validateControl}'s question.
 */
export function decodeControl(bytes: Uint8Array): BfdControlPacket {
  if (bytes.length < CONTROL_HEADER_LENGTH)
    throw new BfdDecodeError(`${bytes.length} bytes, need at least ${CONTROL_HEADER_LENGTH}`, 0);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const b0 = bytes[0] as number;
  const b1 = bytes[1] as number;
  const length = bytes[3] as number;
  const authPresent = (b1 & FLAG_A) !== 0;
  const minLength = authPresent ? CONTROL_HEADER_LENGTH + 2 : CONTROL_HEADER_LENGTH;
  if (length < minLength) throw new BfdDecodeError(`Length ${length} below the minimum ${minLength}`, 3);
  if (length > bytes.length) throw new BfdDecodeError(`Length ${length} exceeds the ${bytes.length}-byte payload`, 3);
  const base = {
    version: b0 >> 5,
    diag: diagName(b0 & 0x1f),
    state: BFD_STATE_NAME[b1 >> 6] as BfdState,
    poll: (b1 & FLAG_P) !== 0,
    final: (b1 & FLAG_F) !== 0,
    controlPlaneIndependent: (b1 & FLAG_C) !== 0,
    demand: (b1 & FLAG_D) !== 0,
    multipoint: (b1 & FLAG_M) !== 0,
    detectMult: bytes[2] as number,
    myDiscriminator: view.getUint32(4),
    yourDiscriminator: view.getUint32(8),
    desiredMinTxInterval: view.getUint32(12),
    requiredMinRxInterval: view.getUint32(16),
    requiredMinEchoRxInterval: view.getUint32(20),
  };
  if (!authPresent) return base;
  return { ...base, auth: decodeAuth(bytes, view, length) };
}

function decodeAuth(bytes: Uint8Array, view: DataView, length: number): BfdAuthSection {
  const at = CONTROL_HEADER_LENGTH;
  const authType = bytes[at] as number;
  const authLen = bytes[at + 1] as number;
  if (at + authLen !== length)
    throw new BfdDecodeError(`Auth Len ${authLen} does not fill the packet Length ${length}`, at + 1);
  const name = BFD_AUTH_TYPE_NAME[authType];
  if (name === undefined) {
    if (authLen < 2) throw new BfdDecodeError(`Auth Len ${authLen} below 2`, at + 1);
    return { type: 'unknown', authType, data: copyOf(bytes, at + 2, at + authLen) };
  }
  if (name === 'simple-password') {
    if (authLen < AUTH_SECTION_LENGTH.simpleMin || authLen > AUTH_SECTION_LENGTH.simpleMax) {
      throw new BfdDecodeError(
        `simple password Auth Len ${authLen} outside ${AUTH_SECTION_LENGTH.simpleMin}..${AUTH_SECTION_LENGTH.simpleMax}`,
        at + 1,
      );
    }
    return { type: name, keyId: bytes[at + 2] as number, password: copyOf(bytes, at + 3, at + authLen) };
  }
  const want = isMd5(name) ? AUTH_SECTION_LENGTH.md5 : AUTH_SECTION_LENGTH.sha1;
  if (authLen !== want) throw new BfdDecodeError(`${name} Auth Len ${authLen}, expected ${want}`, at + 1);
  return {
    type: name,
    keyId: bytes[at + 2] as number,
    sequence: view.getUint32(at + 4),
    digest: copyOf(bytes, at + 8, at + authLen),
  };
}

/** A copy (never a view: a Node Buffer's `slice` shares memory with a receive buffer that gets reused). */
function copyOf(bytes: Uint8Array, start: number, end: number): Uint8Array {
  return Uint8Array.prototype.slice.call(bytes, start, end);
}
