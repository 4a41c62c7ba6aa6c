import { InvalidArgumentError } from '@lbkit/core';
import {
  checkUint,
  readIpv4Text,
  readIpv6Text,
  readU16,
  readU32,
  writeIpv4Text,
  writeIpv6Text,
  writeU16,
  writeU32,
} from './address.js';
import { AsPathSegmentType, AttributeFlag, AttributeType } from './constants.js';
import { hasAddPath, type CodecContext } from './context.js';
import { BgpDecodeError } from './errors.js';
import { checkPrefix, decodePrefixes, prefixesWireLength, writePrefixes, type NlriPrefix } from './nlri.js';

/** One AS_PATH segment (RFC 4271 §4.3, RFC 5065 §3). */
export interface AsPathSegment {
  readonly type: 'as-sequence' | 'as-set' | 'as-confed-sequence' | 'as-confed-set';
  readonly asns: readonly number[];
}

/** A large community (RFC 8092): three 32-bit values. */
export interface LargeCommunity {
  readonly globalAdministrator: number;
  readonly localData1: number;
  readonly localData2: number;
}

/** Why a recognised attribute did not take its typed form. */
export type AttributeMalformedReason =
  | 'origin-length'
  | 'origin-value'
  | 'as-path-malformed'
  | 'next-hop-length'
  | 'multi-exit-disc-length'
  | 'local-pref-length'
  | 'atomic-aggregate-length'
  | 'aggregator-length'
  | 'communities-length'
  | 'originator-id-length'
  | 'cluster-list-length'
  | 'extended-communities-length'
  | 'as4-path-malformed'
  | 'as4-aggregator-length'
  | 'large-communities-length';

/**
 * Fields every typed attribute may carry. `flags` is present only when the flags octet on the wire differed
 * from the one the encoder would choose (the attribute's category bits, and Extended Length exactly when the
 * value exceeds 255 octets); the encoder then writes it back, so decode → encode gives the same octets.
 */
export interface AttributeCommon {
  readonly flags?: number;
}

/** A path attribute (RFC 4271 §4.3 and the RFCs of each type). */
export type PathAttribute =
  | (AttributeCommon & { readonly type: 'origin'; readonly origin: number })
  | (AttributeCommon & { readonly type: 'as-path'; readonly segments: readonly AsPathSegment[] })
  | (AttributeCommon & { readonly type: 'next-hop'; readonly nextHop: string })
  | (AttributeCommon & { readonly type: 'multi-exit-disc'; readonly med: number })
  | (AttributeCommon & { readonly type: 'local-pref'; readonly localPref: number })
  | (AttributeCommon & { readonly type: 'atomic-aggregate' })
  | (AttributeCommon & { readonly type: 'aggregator'; readonly asn: number; readonly address: string })
  | (AttributeCommon & { readonly type: 'communities'; readonly communities: readonly number[] })
  | (AttributeCommon & { readonly type: 'originator-id'; readonly originatorId: string })
  | (AttributeCommon & { readonly type: 'cluster-list'; readonly clusterList: readonly string[] })
  | (AttributeCommon & MpReachNlri)
  | (AttributeCommon & MpUnreachNlri)
  | (AttributeCommon & { readonly type: 'extended-communities'; readonly communities: readonly bigint[] })
  | (AttributeCommon & { readonly type: 'as4-path'; readonly segments: readonly AsPathSegment[] })
  | (AttributeCommon & { readonly type: 'as4-aggregator'; readonly asn: number; readonly address: string })
  | (AttributeCommon & { readonly type: 'large-communities'; readonly communities: readonly LargeCommunity[] })
  | UnknownAttribute
  | MalformedAttribute;

/** MP_REACH_NLRI for IPv4 or IPv6 unicast/multicast (RFC 4760 §3, RFC 2545 §3, RFC 8950). */
export interface MpReachNlri {
  readonly type: 'mp-reach-nlri';
  readonly afi: number;
  readonly safi: number;
  /** The (global) next hop: IPv4 text for a 4-octet next hop, IPv6 text for 16 or 32 octets. */
  readonly nextHop: string;
  /** The link-local IPv6 next hop of the 32-octet form (RFC 2545 §3). */
  readonly linkLocalNextHop?: string;
  /** The reserved octet when not zero (RFC 4760 §3 says to ignore it on receipt). */
  readonly reserved?: number;
  readonly nlri: readonly NlriPrefix[];
}

