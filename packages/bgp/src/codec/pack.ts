import { InvalidArgumentError } from '@lbkit/core';
import { writeU16 } from './address.js';
import { allocMessage } from './slab.js';
import {
  attributeFlags,
  attributeValueLength,
  attributeWireLength,
  writeAttribute,
  type MpReachNlri,
  type PathAttribute,
} from './attributes.js';
import { AttributeFlag, AttributeType, HEADER_LENGTH, MessageType } from './constants.js';
import { hasAddPath, type CodecContext } from './context.js';
import { maxMessageLength, writeHeader } from './header.js';
import { checkPrefix, prefixWireLength, writePrefixes, type NlriPrefix } from './nlri.js';

/** What {@link encodeUpdates} sends: one attribute set, the prefixes that share it, and prefixes to withdraw. */
export interface UpdateBatch {
  /**
   * The attributes every announced prefix shares, in the order they go on the wire. To announce anything but
   * IPv4 unicast through the NLRI field, include an `mp-reach-nlri` attribute as a template: its family and
   * next hops are used, its `nlri` is ignored and filled from `announce`.
   */
  readonly attributes: readonly PathAttribute[];
  /** Prefixes to announce with `attributes`. */
  readonly announce?: readonly NlriPrefix[];
  /** Prefixes to withdraw: IPv4 ones in the Withdrawn Routes field, IPv6 ones in MP_UNREACH_NLRI (unicast). */
  readonly withdraw?: readonly NlriPrefix[];
}

/**
 * Packs a batch into as few UPDATEs as fit the context's limit (4,096 octets, or 65,535 with extended
 * messages, RFC 8654): withdrawals first, then announcements, each message as full as it can be. Every
 * message is allocated once at its exact size.
 */
export function encodeUpdates(batch: UpdateBatch, ctx: CodecContext): Uint8Array[] {
  const out: Uint8Array[] = [];
  const max = maxMessageLength(MessageType.UPDATE, ctx);
  const withdraw = batch.withdraw;
  if (withdraw !== undefined && withdraw.length > 0) {
    const v4: NlriPrefix[] = [];
    const v6: NlriPrefix[] = [];
    for (const p of withdraw) (p.family === 4 ? v4 : v6).push(p);
    if (v4.length > 0) packWithdrawnField(v4, ctx, max, out);
    if (v6.length > 0) packMpUnreach(v6, ctx, max, out);
  }
  const announce = batch.announce;
  if (announce !== undefined && announce.length > 0) {
    let templateIndex = -1;
    for (let i = 0; i < batch.attributes.length; i++) {
      if (batch.attributes[i]!.type === 'mp-reach-nlri') {
        templateIndex = i;
        break;
      }
    }
    if (templateIndex === -1) packNlriField(batch.attributes, announce, ctx, max, out);
    else packMpReach(batch.attributes, templateIndex, announce, ctx, max, out);
  }
  return out;
}

/** Octets the last takeFitting call took (a module variable, so the hot loop allocates no result object). */
let taken = 0;

/** Takes prefixes from `from` while they fit in `room` octets; returns the end index (at least from+1). */
function takeFitting(
  prefixes: readonly NlriPrefix[],
  from: number,
  room: number,
  addPath: boolean,
  field: string,
): number {
  let used = 0;
  let k = from;
  while (k < prefixes.length) {
    const n = prefixWireLength(prefixes[k]!, addPath);
    if (used + n > room) break;
    used += n;
    k++;
  }
  if (k === from) throw new InvalidArgumentError(field, 'attributes small enough to leave room for one prefix', room);
  taken = used;
  return k;
}

function packWithdrawnField(prefixes: readonly NlriPrefix[], ctx: CodecContext, max: number, out: Uint8Array[]): void {
  const addPath = hasAddPath(ctx, 1, 1);
  for (const p of prefixes) checkPrefix(p, 4, addPath, 'withdraw');
  const room = max - HEADER_LENGTH - 4;
  for (let k = 0; k < prefixes.length;) {
    const end = takeFitting(prefixes, k, room, addPath, 'withdraw');
    const len = taken;
    const b = allocMessage(HEADER_LENGTH + 4 + len);
    writeHeader(b, MessageType.UPDATE);
    writeU16(b, 19, len);
    writePrefixes(b, 21, prefixes, k, end, addPath);
    // Total Path Attribute Length stays 0 (the buffer is zeroed).
    out.push(b);
    k = end;
  }
}

