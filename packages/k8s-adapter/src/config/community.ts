/** BGP community text forms: standard `AA:NN` (RFC 1997) and large `large:G:L1:L2` (RFC 8092). */

/** A parsed community value. */
export type CommunityValue =
  | { readonly type: 'standard'; readonly value: number }
  | { readonly type: 'large'; readonly globalAdmin: number; readonly localData1: number; readonly localData2: number };

/** What parsing a community text produced. */
export type CommunityParse =
  | { readonly ok: true; readonly community: CommunityValue }
  | { readonly ok: false; readonly shape: 'unknown' | 'bad'; readonly reason: string };

function part(text: string, max: number): number | undefined {
  if (!/^[0-9]+$/.test(text)) return undefined;
  const n = Number(text);
  return n <= max ? n : undefined;
}

/**
 * Parses a community. A text that is neither two nor four `:`-separated fields has shape `unknown` (it
 * may be an alias not yet defined); a two- or four-field text with a bad part has shape `bad`.
 */
export function parseCommunity(text: string): CommunityParse {
  const fields = text.split(':');
  if (fields.length === 2) {
    const hi = part(fields[0] as string, 0xffff);
    const lo = part(fields[1] as string, 0xffff);
    if (hi === undefined || lo === undefined) {
      return { ok: false, shape: 'bad', reason: 'standard community parts must be integers in 0..65535' };
    }
    return { ok: true, community: { type: 'standard', value: hi * 65536 + lo } };
  }
  if (fields.length === 4) {
    if (fields[0] !== 'large') {
      return { ok: false, shape: 'bad', reason: 'a four-part community must start with "large"' };
    }
    const g = part(fields[1] as string, 0xffffffff);
    const l1 = part(fields[2] as string, 0xffffffff);
    const l2 = part(fields[3] as string, 0xffffffff);
    if (g === undefined || l1 === undefined || l2 === undefined) {
      return { ok: false, shape: 'bad', reason: 'large community parts must be integers in 0..4294967295' };
    }
    return { ok: true, community: { type: 'large', globalAdmin: g, localData1: l1, localData2: l2 } };
  }
  return {
    ok: false,
    shape: 'unknown',
    reason: 'not a community alias, a standard community (AA:NN) or a large community (large:G:L1:L2)',
  };
}

/** Canonical text of a community value. */
export function formatCommunity(c: CommunityValue): string {
  if (c.type === 'standard') return `${Math.floor(c.value / 65536)}:${c.value % 65536}`;
  return `large:${c.globalAdmin}:${c.localData1}:${c.localData2}`;
}