/** MP_UNREACH_NLRI for IPv4 or IPv6 unicast/multicast (RFC 4760 §4). */
export interface MpUnreachNlri {
  readonly type: 'mp-unreach-nlri';
  readonly afi: number;
  readonly safi: number;
  readonly withdrawn: readonly NlriPrefix[];
}

/** An attribute of a type not decoded here (or MP_REACH/UNREACH of another family): kept raw. */
export interface UnknownAttribute {
  readonly type: 'unknown';
  readonly code: number;
  /** The flags octet as received; Extended Length is forced on encode when the value needs it. */
  readonly flags: number;
  readonly value: Uint8Array;
}

/** A recognised attribute whose value is not well-formed, kept raw for validation (RFC 7606). */
export interface MalformedAttribute {
  readonly type: 'malformed';
  readonly code: number;
  readonly flags: number;
  readonly value: Uint8Array;
  readonly reason: AttributeMalformedReason;
}

const SEGMENT_NAMES = ['', 'as-set', 'as-sequence', 'as-confed-sequence', 'as-confed-set'] as const;
const SEGMENT_CODES: Readonly<Record<AsPathSegment['type'], number>> = {
  'as-set': AsPathSegmentType.AS_SET,
  'as-sequence': AsPathSegmentType.AS_SEQUENCE,
  'as-confed-sequence': AsPathSegmentType.AS_CONFED_SEQUENCE,
  'as-confed-set': AsPathSegmentType.AS_CONFED_SET,
};

const O = AttributeFlag.OPTIONAL;
const T = AttributeFlag.TRANSITIVE;

/** The category bits (Optional, Transitive) each known attribute carries (RFC 4271 §5 and each type's RFC). */
export const CANONICAL_FLAGS: Readonly<Record<number, number>> = {
  [AttributeType.ORIGIN]: T,
  [AttributeType.AS_PATH]: T,
  [AttributeType.NEXT_HOP]: T,
  [AttributeType.MULTI_EXIT_DISC]: O,
  [AttributeType.LOCAL_PREF]: T,
  [AttributeType.ATOMIC_AGGREGATE]: T,
  [AttributeType.AGGREGATOR]: O | T,
  [AttributeType.COMMUNITIES]: O | T,
  [AttributeType.ORIGINATOR_ID]: O,
  [AttributeType.CLUSTER_LIST]: O,
  [AttributeType.MP_REACH_NLRI]: O,
  [AttributeType.MP_UNREACH_NLRI]: O,
  [AttributeType.EXTENDED_COMMUNITIES]: O | T,
  [AttributeType.AS4_PATH]: O | T,
  [AttributeType.AS4_AGGREGATOR]: O | T,
  [AttributeType.LARGE_COMMUNITY]: O | T,
};

/** Type code of an attribute. */
export function attributeCode(a: PathAttribute): number {
  switch (a.type) {
    case 'origin':
      return AttributeType.ORIGIN;
    case 'as-path':
      return AttributeType.AS_PATH;
    case 'next-hop':
      return AttributeType.NEXT_HOP;
    case 'multi-exit-disc':
      return AttributeType.MULTI_EXIT_DISC;
    case 'local-pref':
      return AttributeType.LOCAL_PREF;
    case 'atomic-aggregate':
      return AttributeType.ATOMIC_AGGREGATE;
    case 'aggregator':
      return AttributeType.AGGREGATOR;
    case 'communities':
      return AttributeType.COMMUNITIES;
    case 'originator-id':
      return AttributeType.ORIGINATOR_ID;
    case 'cluster-list':
      return AttributeType.CLUSTER_LIST;
    case 'mp-reach-nlri':
      return AttributeType.MP_REACH_NLRI;
    case 'mp-unreach-nlri':
      return AttributeType.MP_UNREACH_NLRI;
    case 'extended-communities':
      return AttributeType.EXTENDED_COMMUNITIES;
    case 'as4-path':
      return AttributeType.AS4_PATH;
    case 'as4-aggregator':
      return AttributeType.AS4_AGGREGATOR;
    case 'large-communities':
      return AttributeType.LARGE_COMMUNITY;
    case 'unknown':
    case 'malformed':
      return a.code;
  }
}

