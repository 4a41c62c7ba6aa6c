import { InvalidArgumentError, parseIpv4, parseIpv6 } from '@lbkit/core';

/** Dotted-quad text of the 4 octets at `o`. */
export function readIpv4Text(bytes: Uint8Array, o: number): string {
  return `${bytes[o]}.${bytes[o + 1]}.${bytes[o + 2]}.${bytes[o + 3]}`;
}

/** RFC 5952 text of the 16 octets at `o` (the same text as core's formatIpv6, without a bigint). */
export function readIpv6Text(bytes: Uint8Array, o: number): string {
  const w = new Array<number>(8);
  for (let i = 0; i < 8; i++) w[i] = (bytes[o + 2 * i]! << 8) | bytes[o + 2 * i + 1]!;
  // RFC 5952 §4.2: the longest run of two or more zero groups becomes "::", the first one on a tie.
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (w[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) {
      bestAt = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestAt === -1) return w.map((x) => x.toString(16)).join(':');
  const head = w
    .slice(0, bestAt)
    .map((x) => x.toString(16))
    .join(':');
  const tail = w
    .slice(bestAt + bestLen)
    .map((x) => x.toString(16))
    .join(':');
  return `${head}::${tail}`;
}

// Next hops and identifiers repeat across a table: parsed octets are memoised, in a map cleared when full so
// that its size stays bounded whatever the input.
const CACHE_LIMIT = 4096;
const v4Cache = new Map<string, Uint8Array>();
const v6Cache = new Map<string, Uint8Array>();

function remember(cache: Map<string, Uint8Array>, text: string, octets: Uint8Array): Uint8Array {
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(text, octets);
  return octets;
}

/** Writes dotted-quad `text` at `o`; `field` names the value in the error thrown when it is not IPv4. */
export function writeIpv4Text(bytes: Uint8Array, o: number, text: string, field: string): void {
  let octets = v4Cache.get(text);
  if (octets === undefined) {
    let n: number;
    try {
      n = Number(parseIpv4(text));
    } catch (err) {
      throw new InvalidArgumentError(field, 'an IPv4 address', text, { cause: err });
    }
    octets = remember(v4Cache, text, Uint8Array.of(n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255));
  }
  bytes.set(octets, o);
}

/** Writes IPv6 `text` at `o`. */
export function writeIpv6Text(bytes: Uint8Array, o: number, text: string, field: string): void {
  let octets = v6Cache.get(text);
  if (octets === undefined) {
    let v: bigint;
    try {
      v = parseIpv6(text);
    } catch (err) {
      throw new InvalidArgumentError(field, 'an IPv6 address', text, { cause: err });
    }
    octets = new Uint8Array(16);
    for (let i = 15; i >= 0; i--) {
      octets[i] = Number(v & 0xffn);
      v >>= 8n;
    }
    remember(v6Cache, text, octets);
  }
  bytes.set(octets, o);
}

/** Reads a big-endian unsigned 32-bit integer. The caller has checked bounds. */
export function readU32(bytes: Uint8Array, o: number): number {
  return ((bytes[o]! << 24) | (bytes[o + 1]! << 16) | (bytes[o + 2]! << 8) | bytes[o + 3]!) >>> 0;
}

/** Reads a big-endian unsigned 16-bit integer. The caller has checked bounds. */
export function readU16(bytes: Uint8Array, o: number): number {
  return (bytes[o]! << 8) | bytes[o + 1]!;
}

/** Writes a big-endian unsigned 32-bit integer. */
export function writeU32(bytes: Uint8Array, o: number, v: number): void {
  bytes[o] = v >>> 24;
  bytes[o + 1] = (v >>> 16) & 255;
  bytes[o + 2] = (v >>> 8) & 255;
  bytes[o + 3] = v & 255;
}

/** Writes a big-endian unsigned 16-bit integer. */
export function writeU16(bytes: Uint8Array, o: number, v: number): void {
  bytes[o] = (v >>> 8) & 255;
  bytes[o + 1] = v & 255;
}

/** Checks an integer field before it is written. */
export function checkUint(value: number, bits: 8 | 16 | 32, field: string): void {
  // Fast path: an integer in range survives the unsigned shift unchanged.
  if (bits === 32 ? value >>> 0 === value : (value & ((1 << bits) - 1)) === value) return;
  if (!Number.isInteger(value) || value < 0 || value >= 2 ** bits) {
    throw new InvalidArgumentError(field, `an unsigned ${bits}-bit integer`, value);
  }
}
