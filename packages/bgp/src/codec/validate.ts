import { parseIpv4 } from '@lbkit/core';
import {
  attributeCode,
  attributeFlags,
  attributeValueLength,
  CANONICAL_FLAGS,
  type AttributeMalformedReason,
  type PathAttribute,
} from './attributes.js';
import { AttributeFlag, AttributeType, BGP_VERSION, OptionalParameterType } from './constants.js';
import type { CodecContext } from './context.js';
import type { NotificationFields } from './errors.js';
import type { NlriPrefix } from './nlri.js';
import type { OpenMessage } from './open.js';
import type { UpdateMessage } from './update.js';
import { capabilityCode } from './capabilities.js';

/** The RFC 7606 error-handling actions, mildest first. */
export type ErrorAction = 'attribute-discard' | 'treat-as-withdraw' | 'session-reset';

/** Why part of an UPDATE was found wrong: one name per rule. */
export type UpdateIssueReason =
  | 'attribute-list-overrun'
  | 'duplicate-attribute'
  | 'unrecognized-well-known-attribute'
  | 'attribute-flags-error'
  | AttributeMalformedReason
  | 'next-hop-invalid'
  | 'as-path-first-as-mismatch'
  | 'as-path-confed-from-external-peer'
  | 'local-pref-from-external-peer'
  | 'missing-origin'
  | 'missing-as-path'
  | 'missing-next-hop'
  | 'missing-local-pref';

/** One finding: the rule broken, what RFC 7606 does about it, and the NOTIFICATION RFC 4271 §6.3 names for it. */
export interface UpdateIssue {
  readonly reason: UpdateIssueReason;
  readonly action: ErrorAction;
  /** The attribute type code concerned, when there is one. */
  readonly attributeCode?: number;
  /** Code, subcode and data of the NOTIFICATION (sent only when the action is a session reset). */
  readonly notification: NotificationFields;
}

/** The verdict on an UPDATE (RFC 7606 §2): the most severe action among its issues. */
export type UpdateValidation =
  | { readonly outcome: 'accept'; readonly issues: readonly [] }
  | {
      readonly outcome: 'attribute-discard';
      readonly issues: readonly UpdateIssue[];
      /** The attributes to use: the message's attributes without the discarded ones. */
      readonly attributes: readonly PathAttribute[];
    }
  | {
      readonly outcome: 'treat-as-withdraw';
      readonly issues: readonly UpdateIssue[];
      /** Every prefix the message names (announced or withdrawn), all to be treated as withdrawn. */
      readonly withdrawn: readonly NlriPrefix[];
    }
  | {
      readonly outcome: 'session-reset';
      readonly issues: readonly UpdateIssue[];
      readonly notification: NotificationFields;
    };

/** What {@link validateUpdate} needs to know about the session beyond the codec context. */
export interface UpdateValidationContext extends CodecContext {
  /**
   * The peer is external (eBGP) and not a confederation member. Decides the LOCAL_PREF rules (RFC 7606 §7.5)
   * and whether AS_CONFED segments are allowed (§7.2).
   * @default false
   */
  readonly external?: boolean;
  /**
   * The peer's AS. With `external`, the first AS of AS_PATH must be this one (RFC 4271 §6.3); leave unset for a
   * route server peer, which does not prepend itself.
   */
  readonly peerAs?: number;
}

const EMPTY = new Uint8Array(0);
const SEVERITY: Readonly<Record<ErrorAction, number>> = {
  'attribute-discard': 1,
  'treat-as-withdraw': 2,
  'session-reset': 3,
};

/** The per-attribute action of RFC 7606 §7 when an attribute is malformed. */
function malformedAction(code: number, external: boolean): ErrorAction {
  switch (code) {
    case AttributeType.ATOMIC_AGGREGATE:
    case AttributeType.AGGREGATOR:
    case AttributeType.AS4_PATH:
    case AttributeType.AS4_AGGREGATOR:
      return 'attribute-discard';
    case AttributeType.LOCAL_PREF:
      return external ? 'attribute-discard' : 'treat-as-withdraw';
    case AttributeType.MP_REACH_NLRI:
    case AttributeType.MP_UNREACH_NLRI:
      return 'session-reset';
    default:
      return 'treat-as-withdraw';
  }
}

