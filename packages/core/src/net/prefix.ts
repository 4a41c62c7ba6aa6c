import { InvalidArgumentError, ParseError } from '../errors.js';
import { familyBits, formatIp, parseIp, type IpAddress, type IpFamily } from './ip.js';

/** An IP prefix (CIDR): the base address and the prefix length. The base has no host bits set. */
export interface Prefix {
  readonly family: IpFamily;
  readonly base: bigint;
  readonly length: number;
}

/** The netmask of a prefix length, as an integer of the family's width. */
export function prefixMask(family: IpFamily, length: number): bigint {
  const bits = familyBits(family);
  if (!Number.isInteger(length) || length < 0 || length > bits) {
    throw new InvalidArgumentError('length', `an integer prefix length in 0..${bits}`, length);
  }
  const all = (1n << BigInt(bits)) - 1n;
  return all ^ ((1n << BigInt(bits - length)) - 1n);
}

/** Options of {@link parsePrefix}. */
export interface ParsePrefixOptions {
  /**
   * Reject a prefix whose address has host bits set (`192.0.2.1/24`).
   * @default true — such text is usually a typo for a host address or a different network.
   */
  strict?: boolean;
}

/** Parses `address/length`. With `strict: false`, host bits are cleared instead of rejected. */
export function parsePrefix(text: string, options: ParsePrefixOptions = {}): Prefix {
  if (typeof text !== 'string') throw new InvalidArgumentError('prefix', 'a string', text);
  const slash = text.indexOf('/');
  if (slash === -1) throw new ParseError('prefix', text, 'missing "/length"');
  const lenText = text.slice(slash + 1);
  let address: IpAddress;
  try {
    address = parseIp(text.slice(0, slash));
  } catch (err) {
    throw new ParseError('prefix', text, err instanceof ParseError ? err.message : 'bad address');
  }
  const bits = familyBits(address.family);
  if (!/^(0|[1-9][0-9]{0,2})$/.test(lenText) || Number(lenText) > bits) {
    throw new ParseError('prefix', text, `prefix length must be an integer in 0..${bits}`);
  }
  const length = Number(lenText);
  const mask = prefixMask(address.family, length);
  const base = address.value & mask;
  if (base !== address.value && options.strict !== false) {
    throw new ParseError(
      'prefix',
      text,
      `host bits are set (the network is ${formatPrefix({ family: address.family, base, length })})`,
    );
  }
  return { family: address.family, base, length };
}

/** `address/length` text of a prefix, the address in canonical form. */
export function formatPrefix(prefix: Prefix): string {
  return `${formatIp({ family: prefix.family, value: prefix.base })}/${prefix.length}`;
}

/** The first address of a prefix. */
export function prefixFirst(prefix: Prefix): bigint {
  return prefix.base;
}

/** The last address of a prefix. */
export function prefixLast(prefix: Prefix): bigint {
  return prefix.base + prefixSize(prefix) - 1n;
}

/** How many addresses a prefix holds (2^(bits - length)). */
export function prefixSize(prefix: Prefix): bigint {
  return 1n << BigInt(familyBits(prefix.family) - prefix.length);
}

/** True when `address` lies inside `prefix` (same family). */
export function prefixContains(prefix: Prefix, address: IpAddress): boolean {
  return address.family === prefix.family && (address.value & prefixMask(prefix.family, prefix.length)) === prefix.base;
}

/** True when the two prefixes share at least one address. */
export function prefixesOverlap(a: Prefix, b: Prefix): boolean {
  if (a.family !== b.family) return false;
  return a.base <= prefixLast(b) && b.base <= prefixLast(a);
}

/**
 * The smallest list of prefixes that covers exactly `first..last` (inclusive), in address order. A range
 * that is not a power-of-two block becomes several prefixes (`192.0.2.1-192.0.2.6` → /32, /31, /31, /32).
 */
export function rangeToPrefixes(family: IpFamily, first: bigint, last: bigint): Prefix[] {
  const bits = familyBits(family);
  const max = (1n << BigInt(bits)) - 1n;
  if (first < 0n || last > max || first > last) {
    throw new InvalidArgumentError('range', `first <= last within the IPv${family} space`, `${first}..${last}`);
  }
  const out: Prefix[] = [];
  let cur = first;
  while (cur <= last) {
    let size = cur === 0n ? 1n << BigInt(bits) : cur & -cur;
    while (cur + size - 1n > last) size >>= 1n;
    let hostBits = 0;
    while (1n << BigInt(hostBits) < size) hostBits++;
    out.push({ family, base: cur, length: bits - hostBits });
    cur += size;
  }
  return out;
}