/** The flags octet an attribute is written with (Extended Length not yet applied). */
export function attributeFlags(a: PathAttribute): number {
  if (a.flags !== undefined) return a.flags;
  return CANONICAL_FLAGS[attributeCode(a)] ?? O | T;
}

function isIpFamily(afi: number, safi: number): boolean {
  return (afi === 1 || afi === 2) && (safi === 1 || safi === 2);
}

function decodeSegments(b: Uint8Array, o: number, len: number, asSize: 2 | 4): AsPathSegment[] | undefined {
  const end = o + len;
  const segments: AsPathSegment[] = [];
  while (o < end) {
    if (o + 2 > end) return undefined;
    const st = b[o]!;
    const count = b[o + 1]!;
    // RFC 7606 §7.2: an unknown segment type or a zero-length segment makes AS_PATH malformed.
    if (st < 1 || st > 4 || count === 0) return undefined;
    o += 2;
    if (o + count * asSize > end) return undefined;
    const asns: number[] = new Array<number>(count);
    if (asSize === 4) for (let i = 0; i < count; i++) asns[i] = readU32(b, o + 4 * i);
    else for (let i = 0; i < count; i++) asns[i] = readU16(b, o + 2 * i);
    o += count * asSize;
    segments.push({ type: SEGMENT_NAMES[st] as AsPathSegment['type'], asns });
  }
  return segments;
}

/**
 * Decodes one attribute value at `b[o, o+len)`; `b` is the whole message and `msgOffset` the attribute's
 * first octet in it. `flags` is the octet as received. MP_REACH/MP_UNREACH
 * faults throw (RFC 7606 §7.11 wants a session reset); every other fault yields a `malformed` attribute.
 */