function malformedSubcode(reason: AttributeMalformedReason): number {
  switch (reason) {
    case 'origin-value':
      return 6;
    case 'as-path-malformed':
      return 11;
    case 'as4-path-malformed':
      return 9;
    default:
      return 5;
  }
}

/** Octets of one attribute as sent (flags, type, length, value): the data of most UPDATE NOTIFICATIONs. */
function attributeBytes(a: PathAttribute, ctx: CodecContext): Uint8Array {
  const len = attributeValueLength(a, ctx);
  const flags = attributeFlags(a);
  const ext = len > 255 || (flags & AttributeFlag.EXTENDED_LENGTH) !== 0;
  const head = ext ? 4 : 3;
  const out = new Uint8Array(head + (a.type === 'unknown' || a.type === 'malformed' ? len : 0));
  out[0] = flags | (ext ? AttributeFlag.EXTENDED_LENGTH : 0);
  out[1] = attributeCode(a);
  if (ext) {
    out[2] = len >> 8;
    out[3] = len & 255;
  } else out[2] = len;
  if (a.type === 'unknown' || a.type === 'malformed') out.set(a.value, head);
  return out;
}

function isBadNextHop(text: string): boolean {
  const v = Number(parseIpv4(text));
  const first = v >>> 24;
  // RFC 4271 §6.3: a next hop that cannot be a unicast host (0/8, loopback, multicast and class E).
  return first === 0 || first === 127 || first >= 224;
}

/**
 * Judges a decoded UPDATE in the context of its session (RFC 7606, RFC 4271 §6.3): duplicate, missing,
 * malformed and misflagged attributes, AS_PATH rules for external peers, and next hop sanity. Decoding has
 * already rejected what only a session reset can answer (framing, NLRI, MP_REACH/MP_UNREACH faults).
 */
