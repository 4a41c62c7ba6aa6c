import { AS_TRANS } from './constants.js';
import type { AsPathSegment, PathAttribute } from './attributes.js';
import type { CodecContext } from './context.js';

/** The AS path and aggregator a route really has, after RFC 6793 §4.2.3 reconciliation. */
export interface EffectiveAsInfo {
  /** The AS path to use, or undefined when the message has no AS_PATH. */
  readonly asPath: readonly AsPathSegment[] | undefined;
  /** The aggregating AS and address, when AGGREGATOR is present. */
  readonly aggregator?: { readonly asn: number; readonly address: string };
}

/** How many ASes a path counts for path selection: a set counts one, confederation segments none (RFC 4271 §9.1.2.2, RFC 5065). */
export function asPathLength(segments: readonly AsPathSegment[]): number {
  let n = 0;
  for (const s of segments) {
    if (s.type === 'as-sequence') n += s.asns.length;
    else if (s.type === 'as-set') n += 1;
  }
  return n;
}

/**
 * Merges AS_PATH with AS4_PATH and AGGREGATOR with AS4_AGGREGATOR as RFC 6793 §4.2.3 prescribes for a route
 * received over a 2-octet AS session. On a 4-octet session the AS4 attributes are ignored (§4.1).
 */
export function reconcileAs4(attributes: readonly PathAttribute[], ctx: CodecContext): EffectiveAsInfo {
  let asPath: readonly AsPathSegment[] | undefined;
  let as4Path: readonly AsPathSegment[] | undefined;
  let aggregator: { asn: number; address: string } | undefined;
  let as4Aggregator: { asn: number; address: string } | undefined;
  for (const a of attributes) {
    if (a.type === 'as-path' && asPath === undefined) asPath = a.segments;
    else if (a.type === 'as4-path' && as4Path === undefined) as4Path = a.segments;
    else if (a.type === 'aggregator' && aggregator === undefined) aggregator = { asn: a.asn, address: a.address };
    else if (a.type === 'as4-aggregator' && as4Aggregator === undefined)
      as4Aggregator = { asn: a.asn, address: a.address };
  }
  const withAggregator = (
    info: { asPath: readonly AsPathSegment[] | undefined },
    agg: typeof aggregator,
  ): EffectiveAsInfo => (agg === undefined ? info : { ...info, aggregator: agg });
  if (ctx.fourOctetAs !== false) return withAggregator({ asPath }, aggregator);
  // §4.2.3: an AGGREGATOR that is not AS_TRANS means the AS4 attributes are stale: ignore both.
  if (aggregator !== undefined && aggregator.asn !== AS_TRANS) return withAggregator({ asPath }, aggregator);
  const agg = as4Aggregator ?? aggregator;
  if (asPath === undefined || as4Path === undefined) return withAggregator({ asPath }, agg);
  // Confederation segments have no place in AS4_PATH (§6): drop them before merging.
  const clean = as4Path.filter((s) => s.type === 'as-sequence' || s.type === 'as-set');
  const have = asPathLength(asPath);
  const have4 = asPathLength(clean);
  if (have < have4) return withAggregator({ asPath }, agg);
  // Take the leading (have - have4) ASes of AS_PATH and put them in front of AS4_PATH.
  let need = have - have4;
  const lead: AsPathSegment[] = [];
  const isConfed = (s: AsPathSegment): boolean => s.type === 'as-confed-sequence' || s.type === 'as-confed-set';
  for (const s of asPath) {
    // Confederation segments count for nothing: keep those met before the cut (§4.2.3 takes AS_PATH's lead).
    if (isConfed(s)) {
      if (need > 0 || lead.every(isConfed)) lead.push(s);
      continue;
    }
    if (need === 0) break;
    if (s.type === 'as-sequence') {
      const take = s.asns.slice(0, need);
      lead.push({ type: 'as-sequence', asns: take });
      need -= take.length;
    } else {
      lead.push(s);
      need -= 1;
    }
  }
  const merged: AsPathSegment[] = [...lead];
  for (const s of clean) {
    const last = merged[merged.length - 1];
    if (
      last !== undefined &&
      last.type === 'as-sequence' &&
      s.type === 'as-sequence' &&
      last.asns.length + s.asns.length <= 255
    ) {
      merged[merged.length - 1] = { type: 'as-sequence', asns: [...last.asns, ...s.asns] };
    } else merged.push(s);
  }
  return withAggregator({ asPath: merged }, agg);
}

/**
 * Prepares attributes for a peer without the 4-octet AS capability (RFC 6793 §4.2.2): 4-octet ASNs in
 * AS_PATH and AGGREGATOR become AS_TRANS, and the true values travel in AS4_PATH (confederation segments
 * left out) and AS4_AGGREGATOR. Attributes without a 4-octet ASN are returned unchanged, with no AS4 ones added.
 */
export function toTwoOctetAttributes(attributes: readonly PathAttribute[]): PathAttribute[] {
  const big = (n: number): boolean => n > 0xffff;
  const out: PathAttribute[] = [];
  const extra: PathAttribute[] = [];
  for (const a of attributes) {
    if (a.type === 'as4-path' || a.type === 'as4-aggregator') continue;
    if (a.type === 'as-path' && a.segments.some((s) => s.asns.some(big))) {
      out.push({
        ...a,
        segments: a.segments.map((s) => ({ type: s.type, asns: s.asns.map((n) => (big(n) ? AS_TRANS : n)) })),
      });
      const as4 = a.segments.filter((s) => s.type === 'as-sequence' || s.type === 'as-set');
      if (as4.length > 0) extra.push({ type: 'as4-path', segments: as4 });
    } else if (a.type === 'aggregator' && big(a.asn)) {
      out.push({ ...a, asn: AS_TRANS });
      extra.push({ type: 'as4-aggregator', asn: a.asn, address: a.address });
    } else out.push(a);
  }
  return [...out, ...extra];
}