export function decodeAttribute(
  code: number,
  flags: number,
  b: Uint8Array,
  o: number,
  len: number,
  ctx: CodecContext,
  msgOffset: number,
): PathAttribute {
  const canonical = CANONICAL_FLAGS[code];
  let typed: PathAttribute | AttributeMalformedReason | undefined;
  switch (code) {
    case AttributeType.ORIGIN:
      typed = len !== 1 ? 'origin-length' : b[o]! > 2 ? 'origin-value' : { type: 'origin', origin: b[o]! };
      break;
    case AttributeType.AS_PATH: {
      const segments = decodeSegments(b, o, len, ctx.fourOctetAs === false ? 2 : 4);
      typed = segments === undefined ? 'as-path-malformed' : { type: 'as-path', segments };
      break;
    }
    case AttributeType.NEXT_HOP:
      typed = len !== 4 ? 'next-hop-length' : { type: 'next-hop', nextHop: readIpv4Text(b, o) };
      break;
    case AttributeType.MULTI_EXIT_DISC:
      typed = len !== 4 ? 'multi-exit-disc-length' : { type: 'multi-exit-disc', med: readU32(b, o) };
      break;
    case AttributeType.LOCAL_PREF:
      typed = len !== 4 ? 'local-pref-length' : { type: 'local-pref', localPref: readU32(b, o) };
      break;
    case AttributeType.ATOMIC_AGGREGATE:
      typed = len !== 0 ? 'atomic-aggregate-length' : { type: 'atomic-aggregate' };
      break;
    case AttributeType.AGGREGATOR: {
      const four = ctx.fourOctetAs !== false;
      if (len !== (four ? 8 : 6)) typed = 'aggregator-length';
      else
        typed = {
          type: 'aggregator',
          asn: four ? readU32(b, o) : readU16(b, o),
          address: readIpv4Text(b, o + (four ? 4 : 2)),
        };
      break;
    }
    case AttributeType.COMMUNITIES: {
      if (len === 0 || len % 4 !== 0) {
        typed = 'communities-length';
        break;
      }
      const communities: number[] = new Array<number>(len >> 2);
      for (let i = 0; i < communities.length; i++) communities[i] = readU32(b, o + 4 * i);
      typed = { type: 'communities', communities };
      break;
    }
    case AttributeType.ORIGINATOR_ID:
      typed = len !== 4 ? 'originator-id-length' : { type: 'originator-id', originatorId: readIpv4Text(b, o) };
      break;
    case AttributeType.CLUSTER_LIST: {
      if (len === 0 || len % 4 !== 0) {
        typed = 'cluster-list-length';
        break;
      }
      const clusterList: string[] = [];
      for (let i = 0; i < len; i += 4) clusterList.push(readIpv4Text(b, o + i));
      typed = { type: 'cluster-list', clusterList };
      break;
    }
    case AttributeType.MP_REACH_NLRI:
      typed = decodeMpReach(b, o, len, ctx, msgOffset);
      break;
    case AttributeType.MP_UNREACH_NLRI:
      typed = decodeMpUnreach(b, o, len, ctx, msgOffset);
      break;
    case AttributeType.EXTENDED_COMMUNITIES: {
      if (len % 8 !== 0) {
        typed = 'extended-communities-length';
        break;
      }
      const communities: bigint[] = [];
      for (let i = 0; i < len; i += 8)
        communities.push((BigInt(readU32(b, o + i)) << 32n) | BigInt(readU32(b, o + i + 4)));
      typed = { type: 'extended-communities', communities };
      break;
    }
    case AttributeType.AS4_PATH: {
      const segments = decodeSegments(b, o, len, 4);
      typed = segments === undefined ? 'as4-path-malformed' : { type: 'as4-path', segments };
      break;
    }
    case AttributeType.AS4_AGGREGATOR:
      typed =
        len !== 8
          ? 'as4-aggregator-length'
          : { type: 'as4-aggregator', asn: readU32(b, o), address: readIpv4Text(b, o + 4) };
      break;
    case AttributeType.LARGE_COMMUNITY: {
      if (len === 0 || len % 12 !== 0) {
        typed = 'large-communities-length';
        break;
      }
      const communities: LargeCommunity[] = [];
      for (let i = 0; i < len; i += 12) {
        communities.push({
          globalAdministrator: readU32(b, o + i),
          localData1: readU32(b, o + i + 4),
          localData2: readU32(b, o + i + 8),
        });
      }
      typed = { type: 'large-communities', communities };
      break;
    }
    default:
      typed = undefined;
  }
  if (typed === undefined) return { type: 'unknown', code, flags, value: b.slice(o, o + len) };
  if (typeof typed === 'string') return { type: 'malformed', code, flags, value: b.slice(o, o + len), reason: typed };
  const expected = (canonical ?? 0) | (len > 255 ? AttributeFlag.EXTENDED_LENGTH : 0);
  return flags === expected ? typed : { ...typed, flags };
}

/** MP_REACH_NLRI faults reset the session (RFC 7606 §7.11); offsets in `b` are offsets in the message. */
function failMpReach(at: number, detail: string, attribute: Uint8Array): never {
  // RFC 4271 §6.3: the data of Optional Attribute Error is the whole attribute (type, length and value).
  throw new BgpDecodeError('mp-reach-malformed', at, 3, 9, attribute, detail);
}