function packMpUnreach(prefixes: readonly NlriPrefix[], ctx: CodecContext, max: number, out: Uint8Array[]): void {
  const addPath = hasAddPath(ctx, 2, 1);
  for (const p of prefixes) checkPrefix(p, 6, addPath, 'withdraw');
  // Header, both length fields, attribute header with Extended Length, AFI and SAFI.
  const room = max - HEADER_LENGTH - 4 - 4 - 3;
  for (let k = 0; k < prefixes.length;) {
    const end = takeFitting(prefixes, k, room, addPath, 'withdraw');
    const valueLen = 3 + taken;
    const ext = valueLen > 255;
    const attrLen = (ext ? 4 : 3) + valueLen;
    const b = allocMessage(HEADER_LENGTH + 4 + attrLen);
    writeHeader(b, MessageType.UPDATE);
    writeU16(b, 21, attrLen);
    let o = 23;
    b[o] = AttributeFlag.OPTIONAL | (ext ? AttributeFlag.EXTENDED_LENGTH : 0);
    b[o + 1] = AttributeType.MP_UNREACH_NLRI;
    if (ext) {
      writeU16(b, o + 2, valueLen);
      o += 4;
    } else {
      b[o + 2] = valueLen;
      o += 3;
    }
    writeU16(b, o, 2);
    b[o + 2] = 1;
    writePrefixes(b, o + 3, prefixes, k, end, addPath);
    out.push(b);
    k = end;
  }
}

function encodeAttributeRun(attrs: readonly PathAttribute[], ctx: CodecContext): Uint8Array {
  let n = 0;
  for (const a of attrs) n += attributeWireLength(a, ctx);
  const b = allocMessage(n);
  let o = 0;
  for (const a of attrs) o = writeAttribute(b, o, a, ctx);
  return b;
}

function packNlriField(
  attrs: readonly PathAttribute[],
  prefixes: readonly NlriPrefix[],
  ctx: CodecContext,
  max: number,
  out: Uint8Array[],
): void {
  const addPath = hasAddPath(ctx, 1, 1);
  for (const p of prefixes) checkPrefix(p, 4, addPath, 'announce');
  const template = encodeAttributeRun(attrs, ctx);
  const fixed = HEADER_LENGTH + 4 + template.length;
  const room = max - fixed;
  for (let k = 0; k < prefixes.length;) {
    const end = takeFitting(prefixes, k, room, addPath, 'announce');
    const b = allocMessage(fixed + taken);
    writeHeader(b, MessageType.UPDATE);
    writeU16(b, 21, template.length);
    b.set(template, 23);
    writePrefixes(b, fixed, prefixes, k, end, addPath);
    out.push(b);
    k = end;
  }
}

function packMpReach(
  attrs: readonly PathAttribute[],
  templateIndex: number,
  prefixes: readonly NlriPrefix[],
  ctx: CodecContext,
  max: number,
  out: Uint8Array[],
): void {
  const tmpl = attrs[templateIndex] as MpReachNlri & { readonly flags?: number };
  const addPath = hasAddPath(ctx, tmpl.afi, tmpl.safi);
  const family = tmpl.afi === 1 ? 4 : 6;
  for (const p of prefixes) checkPrefix(p, family, addPath, 'announce');
  const before = encodeAttributeRun(attrs.slice(0, templateIndex), ctx);
  const after = encodeAttributeRun(attrs.slice(templateIndex + 1), ctx);
  // The MP_REACH_NLRI without prefixes, written once; each message patches its length and appends prefixes.
  const empty: MpReachNlri = { ...tmpl, nlri: [] };
  const fixedValue = attributeValueLength(empty, ctx);
  const emptyBytes = allocMessage(4 + fixedValue);
  writeAttribute(emptyBytes, 0, { ...empty, flags: attributeFlags(empty) | AttributeFlag.EXTENDED_LENGTH }, ctx);
  const mpFixed = emptyBytes.subarray(4);
  const forceExt = (attributeFlags(tmpl) & AttributeFlag.EXTENDED_LENGTH) !== 0;
  const room = max - HEADER_LENGTH - 4 - before.length - after.length - 4 - fixedValue;
  for (let k = 0; k < prefixes.length;) {
    const end = takeFitting(prefixes, k, room, addPath, 'announce');
    const valueLen = fixedValue + taken;
    const ext = forceExt || valueLen > 255;
    const attrLen = before.length + (ext ? 4 : 3) + valueLen + after.length;
    const b = allocMessage(HEADER_LENGTH + 4 + attrLen);
    writeHeader(b, MessageType.UPDATE);
    writeU16(b, 21, attrLen);
    let o = 23;
    b.set(before, o);
    o += before.length;
    b[o] = (attributeFlags(tmpl) & ~AttributeFlag.EXTENDED_LENGTH) | (ext ? AttributeFlag.EXTENDED_LENGTH : 0);
    b[o + 1] = AttributeType.MP_REACH_NLRI;
    if (ext) {
      writeU16(b, o + 2, valueLen);
      o += 4;
    } else {
      b[o + 2] = valueLen;
      o += 3;
    }
    b.set(mpFixed, o);
    o = writePrefixes(b, o + fixedValue, prefixes, k, end, addPath);
    b.set(after, o);
    out.push(b);
    k = end;
  }
}