export function validateUpdate(msg: UpdateMessage, ctx: UpdateValidationContext = {}): UpdateValidation {
  const external = ctx.external === true;
  const issues: UpdateIssue[] = [];
  const discard = new Set<PathAttribute>();
  const seen = new Set<number>();
  const add = (
    reason: UpdateIssueReason,
    action: ErrorAction,
    subcode: number,
    data: Uint8Array,
    a?: PathAttribute,
  ): void => {
    const issue: UpdateIssue = { reason, action, notification: { code: 3, subcode, data } };
    issues.push(a === undefined ? issue : { ...issue, attributeCode: attributeCode(a) });
    if (a !== undefined && action === 'attribute-discard') discard.add(a);
  };
  if (msg.attributeListTail !== undefined) add('attribute-list-overrun', 'treat-as-withdraw', 1, EMPTY);

  let hasReach = false;
  for (const a of msg.attributes) {
    const code = attributeCode(a);
    if (seen.has(code)) {
      // RFC 7606 §3 (g): keep the first, discard the rest (MP duplicates never reach here: decoding resets).
      add('duplicate-attribute', 'attribute-discard', 1, EMPTY, a);
      continue;
    }
    seen.add(code);
    const flags = attributeFlags(a) & ~AttributeFlag.EXTENDED_LENGTH;
    if (a.type === 'unknown') {
      // RFC 4271 §6.3: an unrecognised well-known attribute (Optional bit clear) cannot be passed on.
      if ((flags & AttributeFlag.OPTIONAL) === 0 && CANONICAL_FLAGS[code] === undefined) {
        add('unrecognized-well-known-attribute', 'session-reset', 2, attributeBytes(a, ctx), a);
      }
      continue;
    }
    const canonical = CANONICAL_FLAGS[code];
    if (canonical !== undefined) {
      const category = flags & (AttributeFlag.OPTIONAL | AttributeFlag.TRANSITIVE);
      // Well-known attributes must not carry Partial (RFC 4271 §4.3); optional non-transitive ones neither.
      const partialBad =
        (flags & AttributeFlag.PARTIAL) !== 0 &&
        (canonical & AttributeFlag.OPTIONAL) !== 0 &&
        (canonical & AttributeFlag.TRANSITIVE) === 0;
      const partialWellKnown = (flags & AttributeFlag.PARTIAL) !== 0 && (canonical & AttributeFlag.OPTIONAL) === 0;
      if (category !== canonical || partialBad || partialWellKnown) {
        // RFC 7606 §3 (c): a flags error is handled as the attribute's own malformation.
        add('attribute-flags-error', malformedAction(code, external), 4, attributeBytes(a, ctx), a);
        continue;
      }
    }
    if (a.type === 'malformed') {
      add(a.reason, malformedAction(code, external), malformedSubcode(a.reason), attributeBytes(a, ctx), a);
      continue;
    }
    switch (a.type) {
      case 'mp-reach-nlri':
        if (a.nlri.length > 0) hasReach = true;
        break;
      case 'next-hop':
        if (isBadNextHop(a.nextHop))
          add('next-hop-invalid', 'treat-as-withdraw', 8, attributeBytes(a, ctx).slice(0, 3), a);
        break;
      case 'local-pref':
        // RFC 4271 §5.1.5: ignored from an external peer.
        if (external) add('local-pref-from-external-peer', 'attribute-discard', 0, EMPTY, a);
        break;
      case 'as-path': {
        if (external && a.segments.some((s) => s.type === 'as-confed-sequence' || s.type === 'as-confed-set')) {
          add('as-path-confed-from-external-peer', 'treat-as-withdraw', 11, EMPTY, a);
        } else if (external && ctx.peerAs !== undefined) {
          const first = a.segments[0];
          if (first !== undefined && (first.type !== 'as-sequence' || first.asns[0] !== ctx.peerAs)) {
            add('as-path-first-as-mismatch', 'treat-as-withdraw', 11, EMPTY, a);
          }
        }
        break;
      }
      default:
        break;
    }
  }
  if (msg.nlri.length > 0) hasReach = true;
  if (hasReach) {
    // RFC 7606 §3 (d): a missing well-known mandatory attribute means treat-as-withdraw; data = type code.
    const present = (c: number): boolean =>
      msg.attributes.some((a) => attributeCode(a) === c && a.type !== 'malformed');
    const malformedPresent = (c: number): boolean => msg.attributes.some((a) => attributeCode(a) === c);
    if (!malformedPresent(AttributeType.ORIGIN))
      add('missing-origin', 'treat-as-withdraw', 3, Uint8Array.of(AttributeType.ORIGIN));
    if (!malformedPresent(AttributeType.AS_PATH))
      add('missing-as-path', 'treat-as-withdraw', 3, Uint8Array.of(AttributeType.AS_PATH));
    if (msg.nlri.length > 0 && !malformedPresent(AttributeType.NEXT_HOP))
      add('missing-next-hop', 'treat-as-withdraw', 3, Uint8Array.of(AttributeType.NEXT_HOP));
    if (
      !external &&
      ctx.external !== undefined &&
      !present(AttributeType.LOCAL_PREF) &&
      !malformedPresent(AttributeType.LOCAL_PREF)
    ) {
      add('missing-local-pref', 'treat-as-withdraw', 3, Uint8Array.of(AttributeType.LOCAL_PREF));
    }
  }
  if (issues.length === 0) return { outcome: 'accept', issues: [] };
  let worst: UpdateIssue = issues[0]!;
  for (const i of issues) if (SEVERITY[i.action] > SEVERITY[worst.action]) worst = i;
  if (worst.action === 'session-reset') return { outcome: 'session-reset', issues, notification: worst.notification };
  if (worst.action === 'treat-as-withdraw')
    return { outcome: 'treat-as-withdraw', issues, withdrawn: allPrefixes(msg) };
  return { outcome: 'attribute-discard', issues, attributes: msg.attributes.filter((a) => !discard.has(a)) };
}

function allPrefixes(msg: UpdateMessage): NlriPrefix[] {
  const out: NlriPrefix[] = [...msg.withdrawn, ...msg.nlri];
  for (const a of msg.attributes) {
    if (a.type === 'mp-reach-nlri') out.push(...a.nlri);
    else if (a.type === 'mp-unreach-nlri') out.push(...a.withdrawn);
  }
  return out;
}

/** Why an OPEN is refused: each maps to an RFC 4271 §6.2 / RFC 5492 subcode. */
export type OpenIssueReason =
  | 'unsupported-version-number'
  | 'bad-peer-as'
  | 'bad-bgp-identifier'
  | 'unsupported-optional-parameter'
  | 'unacceptable-hold-time'
  | 'malformed-capability'
  | 'unsupported-capability';

