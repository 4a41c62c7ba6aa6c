// Writes an MRT TABLE_DUMP_V2 file (RFC 6396 §4.3) of host routes, so gobgpd can be preloaded with
// `gobgp mrt inject global` as fast as it can read, like our speaker and FRR are.
import { writeFileSync } from 'node:fs';

function u16(v: number): number[] {
  return [(v >>> 8) & 255, v & 255];
}
function u32(v: number): number[] {
  return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
}
function ip4(text: string): number[] {
  return text.split('.').map(Number);
}
function ip6(text: string): number[] {
  const [head, tail] = text.split('::') as [string, string | undefined];
  const h = head === '' ? [] : head.split(':');
  const tl = tail === undefined || tail === '' ? [] : tail.split(':');
  const words = [...h, ...new Array<string>(8 - h.length - tl.length).fill('0'), ...tl].map((w) => parseInt(w, 16));
  return words.flatMap((w) => u16(w));
}

function record(subtype: number, body: number[]): number[] {
  return [...u32(Math.floor(Date.now() / 1000)), ...u16(13), ...u16(subtype), ...u32(body.length), ...body];
}

/** The host routes the benchmark advertises: 240.x.y.z/32 or 2001:db8:f::a:b/128, as the speaker worker makes them. */
export function benchPrefix(family: 4 | 6, i: number): string {
  return family === 4
    ? `240.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32`
    : `2001:db8:f::${(i >> 16).toString(16)}:${(i & 0xffff).toString(16)}/128`;
}

/** Writes `count` host routes of `family` originated by `asn` with next hop `nextHop` to `path`. */
export function writeMrt(
  path: string,
  family: 4 | 6,
  count: number,
  asn: number,
  nextHop: string,
  peerAddress: string,
  reverse = false,
): void {
  const out: number[] = [];
  // PEER_INDEX_TABLE: collector id, empty view name, one peer (type: 4-octet AS, IPv4 address).
  out.push(
    ...record(1, [
      ...ip4(peerAddress),
      ...u16(0),
      ...u16(1),
      0x02,
      ...ip4(peerAddress),
      ...ip4(peerAddress),
      ...u32(asn),
    ]),
  );
  // Attributes: ORIGIN IGP, empty AS_PATH (the sender prepends itself), NEXT_HOP or abbreviated MP_REACH_NLRI.
  const attrs = [0x40, 1, 1, 0, 0x40, 2, 0];
  if (family === 4) attrs.push(0x40, 3, 4, ...ip4(nextHop));
  for (let k = 0; k < count; k++) {
    const i = reverse ? count - 1 - k : k;
    const p = benchPrefix(family, i);
    const [addr, len] = p.split('/') as [string, string];
    const bytes = family === 4 ? ip4(addr) : ip6(addr);
    const nlri = [Number(len), ...bytes.slice(0, Number(len) / 8)];
    // gobgp reads the MP_REACH_NLRI of a RIB entry in full (AFI, SAFI, next hop, reserved, NLRI).
    const mp = family === 6 ? [0x80, 14, 5 + 16 + nlri.length, ...u16(2), 1, 16, ...ip6(nextHop), 0, ...nlri] : [];
    const entryAttrs = [...attrs, ...mp];
    const entry = [...u16(0), ...u32(0), ...u16(entryAttrs.length), ...entryAttrs];
    out.push(
      ...record(family === 4 ? 2 : 4, [
        ...u32(k),
        Number(len),
        ...bytes.slice(0, Number(len) / 8),
        ...u16(1),
        ...entry,
      ]),
    );
  }
  writeFileSync(path, Uint8Array.from(out));
}
