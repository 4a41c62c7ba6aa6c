import { InvalidArgumentError } from '@lbkit/core';
import { readU16, writeU16 } from './address.js';
import { allocMessage } from './slab.js';
import { attributeWireLength, decodeAttribute, writeAttribute, type PathAttribute } from './attributes.js';
import { AttributeFlag, AttributeType, HEADER_LENGTH, MessageType } from './constants.js';
import { hasAddPath, type CodecContext, type Family } from './context.js';
import { BgpDecodeError } from './errors.js';
import { maxMessageLength, writeHeader } from './header.js';
import { checkPrefix, decodePrefixes, prefixesWireLength, writePrefixes, type NlriPrefix } from './nlri.js';

/** The UPDATE message (RFC 4271 §4.3). IPv4 unicast routes travel in `withdrawn` and `nlri`; others in MP attributes. */
export interface UpdateMessage {
  readonly type: 'update';
  /** Withdrawn IPv4 unicast routes. */
  readonly withdrawn: readonly NlriPrefix[];
  /** Path attributes in wire order. */
  readonly attributes: readonly PathAttribute[];
  /** Reachable IPv4 unicast routes. */
  readonly nlri: readonly NlriPrefix[];
  /**
   * Octets of the attribute field that could not be split into attributes because an attribute's length ran
   * past the field (RFC 7606 §4). Kept raw so the message re-encodes; {@link validateUpdate} turns it into
   * treat-as-withdraw.
   */
  readonly attributeListTail?: Uint8Array;
}

/**
 * Decodes an UPDATE body; `b` is the whole message. Faults that RFC 7606 resolves by session reset throw
 * {@link BgpDecodeError}; faults inside one attribute yield a `malformed` attribute for {@link validateUpdate}.
 */
export function decodeUpdateBody(b: Uint8Array, ctx: CodecContext): UpdateMessage {
  const end = b.length;
  const wLen = readU16(b, 19);
  const wStart = 21;
  // RFC 4271 §6.3: lengths that do not fit the message are a Malformed Attribute List.
  if (wStart + wLen + 2 > end) throw new BgpDecodeError('update-withdrawn-overrun', 19, 3, 1);
  const aLen = readU16(b, wStart + wLen);
  const aStart = wStart + wLen + 2;
  const aEnd = aStart + aLen;
  if (aEnd > end) throw new BgpDecodeError('update-attributes-overrun', wStart + wLen, 3, 1);
  const v4AddPath = hasAddPath(ctx, 1, 1);
  const withdrawn: NlriPrefix[] = [];
  decodePrefixes(b, wStart, wStart + wLen, 4, v4AddPath, 10, withdrawn);
  const attributes: PathAttribute[] = [];
  let o = aStart;
  let tail: Uint8Array | undefined;
  let sawReach = false;
  let sawUnreach = false;
  while (o < aEnd) {
    const flags = b[o]!;
    const ext = (flags & AttributeFlag.EXTENDED_LENGTH) !== 0;
    const head = ext ? 4 : 3;
    if (o + head > aEnd) {
      tail = b.slice(o, aEnd);
      break;
    }
    const code = b[o + 1]!;
    const len = ext ? readU16(b, o + 2) : b[o + 2]!;
    if (o + head + len > aEnd) {
      tail = b.slice(o, aEnd);
      break;
    }
    if (code === AttributeType.MP_REACH_NLRI || code === AttributeType.MP_UNREACH_NLRI) {
      // RFC 7606 §3 (g): more than one MP_REACH_NLRI or MP_UNREACH_NLRI resets the session.
      const seen = code === AttributeType.MP_REACH_NLRI ? sawReach : sawUnreach;
      if (seen) throw new BgpDecodeError('duplicate-mp-attribute', o, 3, 1);
      if (code === AttributeType.MP_REACH_NLRI) sawReach = true;
      else sawUnreach = true;
    }
    attributes.push(decodeAttribute(code, flags, b, o + head, len, ctx, o));
    o += head + len;
  }
  const nlri: NlriPrefix[] = [];
  decodePrefixes(b, aEnd, end, 4, v4AddPath, 10, nlri);
  const msg: UpdateMessage = { type: 'update', withdrawn, attributes, nlri };
  return tail === undefined ? msg : { ...msg, attributeListTail: tail };
}

