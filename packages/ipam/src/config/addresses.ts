import { ParseError, formatIp, parseIp, parsePrefix, prefixLast, type IpFamily } from '@lbkit/core';

/** One pool entry as an inclusive interval of address values. */
export interface AddressBlock {
  readonly family: IpFamily;
  readonly first: bigint;
  readonly last: bigint;
  /** The entry text as configured. */
  readonly entry: string;
}

/** Why an address entry was refused (the caller turns it into an error naming pool and field). */
export interface AddressProblem {
  readonly expected: string;
}

/**
 * Parses one `addresses` entry: a CIDR (host bits must be clear) or an inclusive `first-last` range of one
 * family (spaces around the dash allowed, first <= last). Returns the block or the problem.
 */
export function parseAddressEntry(entry: unknown): AddressBlock | AddressProblem {
  if (typeof entry !== 'string') return { expected: 'a CIDR or a "first-last" range as a string' };
  const text = entry.trim();
  if (text.includes('/')) {
    try {
      const p = parsePrefix(text);
      return { family: p.family, first: p.base, last: prefixLast(p), entry };
    } catch (err) {
      const why = err instanceof ParseError ? err.message : 'an invalid prefix';
      return { expected: `a valid CIDR with no host bits set (${why})` };
    }
  }
  const dash = text.indexOf('-');
  if (dash === -1) return { expected: 'a CIDR or a "first-last" range' };
  const a = text.slice(0, dash).trim();
  const b = text.slice(dash + 1).trim();
  let first;
  let last;
  try {
    first = parseIp(a);
    last = parseIp(b);
  } catch (err) {
    const why = err instanceof ParseError ? err.message : 'an invalid address';
    return { expected: `a range of two valid addresses (${why})` };
  }
  if (first.family !== last.family) return { expected: 'a range whose two ends have the same family' };
  if (first.value > last.value)
    return { expected: `a range whose first address is not above its last (${formatIp(first)} > ${formatIp(last)})` };
  return { family: first.family, first: first.value, last: last.value, entry };
}

/** True when `value` ends in .0 or .255 (IPv4 only; `avoidBuggyIPs`, metallb.md §1.1). */
export function isBuggyIpv4(value: bigint): boolean {
  const low = value & 0xffn;
  return low === 0n || low === 0xffn;
}

/** How many addresses in `first..last` (IPv4) end in .0 or .255. */
export function countBuggyIpv4(first: bigint, last: bigint): bigint {
  return countResidue(first, last, 0n) + countResidue(first, last, 255n);
}

/** How many x in first..last have x mod 256 == r. */
function countResidue(first: bigint, last: bigint, r: bigint): bigint {
  const upTo = (n: bigint): bigint => (n < r ? 0n : (n - r) / 256n + 1n);
  return upTo(last) - (first === 0n ? 0n : upTo(first - 1n));
}

/** The smallest non-buggy IPv4 value >= v, or v itself when buggy addresses are allowed. */
export function nextUsable(v: bigint, avoid: boolean): bigint {
  if (!avoid) return v;
  const low = v & 0xffn;
  if (low === 0xffn) return v + 2n;
  if (low === 0n) return v + 1n;
  return v;
}

/** The largest non-buggy IPv4 value <= v, or v itself when buggy addresses are allowed. */
export function prevUsable(v: bigint, avoid: boolean): bigint {
  if (!avoid) return v;
  const low = v & 0xffn;
  if (low === 0n) return v - 2n;
  if (low === 0xffn) return v - 1n;
  return v;
}

/** `first-last` text of an interval. */
export function formatInterval(family: IpFamily, first: bigint, last: bigint): string {
  const f = formatIp({ family, value: first });
  return first === last ? f : `${f}-${formatIp({ family, value: last })}`;
}