function decodeMpReach(
  b: Uint8Array,
  o: number,
  len: number,
  ctx: CodecContext,
  msgOffset: number,
): PathAttribute | undefined {
  const end = o + len;
  if (len < 5)
    failMpReach(msgOffset, 'shorter than AFI, SAFI, next hop length and reserved octet', b.slice(msgOffset, end));
  const afi = readU16(b, o);
  const safi = b[o + 2]!;
  if (!isIpFamily(afi, safi)) return undefined;
  const nhLen = b[o + 3]!;
  const nh = o + 4;
  if (nh + nhLen + 1 > end) failMpReach(o + 3, 'next hop overruns the attribute', b.slice(msgOffset, end));
  let nextHop: string;
  let linkLocalNextHop: string | undefined;
  if (nhLen === 4 && afi === 1) nextHop = readIpv4Text(b, nh);
  else if (nhLen === 16) nextHop = readIpv6Text(b, nh);
  else if (nhLen === 32) {
    nextHop = readIpv6Text(b, nh);
    linkLocalNextHop = readIpv6Text(b, nh + 16);
  } else return failMpReach(o + 3, `next hop length ${nhLen} for AFI ${afi}`, b.slice(msgOffset, end));
  const reserved = b[nh + nhLen]!;
  const nlri: NlriPrefix[] = [];
  const start = nh + nhLen + 1;
  try {
    decodePrefixes(b, start, end, afi === 1 ? 4 : 6, hasAddPath(ctx, afi, safi), 9, nlri);
  } catch (err) {
    if (err instanceof BgpDecodeError) failMpReach(err.offset, 'NLRI', b.slice(msgOffset, end));
    throw err;
  }
  if (reserved !== 0) {
    return linkLocalNextHop === undefined
      ? { type: 'mp-reach-nlri', afi, safi, nextHop, reserved, nlri }
      : { type: 'mp-reach-nlri', afi, safi, nextHop, linkLocalNextHop, reserved, nlri };
  }
  return linkLocalNextHop === undefined
    ? { type: 'mp-reach-nlri', afi, safi, nextHop, nlri }
    : { type: 'mp-reach-nlri', afi, safi, nextHop, linkLocalNextHop, nlri };
}

function decodeMpUnreach(
  b: Uint8Array,
  o: number,
  len: number,
  ctx: CodecContext,
  msgOffset: number,
): PathAttribute | undefined {
  if (len < 3)
    throw new BgpDecodeError(
      'mp-unreach-malformed',
      msgOffset,
      3,
      9,
      b.slice(msgOffset, o + len),
      'shorter than AFI and SAFI',
    );
  const afi = readU16(b, o);
  const safi = b[o + 2]!;
  if (!isIpFamily(afi, safi)) return undefined;
  const withdrawn: NlriPrefix[] = [];
  try {
    decodePrefixes(b, o + 3, o + len, afi === 1 ? 4 : 6, hasAddPath(ctx, afi, safi), 9, withdrawn);
  } catch (err) {
    if (err instanceof BgpDecodeError)
      throw new BgpDecodeError('mp-unreach-malformed', err.offset, 3, 9, b.slice(msgOffset, o + len), err.reason);
    throw err;
  }
  return { type: 'mp-unreach-nlri', afi, safi, withdrawn };
}

function segmentsLength(segments: readonly AsPathSegment[], asSize: number): number {
  let n = 0;
  for (const s of segments) n += 2 + asSize * s.asns.length;
  return n;
}

function nextHopLength(a: MpReachNlri): number {
  if (!a.nextHop.includes(':')) return 4;
  return a.linkLocalNextHop === undefined ? 16 : 32;
}

/** Octets of an attribute's value. `nlriCount` limits the MP_REACH/UNREACH prefixes written (for packing). */
export function attributeValueLength(a: PathAttribute, ctx: CodecContext): number {
  switch (a.type) {
    case 'origin':
      return 1;
    case 'as-path':
      return segmentsLength(a.segments, ctx.fourOctetAs === false ? 2 : 4);
    case 'as4-path':
      return segmentsLength(a.segments, 4);
    case 'next-hop':
    case 'multi-exit-disc':
    case 'local-pref':
    case 'originator-id':
      return 4;
    case 'atomic-aggregate':
      return 0;
    case 'aggregator':
      return ctx.fourOctetAs === false ? 6 : 8;
    case 'as4-aggregator':
      return 8;
    case 'communities':
      return 4 * a.communities.length;
    case 'cluster-list':
      return 4 * a.clusterList.length;
    case 'extended-communities':
      return 8 * a.communities.length;
    case 'large-communities':
      return 12 * a.communities.length;
    case 'mp-reach-nlri':
      return 5 + nextHopLength(a) + prefixesWireLength(a.nlri, hasAddPath(ctx, a.afi, a.safi));
    case 'mp-unreach-nlri':
      return 3 + prefixesWireLength(a.withdrawn, hasAddPath(ctx, a.afi, a.safi));
    case 'unknown':
    case 'malformed':
      return a.value.length;
  }
}

