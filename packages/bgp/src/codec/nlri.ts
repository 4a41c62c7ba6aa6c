import { InvalidArgumentError, type IpFamily, type Prefix } from '@lbkit/core';
import { BgpDecodeError, type DecodeErrorReason } from './errors.js';

/**
 * One NLRI entry: a prefix, with its path identifier when add-path is negotiated for its family (RFC 7911).
 * The base has no host bits set: decoding clears trailing bits, which RFC 4271 §4.3 declares irrelevant.
 */
export interface NlriPrefix extends Prefix {
  /** The 4-octet path identifier (RFC 7911 §3), present exactly when add-path applies. */
  readonly pathId?: number;
}

const TWO_32 = 4294967296;
const SHIFTS = [96n, 64n, 32n, 0n] as const;

/** Octets one prefix takes on the wire: optional path id, length octet, then the significant octets. */
export function prefixWireLength(prefix: Prefix, addPath: boolean): number {
  return (addPath ? 5 : 1) + ((prefix.length + 7) >> 3);
}

/** Octets a list of prefixes takes on the wire. */
export function prefixesWireLength(prefixes: readonly Prefix[], addPath: boolean): number {
  let n = prefixes.length * (addPath ? 5 : 1);
  for (let i = 0; i < prefixes.length; i++) n += (prefixes[i]!.length + 7) >> 3;
  return n;
}

/**
 * Decodes the prefixes in `bytes[start, end)` of one family, appending to `out`. Faults throw the given
 * NOTIFICATION subcode of UPDATE Message Error (Invalid Network Field for the NLRI and withdrawn fields,
 * Optional Attribute Error inside MP_REACH/MP_UNREACH).
 */
export function decodePrefixes(
  bytes: Uint8Array,
  start: number,
  end: number,
  family: IpFamily,
  addPath: boolean,
  subcode: number,
  out: NlriPrefix[],
): void {
  const maxLen = family === 4 ? 32 : 128;
  let o = start;
  while (o < end) {
    let pathId = 0;
    if (addPath) {
      if (o + 4 > end) fail('nlri-path-id-truncated', o, subcode);
      pathId = ((bytes[o]! << 24) | (bytes[o + 1]! << 16) | (bytes[o + 2]! << 8) | bytes[o + 3]!) >>> 0;
      o += 4;
    }
    const length = bytes[o]!;
    if (length > maxLen) fail('nlri-prefix-length', o, subcode);
    const n = (length + 7) >> 3;
    if (o + 1 + n > end) fail('nlri-truncated', o, subcode);
    o++;
    let base: bigint;
    if (family === 4) {
      const v = (word(bytes, o, n, 0) & MASKS[length]!) >>> 0;
      base = BigInt(v);
    } else {
      base = readIpv6Prefix(bytes, o, n, length);
    }
    o += n;
    out.push(addPath ? { family, base, length, pathId } : { family, base, length });
  }
}

/** Masks of the leading `len` bits of a 32-bit word, for len 0..32. */
const MASKS = Array.from({ length: 33 }, (_, len) => (len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0));

/** The 32-bit word `k` (0-based) of a prefix of `n` significant octets at `o`; absent octets read as zero. */
function word(bytes: Uint8Array, o: number, n: number, k: number): number {
  const at = 4 * k;
  if (at >= n) return 0;
  const b0 = bytes[o + at]!;
  const b1 = at + 1 < n ? bytes[o + at + 1]! : 0;
  const b2 = at + 2 < n ? bytes[o + at + 2]! : 0;
  const b3 = at + 3 < n ? bytes[o + at + 3]! : 0;
  return ((b0 << 24) | (b1 << 16) | (b2 << 8) | b3) >>> 0;
}

function maskedWord(bytes: Uint8Array, o: number, n: number, k: number, length: number): number {
  const keep = length - 32 * k;
  if (keep <= 0) return 0;
  return (word(bytes, o, n, k) & MASKS[keep >= 32 ? 32 : keep]!) >>> 0;
}

function readIpv6Prefix(bytes: Uint8Array, o: number, n: number, length: number): bigint {
  const w0 = maskedWord(bytes, o, n, 0, length);
  const w1 = maskedWord(bytes, o, n, 1, length);
  const w2 = maskedWord(bytes, o, n, 2, length);
  const w3 = maskedWord(bytes, o, n, 3, length);
  let v = 0n;
  if (w0 !== 0) v = BigInt(w0) << 96n;
  if (w1 !== 0) v |= BigInt(w1) << 64n;
  if (w2 !== 0) v |= BigInt(w2) << 32n;
  if (w3 !== 0) v |= BigInt(w3);
  return v;
}

function fail(reason: DecodeErrorReason, offset: number, subcode: number): never {
  throw new BgpDecodeError(reason, offset, 3, subcode);
}

/** Checks that a prefix can be encoded; the encoder's only guard against caller mistakes. */
export function checkPrefix(prefix: NlriPrefix, family: IpFamily, addPath: boolean, field: string): void {
  const max = family === 4 ? 32 : 128;
  if (prefix.family !== family || !Number.isInteger(prefix.length) || prefix.length < 0 || prefix.length > max) {
    throw new InvalidArgumentError(field, `an IPv${family} prefix with length 0..${max}`, prefix);
  }
  if (
    addPath &&
    (prefix.pathId === undefined || !Number.isInteger(prefix.pathId) || prefix.pathId < 0 || prefix.pathId >= TWO_32)
  ) {
    throw new InvalidArgumentError(
      `${field}.pathId`,
      'a 32-bit path identifier (add-path is negotiated)',
      prefix.pathId,
    );
  }
}

/**
 * Writes prefixes at `o`, returns the offset after them. Host bits are cleared on the wire. The caller has
 * checked the prefixes with {@link checkPrefix} and sized the buffer with {@link prefixesWireLength}.
 */
export function writePrefixes(
  bytes: Uint8Array,
  o: number,
  prefixes: readonly NlriPrefix[],
  from: number,
  to: number,
  addPath: boolean,
): number {
  for (let k = from; k < to; k++) {
    const p = prefixes[k]!;
    if (addPath) {
      const id = p.pathId ?? 0;
      bytes[o] = id >>> 24;
      bytes[o + 1] = (id >>> 16) & 255;
      bytes[o + 2] = (id >>> 8) & 255;
      bytes[o + 3] = id & 255;
      o += 4;
    }
    const length = p.length;
    bytes[o++] = length;
    const n = (length + 7) >> 3;
    if (n === 0) continue;
    if (p.family === 4) {
      const v = Number(p.base);
      const hi = (v / 65536) >>> 0;
      bytes[o] = hi >>> 8;
      if (n > 1) bytes[o + 1] = hi & 255;
      if (n > 2) bytes[o + 2] = (v >>> 8) & 255;
      if (n > 3) bytes[o + 3] = v & 255;
    } else {
      const b = p.base;
      for (let i = 0; i < n; i += 4) {
        const word = Number(BigInt.asUintN(32, b >> SHIFTS[i >> 2]!));
        bytes[o + i] = word >>> 24;
        if (i + 1 < n) bytes[o + i + 1] = (word >>> 16) & 255;
        if (i + 2 < n) bytes[o + i + 2] = (word >>> 8) & 255;
        if (i + 3 < n) bytes[o + i + 3] = word & 255;
      }
    }
    const rem = length & 7;
    if (rem !== 0) bytes[o + n - 1]! &= (0xff << (8 - rem)) & 255;
    o += n;
  }
  return o;
}