/** Octets of an UPDATE in a context. */
export function updateWireLength(msg: UpdateMessage, ctx: CodecContext): number {
  const addPath = hasAddPath(ctx, 1, 1);
  let n = HEADER_LENGTH + 4 + prefixesWireLength(msg.withdrawn, addPath) + prefixesWireLength(msg.nlri, addPath);
  for (const a of msg.attributes) n += attributeWireLength(a, ctx);
  if (msg.attributeListTail !== undefined) n += msg.attributeListTail.length;
  return n;
}

/**
 * Encodes one UPDATE; throws `InvalidArgumentError` (from @lbkit/core) when it exceeds the context's size limit (use
 * {@link encodeUpdates} to split).
 *
 * ```
 * +-----------------------+------------------+--------------------+-----------------+------+
 * | Withdrawn Len (2)     | Withdrawn Routes | Total Attr Len (2) | Path Attributes | NLRI |
 * +-----------------------+------------------+--------------------+-----------------+------+
 * ```
 */
export function encodeUpdate(msg: UpdateMessage, ctx: CodecContext): Uint8Array {
  const addPath = hasAddPath(ctx, 1, 1);
  for (const p of msg.withdrawn) checkPrefix(p, 4, addPath, 'update.withdrawn');
  for (const p of msg.nlri) checkPrefix(p, 4, addPath, 'update.nlri');
  const total = updateWireLength(msg, ctx);
  const max = maxMessageLength(MessageType.UPDATE, ctx);
  if (total > max)
    throw new InvalidArgumentError('update', `a message of at most ${max} octets (split with encodeUpdates)`, total);
  const b = allocMessage(total);
  writeHeader(b, MessageType.UPDATE);
  let o = writePrefixes(b, 21, msg.withdrawn, 0, msg.withdrawn.length, addPath);
  writeU16(b, 19, o - 21);
  const aLenAt = o;
  o += 2;
  for (const a of msg.attributes) o = writeAttribute(b, o, a, ctx);
  if (msg.attributeListTail !== undefined) {
    b.set(msg.attributeListTail, o);
    o += msg.attributeListTail.length;
  }
  writeU16(b, aLenAt, o - aLenAt - 2);
  writePrefixes(b, o, msg.nlri, 0, msg.nlri.length, addPath);
  return b;
}

/**
 * The End-of-RIB marker of a family (RFC 4724 §2): an empty UPDATE for IPv4 unicast, an UPDATE holding only
 * an empty MP_UNREACH_NLRI otherwise.
 */
export function createEndOfRib(family: Family): UpdateMessage {
  if (family.afi === 1 && family.safi === 1) return { type: 'update', withdrawn: [], attributes: [], nlri: [] };
  return {
    type: 'update',
    withdrawn: [],
    attributes: [{ type: 'mp-unreach-nlri', afi: family.afi, safi: family.safi, withdrawn: [] }],
    nlri: [],
  };
}

/** The family an UPDATE marks End-of-RIB for, or undefined when it is not an End-of-RIB marker. */
export function endOfRibFamily(msg: UpdateMessage): Family | undefined {
  if (msg.withdrawn.length !== 0 || msg.nlri.length !== 0 || msg.attributeListTail !== undefined) return undefined;
  if (msg.attributes.length === 0) return { afi: 1, safi: 1 };
  if (msg.attributes.length !== 1) return undefined;
  const a = msg.attributes[0]!;
  if (a.type === 'mp-unreach-nlri' && a.withdrawn.length === 0) return { afi: a.afi, safi: a.safi };
  // An End-of-RIB of a family this codec keeps raw: MP_UNREACH_NLRI of exactly AFI and SAFI.
  if (a.type === 'unknown' && a.code === AttributeType.MP_UNREACH_NLRI && a.value.length === 3) {
    return { afi: readU16(a.value, 0), safi: a.value[2]! };
  }
  return undefined;
}
