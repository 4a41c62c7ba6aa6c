import { formatIp, type IpAddress } from '@lbkit/core';

const M32 = 0xffffffffn;

/**
 * The canonical text of an address, as `@lbkit/core`'s `formatIp` gives it (RFC 5952 for IPv6), computed
 * with fewer intermediate values: the allocator formats every address it hands out, and core's IPv6 path
 * takes sixteen bigint operations per address. IPv4-mapped IPv6 addresses (rare in a pool) go to core.
 */
export function ipText(addr: IpAddress): string {
  const value = addr.value;
  if (addr.family === 4 || value >> 32n === 0xffffn) return formatIp(addr);
  // Four 32-bit chunks as numbers, then eight 16-bit words: no per-word bigint.
  const words = new Array<number>(8);
  const chunks = [
    Number(value >> 96n),
    Number((value >> 64n) & M32),
    Number((value >> 32n) & M32),
    Number(value & M32),
  ];
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
  // Joined, not concatenated: the text is kept for as long as the address is in use, and `+=` would keep a
  // tree of string pieces where a join gives one flat string.
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