/** Octets of a whole attribute (flags, type, length field, value). */
export function attributeWireLength(a: PathAttribute, ctx: CodecContext): number {
  const len = attributeValueLength(a, ctx);
  const ext = len > 255 || (attributeFlags(a) & AttributeFlag.EXTENDED_LENGTH) !== 0;
  return (ext ? 4 : 3) + len;
}

function writeSegments(b: Uint8Array, o: number, segments: readonly AsPathSegment[], asSize: 2 | 4): number {
  for (const s of segments) {
    const st = SEGMENT_CODES[s.type];
    if (st === undefined)
      throw new InvalidArgumentError(
        'segment.type',
        'as-sequence, as-set, as-confed-sequence or as-confed-set',
        s.type,
      );
    if (s.asns.length === 0 || s.asns.length > 255)
      throw new InvalidArgumentError('segment.asns', '1..255 AS numbers per segment', s.asns.length);
    b[o] = st;
    b[o + 1] = s.asns.length;
    o += 2;
    for (const asn of s.asns) {
      if (asSize === 4) {
        checkUint(asn, 32, 'segment.asns');
        writeU32(b, o, asn);
      } else {
        // A 2-octet session cannot carry a 4-octet ASN here: RFC 6793 §4.2.2 puts AS_TRANS in AS_PATH and the
        // real path in AS4_PATH, which is the caller's choice to make.
        checkUint(asn, 16, 'segment.asns (2-octet AS session)');
        writeU16(b, o, asn);
      }
      o += asSize;
    }
  }
  return o;
}

/**
 * Writes one attribute at `o`; returns the offset after it.
 *
 * ```
 * +-------+------+---------------------+------------+
 * | Flags | Type | Length (1, or 2 if  | Value      |
 * |       | code | Extended Length)    |            |
 * +-------+------+---------------------+------------+
 * ```
 */