/** The verdict on a received OPEN. */
export type OpenValidation =
  | { readonly outcome: 'accept' }
  | { readonly outcome: 'reject'; readonly reason: OpenIssueReason; readonly notification: NotificationFields };

/** What {@link validateOpen} checks the peer's OPEN against. */
export interface OpenValidationContext {
  /** The AS the peer must have (its 4-octet AS capability, else the 2-octet field). Unset accepts any. */
  readonly peerAs?: number;
  /** Our BGP Identifier: an internal peer must not use the same one (RFC 4271 §6.2). */
  readonly localBgpIdentifier?: string;
  /** Whether the peer is internal (same AS), for the identifier rule. @default false */
  readonly internal?: boolean;
  /** Capability codes we cannot work without; a peer lacking one gets Unsupported Capability (RFC 5492 §5). */
  readonly requiredCapabilities?: readonly number[];
}

const MALFORMED_CAPABILITY_CODES = new Set([1, 2, 5, 6, 64, 65, 69, 70, 71, 73]);

/** Checks a received OPEN (RFC 4271 §6.2, RFC 5492, RFC 6793); the first fault found is returned. */
export function validateOpen(msg: OpenMessage, ctx: OpenValidationContext = {}): OpenValidation {
  const reject = (reason: OpenIssueReason, subcode: number, data: Uint8Array = EMPTY): OpenValidation => ({
    outcome: 'reject',
    reason,
    notification: { code: 2, subcode, data },
  });
  // RFC 4271 §6.2: the data is the largest locally supported version number, in 2 octets.
  if (msg.version !== BGP_VERSION) return reject('unsupported-version-number', 1, Uint8Array.of(0, BGP_VERSION));
  for (const p of msg.optionalParameters) {
    if (p.type === 'unknown' && p.code !== OptionalParameterType.CAPABILITIES)
      return reject('unsupported-optional-parameter', 4);
  }
  const caps = msg.optionalParameters.flatMap((p) => (p.type === 'capabilities' ? p.capabilities : []));
  for (const c of caps) {
    // RFC 4271 §6.2: a recognised optional parameter that is malformed → subcode 0 (Unspecific).
    if (c.type === 'unknown' && MALFORMED_CAPABILITY_CODES.has(c.code)) return reject('malformed-capability', 0);
  }
  const four = caps.find((c) => c.type === 'four-octet-as');
  const asn = four?.type === 'four-octet-as' ? four.asn : msg.myAutonomousSystem;
  const asData = Uint8Array.of(msg.myAutonomousSystem >> 8, msg.myAutonomousSystem & 255);
  if (asn === 0) return reject('bad-peer-as', 2, asData);
  // RFC 6793 §4: a 2-octet-representable ASN must appear as itself in My Autonomous System.
  if (four?.type === 'four-octet-as' && four.asn <= 0xffff && four.asn !== msg.myAutonomousSystem)
    return reject('bad-peer-as', 2, asData);
  if (ctx.peerAs !== undefined && asn !== ctx.peerAs) return reject('bad-peer-as', 2, asData);
  if (msg.holdTime === 1 || msg.holdTime === 2) return reject('unacceptable-hold-time', 6);
  // RFC 6286 §2.2: any non-zero identifier; for an internal peer it must differ from ours.
  if (msg.bgpIdentifier === '0.0.0.0') return reject('bad-bgp-identifier', 3);
  if (ctx.internal === true && ctx.localBgpIdentifier !== undefined && ctx.localBgpIdentifier === msg.bgpIdentifier)
    return reject('bad-bgp-identifier', 3);
  if (ctx.requiredCapabilities !== undefined) {
    const have = new Set(caps.map(capabilityCode));
    const missing = ctx.requiredCapabilities.filter((c) => !have.has(c));
    // RFC 5492 §5: the data lists the capabilities that caused the error (code and zero length each).
    if (missing.length > 0) return reject('unsupported-capability', 7, Uint8Array.from(missing.flatMap((c) => [c, 0])));
  }
  return { outcome: 'accept' };
}
