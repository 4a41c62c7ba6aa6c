import { InvalidArgumentError, ParseError } from '../errors.js';

/** The two IP versions. */
export type IpFamily = 4 | 6;

/** An IP address as its family and its value as an unsigned integer (32 or 128 bits). */
export interface IpAddress {
  readonly family: IpFamily;
  readonly value: bigint;
}

export const IPV4_BITS = 32;
export const IPV6_BITS = 128;
export const IPV4_MAX = (1n << 32n) - 1n;
export const IPV6_MAX = (1n << 128n) - 1n;

/** Address width in bits of a family. */
export function familyBits(family: IpFamily): 32 | 128 {
  return family === 4 ? IPV4_BITS : IPV6_BITS;
}

/** Largest address value of a family. */
export function familyMax(family: IpFamily): bigint {
  return family === 4 ? IPV4_MAX : IPV6_MAX;
}

/** Parses dotted-quad IPv4 (exactly four decimal octets, no leading zeros, as `inet_pton` requires). */
export function parseIpv4(text: string): bigint {
  const n = parseIpv4Number(text, 'IPv4 address');
  return BigInt(n);
}

function parseIpv4Number(text: string, what: string, quoted: string = text): number {
  let value = 0;
  let octets = 0;
  let digits = 0;
  let octet = 0;
  let leadingZero = false;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 46; /* '.' terminates the last octet */
    if (c >= 48 && c <= 57) {
      if (digits === 1 && leadingZero) throw new ParseError(what, quoted, 'octet with a leading zero');
      if (digits === 0 && c === 48) leadingZero = true;
      octet = octet * 10 + (c - 48);
      digits++;
      if (octet > 255) throw new ParseError(what, quoted, 'octet larger than 255');
    } else if (c === 46) {
      if (digits === 0) throw new ParseError(what, quoted, 'empty octet');
      value = value * 256 + octet;
      octets++;
      if (octets > 4) throw new ParseError(what, quoted, 'more than four octets');
      octet = 0;
      digits = 0;
      leadingZero = false;
    } else {
      throw new ParseError(what, quoted, `unexpected character ${JSON.stringify(text[i])}`);
    }
  }
  if (octets !== 4) throw new ParseError(what, quoted, 'expected four octets');
  return value;
}

/** Parses an IPv6 address in any RFC 4291 §2.2 text form, including `::` and a trailing dotted quad. No zone. */
export function parseIpv6(text: string): bigint {
  const what = 'IPv6 address';
  if (text.length === 0) throw new ParseError(what, text, 'empty');
  if (text.includes('%')) throw new ParseError(what, text, 'zone identifiers are not accepted here');
  const dbl = text.indexOf('::');
  if (dbl !== -1 && text.indexOf('::', dbl + 1) !== -1) throw new ParseError(what, text, 'more than one "::"');
  const dot = text.indexOf('.');
  const lastColon = text.lastIndexOf(':');
  if (dot !== -1 && dot < lastColon) throw new ParseError(what, text, 'embedded IPv4 address not at the end');
  const head = dbl === -1 ? text : text.slice(0, dbl);
  const tail = dbl === -1 ? '' : text.slice(dbl + 2);
  const headWords = parseGroups(head, text);
  const tailWords = parseGroups(tail, text);
  const count = headWords.length + tailWords.length;
  let words: number[];
  if (dbl === -1) {
    if (count !== 8) throw new ParseError(what, text, 'expected eight groups');
    words = headWords;
  } else {
    if (count > 7) throw new ParseError(what, text, '"::" must stand for at least one group');
    words = [...headWords, ...new Array<number>(8 - count).fill(0), ...tailWords];
  }
  let value = 0n;
  for (const w of words) value = (value << 16n) | BigInt(w);
  return value;
}

