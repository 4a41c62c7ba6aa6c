/**
 * A byte-exact BGP-4 message codec: pure functions over `Uint8Array`, no sockets, no timers. Negotiated
 * session state (4-octet AS, add-path per family, extended messages) is an explicit argument; unknown
 * capabilities and attributes survive decode → encode unchanged; decode faults throw {@link BgpDecodeError}
 * carrying the NOTIFICATION to send; {@link validateUpdate} gives the RFC 7606 verdict.
 *
 * @example
 * ```ts
 * import { decodeMessage, encodeUpdates, validateUpdate } from '@lbkit/bgp/codec';
 * import { parsePrefix } from '@lbkit/core';
 *
 * const ctx = { fourOctetAs: true };
 * const [bytes] = encodeUpdates(
 *   {
 *     attributes: [
 *       { type: 'origin', origin: 0 },
 *       { type: 'as-path', segments: [{ type: 'as-sequence', asns: [64512] }] },
 *       { type: 'next-hop', nextHop: '192.0.2.1' },
 *     ],
 *     announce: [parsePrefix('198.51.100.0/24')],
 *   },
 *   ctx,
 * );
 * const msg = decodeMessage(bytes!, ctx);
 * if (msg.type === 'update') console.log(validateUpdate(msg, ctx).outcome); // 'accept'
 * ```
 *
 * @packageDocumentation
 */
export {
  MessageType,
  MessageTypeName,
  HEADER_LENGTH,
  MAX_MESSAGE_LENGTH,
  MAX_EXTENDED_MESSAGE_LENGTH,
  MIN_OPEN_LENGTH,
  MIN_UPDATE_LENGTH,
  MIN_NOTIFICATION_LENGTH,
  KEEPALIVE_LENGTH,
  ROUTE_REFRESH_LENGTH,
  BGP_VERSION,
  AS_TRANS,
  OptionalParameterType,
  OptionalParameterTypeName,
  CapabilityCode,
  CapabilityCodeName,
  Afi,
  AfiName,
  Safi,
  SafiName,
  AttributeType,
  AttributeTypeName,
  AttributeFlag,
  Origin,
  OriginName,
  AsPathSegmentType,
  AsPathSegmentTypeName,
  WellKnownCommunity,
  WellKnownCommunityName,
  ErrorCode,
  ErrorCodeName,
  MessageHeaderErrorSubcode,
  OpenMessageErrorSubcode,
  UpdateMessageErrorSubcode,
  FsmErrorSubcode,
  CeaseSubcode,
  RouteRefreshErrorSubcode,
  ErrorSubcodeName,
  RouteRefreshSubtype,
  RouteRefreshSubtypeName,
  AddPathMode,
  describeNotification,
  type MessageTypeCode,
} from './constants.js';
export { BgpDecodeError, isBgpDecodeError, type DecodeErrorReason, type NotificationFields } from './errors.js';
export { DEFAULT_CONTEXT, IPV4_UNICAST, IPV6_UNICAST, hasAddPath, type CodecContext, type Family } from './context.js';
export { readHeader, writeHeader, maxMessageLength, type MessageHeader } from './header.js';
export { decodePrefixes, prefixWireLength, prefixesWireLength, type NlriPrefix } from './nlri.js';
export {
  GracefulRestartFlag,
  capabilityCode,
  type Capability,
  type GracefulRestartFamily,
  type LongLivedGracefulRestartFamily,
  type AddPathFamily,
  type ExtendedNextHopEntry,
} from './capabilities.js';
export {
  encodeOpen,
  openCapabilities,
  openAsn,
  createOpen,
  type OpenMessage,
  type OptionalParameter,
  type CreateOpenInit,
} from './open.js';
export {
  CANONICAL_FLAGS,
  attributeCode,
  attributeFlags,
  attributeWireLength,
  type PathAttribute,
  type AsPathSegment,
  type LargeCommunity,
  type AttributeCommon,
  type MpReachNlri,
  type MpUnreachNlri,
  type UnknownAttribute,
  type MalformedAttribute,
  type AttributeMalformedReason,
} from './attributes.js';
export { encodeUpdate, updateWireLength, createEndOfRib, endOfRibFamily, type UpdateMessage } from './update.js';
export { encodeUpdates, type UpdateBatch } from './pack.js';
export {
  encodeNotification,
  createShutdownNotification,
  MAX_SHUTDOWN_COMMUNICATION,
  type NotificationMessage,
} from './notification.js';
export {
  encodeRouteRefresh,
  encodeKeepalive,
  type RouteRefreshMessage,
  type KeepaliveMessage,
} from './route-refresh.js';
export { decodeMessage, encodeMessage, splitMessages, type BgpMessage, type SplitResult } from './message.js';
export {
  validateUpdate,
  validateOpen,
  type ErrorAction,
  type UpdateIssue,
  type UpdateIssueReason,
  type UpdateValidation,
  type UpdateValidationContext,
  type OpenIssueReason,
  type OpenValidation,
  type OpenValidationContext,
} from './validate.js';
export { reconcileAs4, asPathLength, toTwoOctetAttributes, type EffectiveAsInfo } from './as4.js';
export { formatCommunity, parseCommunity, formatLargeCommunity, parseLargeCommunity } from './communities.js';
export { negotiateSession, attributesForReadvertisement, type NegotiatedSession } from './negotiate.js';