export function writeAttribute(b: Uint8Array, o: number, a: PathAttribute, ctx: CodecContext): number {
  const len = attributeValueLength(a, ctx);
  let flags = attributeFlags(a);
  checkUint(flags, 8, 'attribute.flags');
  if (len > 255) flags |= AttributeFlag.EXTENDED_LENGTH;
  if (len > 65535) throw new InvalidArgumentError('attribute', 'a value of at most 65535 octets', a.type);
  const code = attributeCode(a);
  checkUint(code, 8, 'attribute.code');
  b[o] = flags;
  b[o + 1] = code;
  if ((flags & AttributeFlag.EXTENDED_LENGTH) !== 0) {
    writeU16(b, o + 2, len);
    o += 4;
  } else {
    b[o + 2] = len;
    o += 3;
  }
  const four = ctx.fourOctetAs !== false;
  switch (a.type) {
    case 'origin':
      checkUint(a.origin, 8, 'origin');
      b[o] = a.origin;
      break;
    case 'as-path':
      writeSegments(b, o, a.segments, four ? 4 : 2);
      break;
    case 'as4-path':
      writeSegments(b, o, a.segments, 4);
      break;
    case 'next-hop':
      writeIpv4Text(b, o, a.nextHop, 'next-hop');
      break;
    case 'multi-exit-disc':
      checkUint(a.med, 32, 'multi-exit-disc');
      writeU32(b, o, a.med);
      break;
    case 'local-pref':
      checkUint(a.localPref, 32, 'local-pref');
      writeU32(b, o, a.localPref);
      break;
    case 'originator-id':
      writeIpv4Text(b, o, a.originatorId, 'originator-id');
      break;
    case 'atomic-aggregate':
      break;
    case 'aggregator':
      checkUint(a.asn, four ? 32 : 16, 'aggregator.asn');
      if (four) writeU32(b, o, a.asn);
      else writeU16(b, o, a.asn);
      writeIpv4Text(b, o + (four ? 4 : 2), a.address, 'aggregator.address');
      break;
    case 'as4-aggregator':
      checkUint(a.asn, 32, 'as4-aggregator.asn');
      writeU32(b, o, a.asn);
      writeIpv4Text(b, o + 4, a.address, 'as4-aggregator.address');
      break;
    case 'communities':
      for (let i = 0; i < a.communities.length; i++) {
        checkUint(a.communities[i]!, 32, 'communities');
        writeU32(b, o + 4 * i, a.communities[i]!);
      }
      break;
    case 'cluster-list':
      for (let i = 0; i < a.clusterList.length; i++) writeIpv4Text(b, o + 4 * i, a.clusterList[i]!, 'cluster-list');
      break;
    case 'extended-communities':
      for (let i = 0; i < a.communities.length; i++) {
        const c = a.communities[i]!;
        if (typeof c !== 'bigint' || c < 0n || c >= 1n << 64n)
          throw new InvalidArgumentError('extended-communities', 'a 64-bit bigint', c);
        writeU32(b, o + 8 * i, Number(c >> 32n));
        writeU32(b, o + 8 * i + 4, Number(c & 0xffffffffn));
      }
      break;
    case 'large-communities':
      for (let i = 0; i < a.communities.length; i++) {
        const c = a.communities[i]!;
        checkUint(c.globalAdministrator, 32, 'large-communities.globalAdministrator');
        checkUint(c.localData1, 32, 'large-communities.localData1');
        checkUint(c.localData2, 32, 'large-communities.localData2');
        writeU32(b, o + 12 * i, c.globalAdministrator);
        writeU32(b, o + 12 * i + 4, c.localData1);
        writeU32(b, o + 12 * i + 8, c.localData2);
      }
      break;
    case 'mp-reach-nlri':
      writeMpReach(b, o, a, ctx);
      break;
    case 'mp-unreach-nlri': {
      checkFamily(a.afi, a.safi, 'mp-unreach-nlri');
      writeU16(b, o, a.afi);
      b[o + 2] = a.safi;
      const addPath = hasAddPath(ctx, a.afi, a.safi);
      const fam = a.afi === 1 ? 4 : 6;
      for (const p of a.withdrawn) checkPrefix(p, fam, addPath, 'mp-unreach-nlri.withdrawn');
      writePrefixes(b, o + 3, a.withdrawn, 0, a.withdrawn.length, addPath);
      break;
    }
    case 'unknown':
    case 'malformed':
      b.set(a.value, o);
      break;
  }
  return o + len;
}

function checkFamily(afi: number, safi: number, field: string): void {
  if (!isIpFamily(afi, safi))
    throw new InvalidArgumentError(
      `${field}.afi/safi`,
      'AFI 1 or 2 with SAFI 1 or 2 (other families travel as unknown attributes)',
      { afi, safi },
    );
}

function writeMpReach(b: Uint8Array, o: number, a: MpReachNlri, ctx: CodecContext): void {
  checkFamily(a.afi, a.safi, 'mp-reach-nlri');
  writeU16(b, o, a.afi);
  b[o + 2] = a.safi;
  const nhLen = nextHopLength(a);
  if (nhLen === 4 && a.afi !== 1)
    throw new InvalidArgumentError('mp-reach-nlri.nextHop', 'an IPv6 next hop for AFI 2', a.nextHop);
  b[o + 3] = nhLen;
  if (nhLen === 4) writeIpv4Text(b, o + 4, a.nextHop, 'mp-reach-nlri.nextHop');
  else {
    writeIpv6Text(b, o + 4, a.nextHop, 'mp-reach-nlri.nextHop');
    if (a.linkLocalNextHop !== undefined)
      writeIpv6Text(b, o + 20, a.linkLocalNextHop, 'mp-reach-nlri.linkLocalNextHop');
  }
  const reserved = a.reserved ?? 0;
  checkUint(reserved, 8, 'mp-reach-nlri.reserved');
  b[o + 4 + nhLen] = reserved;
  const addPath = hasAddPath(ctx, a.afi, a.safi);
  const fam = a.afi === 1 ? 4 : 6;
  for (const p of a.nlri) checkPrefix(p, fam, addPath, 'mp-reach-nlri.nlri');
  writePrefixes(b, o + 5 + nhLen, a.nlri, 0, a.nlri.length, addPath);
}