/** The 16-bit words of a colon-separated run of groups; a final dotted quad gives two words. */
function parseGroups(run: string, text: string): number[] {
  const what = 'IPv6 address';
  if (run === '') return [];
  const out: number[] = [];
  const groups = run.split(':');
  for (const g of groups) {
    if (g.includes('.')) {
      const v4 = parseIpv4Number(g, what, text);
      out.push(Math.floor(v4 / 65536), v4 % 65536);
      continue;
    }
    if (g.length === 0 || g.length > 4) throw new ParseError(what, text, `bad group ${JSON.stringify(g)}`);
    let w = 0;
    for (let k = 0; k < g.length; k++) {
      const c = g.charCodeAt(k);
      let d: number;
      if (c >= 48 && c <= 57) d = c - 48;
      else if (c >= 97 && c <= 102) d = c - 87;
      else if (c >= 65 && c <= 70) d = c - 55;
      else throw new ParseError(what, text, `unexpected character ${JSON.stringify(g[k])}`);
      w = w * 16 + d;
    }
    out.push(w);
  }
  return out;
}

/** Parses an IPv4 or IPv6 address; the family is told by the presence of a colon. */
export function parseIp(text: string): IpAddress {
  if (typeof text !== 'string') throw new InvalidArgumentError('address', 'a string', text);
  if (text.includes(':')) return { family: 6, value: parseIpv6(text) };
  return { family: 4, value: parseIpv4(text) };
}

/** The family of a text address, or undefined if it parses as neither. */
export function ipFamilyOf(text: string): IpFamily | undefined {
  try {
    return parseIp(text).family;
  } catch {
    return undefined;
  }
}

/** Dotted-quad form of an IPv4 value. */
export function formatIpv4(value: bigint): string {
  if (value < 0n || value > IPV4_MAX) throw new InvalidArgumentError('value', 'an IPv4 value in 0..2^32-1', value);
  const n = Number(value);
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/**
 * RFC 5952 canonical text of an IPv6 value: lower case, the longest run of two or more zero groups as `::`
 * (the first of equal runs), and IPv4-mapped addresses as `::ffff:192.0.2.1` (§5).
 */
export function formatIpv6(value: bigint): string {
  if (value < 0n || value > IPV6_MAX) throw new InvalidArgumentError('value', 'an IPv6 value in 0..2^128-1', value);
  // RFC 5952 §5: an IPv4-mapped address ends in dotted-quad form.
  if (value >> 32n === 0xffffn) return `::ffff:${formatIpv4(value & IPV4_MAX)}`;
  // Four 32-bit chunks as numbers, then eight 16-bit words: four bigint operations rather than one per word
  // (an allocator formats every address it hands out).
  const chunks = [
    Number(value >> 96n),
    Number((value >> 64n) & IPV4_MAX),
    Number((value >> 32n) & IPV4_MAX),
    Number(value & IPV4_MAX),
  ];
  const words = new Array<number>(8);
  for (let i = 0; i < 4; i++) {
    const c = chunks[i] as number;
    words[2 * i] = c >>> 16;
    words[2 * i + 1] = c & 0xffff;
  }
  // The longest run of two or more zero groups (the first of equal runs) becomes '::'.
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  // Joined, not concatenated: a caller that keeps the text (an allocator's table) then holds one flat string,
  // where `+=` would leave a tree of string pieces.
  const parts: string[] = [];
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      // 'h::t' as the join of h…, '', t… (with an extra '' for an empty head or tail).
      if (i === 0) parts.push('');
      parts.push('');
      i += bestLen - 1;
      if (i === 7) parts.push('');
      continue;
    }
    parts.push((words[i] as number).toString(16));
  }
  return parts.join(':');
}

/** Text form of an address of either family. */
export function formatIp(address: IpAddress): string {
  return address.family === 4 ? formatIpv4(address.value) : formatIpv6(address.value);
}

/** Network-order bytes of an address (4 or 16). */
export function ipToBytes(address: IpAddress): Uint8Array {
  const len = address.family === 4 ? 4 : 16;
  const out = new Uint8Array(len);
  let v = address.value;
  for (let i = len - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** The address held in 4 or 16 network-order bytes. */
export function ipFromBytes(bytes: Uint8Array): IpAddress {
  if (bytes.length !== 4 && bytes.length !== 16) {
    throw new InvalidArgumentError('bytes', 'an address of 4 or 16 bytes', `${bytes.length} bytes`);
  }
  let value = 0n;
  for (const b of bytes) value = (value << 8n) | BigInt(b);
  return { family: bytes.length === 4 ? 4 : 6, value };
}

/** Canonical text of any address text (`2001:DB8:0::1` → `2001:db8::1`). */
export function canonicalIp(text: string): string {
  return formatIp(parseIp(text));
}
