/**
 * Wire constants of BGP-4, named as in the IANA "Border Gateway Protocol (BGP) Parameters" registries and the
 * RFCs that created them. Each table is an `as const` object with a reverse map for logs.
 */

/** Builds the reverse (value → name) map of a constant table. */
function reverse<T extends Record<string, number>>(table: T): Readonly<Record<number, keyof T & string>> {
  const out: Record<number, keyof T & string> = {};
  for (const [name, value] of Object.entries(table)) out[value] = name as keyof T & string;
  return out;
}

/** BGP message types (IANA "BGP Message Types"; RFC 4271 §4.1, RFC 2918). */
export const MessageType = {
  OPEN: 1,
  UPDATE: 2,
  NOTIFICATION: 3,
  KEEPALIVE: 4,
  ROUTE_REFRESH: 5,
} as const;
/** A message type value. */
export type MessageTypeCode = (typeof MessageType)[keyof typeof MessageType];
/** Message type value → name. */
export const MessageTypeName = reverse(MessageType);

/** Length of the fixed message header: 16-octet marker, 2-octet length, 1-octet type (RFC 4271 §4.1). */
export const HEADER_LENGTH = 19;
/** Largest message without the extended message capability (RFC 4271 §4.1). */
export const MAX_MESSAGE_LENGTH = 4096;
/** Largest message when both sides advertised extended messages (RFC 8654 §3). */
export const MAX_EXTENDED_MESSAGE_LENGTH = 65535;
/** Smallest OPEN: header plus the 10 fixed octets (RFC 4271 §4.2). */
export const MIN_OPEN_LENGTH = 29;
/** Smallest UPDATE: header plus two 2-octet length fields (RFC 4271 §4.3). */
export const MIN_UPDATE_LENGTH = 23;
/** Smallest NOTIFICATION: header plus code and subcode (RFC 4271 §4.5). */
export const MIN_NOTIFICATION_LENGTH = 21;
/** A KEEPALIVE is the header alone (RFC 4271 §4.4). */
export const KEEPALIVE_LENGTH = 19;
/** A ROUTE-REFRESH: header plus AFI, subtype and SAFI (RFC 2918 §3, RFC 7313 §3.2). */
export const ROUTE_REFRESH_LENGTH = 23;
/** The only BGP version in use (RFC 4271 §4.2). */
export const BGP_VERSION = 4;
/** The 2-octet placeholder for a 4-octet AS number (RFC 6793 §9). */
export const AS_TRANS = 23456;

/** Optional parameter types of the OPEN message (IANA "BGP OPEN Optional Parameter Types"). */
export const OptionalParameterType = {
  /** RFC 5492 */
  CAPABILITIES: 2,
  /** RFC 9072: marks the extended optional parameters length form. */
  EXTENDED_LENGTH: 255,
} as const;
/** Optional parameter type value → name. */
export const OptionalParameterTypeName = reverse(OptionalParameterType);

/** Capability codes (IANA "Capability Codes"). */
export const CapabilityCode = {
  MULTIPROTOCOL: 1,
  ROUTE_REFRESH: 2,
  OUTBOUND_ROUTE_FILTERING: 3,
  EXTENDED_NEXT_HOP_ENCODING: 5,
  EXTENDED_MESSAGE: 6,
  BGPSEC: 7,
  MULTIPLE_LABELS: 8,
  BGP_ROLE: 9,
  GRACEFUL_RESTART: 64,
  FOUR_OCTET_AS: 65,
  DYNAMIC_CAPABILITY: 67,
  MULTISESSION: 68,
  ADD_PATH: 69,
  ENHANCED_ROUTE_REFRESH: 70,
  LONG_LIVED_GRACEFUL_RESTART: 71,
  ROUTING_POLICY_DISTRIBUTION: 72,
  FQDN: 73,
  BFD: 74,
  SOFTWARE_VERSION: 75,
  ROUTE_REFRESH_CISCO: 128,
} as const;
/** Capability code → name. */
export const CapabilityCodeName = reverse(CapabilityCode);

/** Address Family Identifiers used by BGP (IANA "Address Family Numbers"). */
export const Afi = {
  IPV4: 1,
  IPV6: 2,
  L2VPN: 25,
  BGP_LS: 16388,
} as const;
/** AFI value → name. */
export const AfiName = reverse(Afi);

/** Subsequent Address Family Identifiers (IANA "SAFI Values"). */
export const Safi = {
  UNICAST: 1,
  MULTICAST: 2,
  MPLS_LABEL: 4,
  EVPN: 70,
  BGP_LS: 71,
  MPLS_VPN: 128,
  ROUTE_TARGET: 132,
  FLOWSPEC: 133,
  FLOWSPEC_VPN: 134,
} as const;
/** SAFI value → name. */
export const SafiName = reverse(Safi);

/** Path attribute type codes (IANA "BGP Path Attributes"). */
export const AttributeType = {
  ORIGIN: 1,
  AS_PATH: 2,
  NEXT_HOP: 3,
  MULTI_EXIT_DISC: 4,
  LOCAL_PREF: 5,
  ATOMIC_AGGREGATE: 6,
  AGGREGATOR: 7,
  COMMUNITIES: 8,
  ORIGINATOR_ID: 9,
  CLUSTER_LIST: 10,
  MP_REACH_NLRI: 14,
  MP_UNREACH_NLRI: 15,
  EXTENDED_COMMUNITIES: 16,
  AS4_PATH: 17,
  AS4_AGGREGATOR: 18,
  PMSI_TUNNEL: 22,
  TUNNEL_ENCAPSULATION: 23,
  TRAFFIC_ENGINEERING: 24,
  IPV6_ADDRESS_SPECIFIC_EXTENDED_COMMUNITY: 25,
  AIGP: 26,
  PE_DISTINGUISHER_LABELS: 27,
  BGP_LS: 29,
  LARGE_COMMUNITY: 32,
  BGPSEC_PATH: 33,
  OTC: 35,
  SFP_ATTRIBUTE: 37,
  BFD_DISCRIMINATOR: 38,
  BGP_PREFIX_SID: 40,
  ATTR_SET: 128,
} as const;
/** Attribute type code → name. */
export const AttributeTypeName = reverse(AttributeType);

/** Bits of the attribute flags octet (RFC 4271 §4.3). */
export const AttributeFlag = {
  OPTIONAL: 0x80,
  TRANSITIVE: 0x40,
  PARTIAL: 0x20,
  EXTENDED_LENGTH: 0x10,
} as const;

/** ORIGIN values (RFC 4271 §5.1.1). */
export const Origin = {
  IGP: 0,
  EGP: 1,
  INCOMPLETE: 2,
} as const;
/** ORIGIN value → name. */
export const OriginName = reverse(Origin);

/** AS_PATH segment types (RFC 4271 §4.3, RFC 5065 §3). */
export const AsPathSegmentType = {
  AS_SET: 1,
  AS_SEQUENCE: 2,
  AS_CONFED_SEQUENCE: 3,
  AS_CONFED_SET: 4,
} as const;
/** Segment type value → name. */
export const AsPathSegmentTypeName = reverse(AsPathSegmentType);

/** Well-known communities (IANA "BGP Well-known Communities"; RFC 1997, 3765, 7999, 8326, 9494). */
export const WellKnownCommunity = {
  GRACEFUL_SHUTDOWN: 0xffff0000,
  ACCEPT_OWN: 0xffff0001,
  ROUTE_FILTER_TRANSLATED_V4: 0xffff0002,
  ROUTE_FILTER_V4: 0xffff0003,
  ROUTE_FILTER_TRANSLATED_V6: 0xffff0004,
  ROUTE_FILTER_V6: 0xffff0005,
  LLGR_STALE: 0xffff0006,
  NO_LLGR: 0xffff0007,
  ACCEPT_OWN_NEXTHOP: 0xffff0008,
  STANDBY_PE: 0xffff0009,
  BLACKHOLE: 0xffff029a,
  NO_EXPORT: 0xffffff01,
  NO_ADVERTISE: 0xffffff02,
  NO_EXPORT_SUBCONFED: 0xffffff03,
  NOPEER: 0xffffff04,
} as const;
/** Well-known community value → name. */
export const WellKnownCommunityName = reverse(WellKnownCommunity);

/** NOTIFICATION error codes (IANA "BGP Error (Notification) Codes"). */
export const ErrorCode = {
  MESSAGE_HEADER_ERROR: 1,
  OPEN_MESSAGE_ERROR: 2,
  UPDATE_MESSAGE_ERROR: 3,
  HOLD_TIMER_EXPIRED: 4,
  FINITE_STATE_MACHINE_ERROR: 5,
  CEASE: 6,
  ROUTE_REFRESH_MESSAGE_ERROR: 7,
  SEND_HOLD_TIMER_EXPIRED: 8,
} as const;
/** Error code → name. */
export const ErrorCodeName = reverse(ErrorCode);

/** Message Header Error subcodes (RFC 4271 §6.1). */
export const MessageHeaderErrorSubcode = {
  UNSPECIFIC: 0,
  CONNECTION_NOT_SYNCHRONIZED: 1,
  BAD_MESSAGE_LENGTH: 2,
  BAD_MESSAGE_TYPE: 3,
} as const;

/** OPEN Message Error subcodes (RFC 4271 §6.2, RFC 5492, RFC 9234). */
export const OpenMessageErrorSubcode = {
  UNSPECIFIC: 0,
  UNSUPPORTED_VERSION_NUMBER: 1,
  BAD_PEER_AS: 2,
  BAD_BGP_IDENTIFIER: 3,
  UNSUPPORTED_OPTIONAL_PARAMETER: 4,
  AUTHENTICATION_FAILURE_DEPRECATED: 5,
  UNACCEPTABLE_HOLD_TIME: 6,
  UNSUPPORTED_CAPABILITY: 7,
  DEPRECATED_8: 8,
  DEPRECATED_9: 9,
  DEPRECATED_10: 10,
  ROLE_MISMATCH: 11,
} as const;

/** UPDATE Message Error subcodes (RFC 4271 §6.3). */
export const UpdateMessageErrorSubcode = {
  UNSPECIFIC: 0,
  MALFORMED_ATTRIBUTE_LIST: 1,
  UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE: 2,
  MISSING_WELL_KNOWN_ATTRIBUTE: 3,
  ATTRIBUTE_FLAGS_ERROR: 4,
  ATTRIBUTE_LENGTH_ERROR: 5,
  INVALID_ORIGIN_ATTRIBUTE: 6,
  AS_ROUTING_LOOP_DEPRECATED: 7,
  INVALID_NEXT_HOP_ATTRIBUTE: 8,
  OPTIONAL_ATTRIBUTE_ERROR: 9,
  INVALID_NETWORK_FIELD: 10,
  MALFORMED_AS_PATH: 11,
} as const;

/** Finite State Machine Error subcodes (RFC 6608). */
export const FsmErrorSubcode = {
  UNSPECIFIED_ERROR: 0,
  RECEIVE_UNEXPECTED_MESSAGE_IN_OPENSENT_STATE: 1,
  RECEIVE_UNEXPECTED_MESSAGE_IN_OPENCONFIRM_STATE: 2,
  RECEIVE_UNEXPECTED_MESSAGE_IN_ESTABLISHED_STATE: 3,
} as const;

/** Cease subcodes (RFC 4486, 8203, 8538, 9384). */
export const CeaseSubcode = {
  RESERVED: 0,
  MAXIMUM_NUMBER_OF_PREFIXES_REACHED: 1,
  ADMINISTRATIVE_SHUTDOWN: 2,
  PEER_DE_CONFIGURED: 3,
  ADMINISTRATIVE_RESET: 4,
  CONNECTION_REJECTED: 5,
  OTHER_CONFIGURATION_CHANGE: 6,
  CONNECTION_COLLISION_RESOLUTION: 7,
  OUT_OF_RESOURCES: 8,
  HARD_RESET: 9,
  BFD_DOWN: 10,
} as const;

/** ROUTE-REFRESH Message Error subcodes (RFC 7313 §5). */
export const RouteRefreshErrorSubcode = {
  RESERVED: 0,
  INVALID_MESSAGE_LENGTH: 1,
} as const;

/** Subcode names per error code, for logs. */
export const ErrorSubcodeName: Readonly<Record<number, Readonly<Record<number, string>>>> = {
  [ErrorCode.MESSAGE_HEADER_ERROR]: reverse(MessageHeaderErrorSubcode),
  [ErrorCode.OPEN_MESSAGE_ERROR]: reverse(OpenMessageErrorSubcode),
  [ErrorCode.UPDATE_MESSAGE_ERROR]: reverse(UpdateMessageErrorSubcode),
  [ErrorCode.FINITE_STATE_MACHINE_ERROR]: reverse(FsmErrorSubcode),
  [ErrorCode.CEASE]: reverse(CeaseSubcode),
  [ErrorCode.ROUTE_REFRESH_MESSAGE_ERROR]: reverse(RouteRefreshErrorSubcode),
};

/** ROUTE-REFRESH message subtypes (RFC 7313 §3.2; IANA "BGP ROUTE-REFRESH Subcodes"). */
export const RouteRefreshSubtype = {
  NORMAL: 0,
  BORR: 1,
  EORR: 2,
} as const;
/** ROUTE-REFRESH subtype → name. */
export const RouteRefreshSubtypeName = reverse(RouteRefreshSubtype);

/** ADD-PATH Send/Receive field (RFC 7911 §4). */
export const AddPathMode = {
  RECEIVE: 1,
  SEND: 2,
  BOTH: 3,
} as const;

/** Names a NOTIFICATION code and subcode for logs (`"CEASE/ADMINISTRATIVE_SHUTDOWN"`). */
export function describeNotification(code: number, subcode: number): string {
  const c = ErrorCodeName[code] ?? `code ${code}`;
  const s = ErrorSubcodeName[code]?.[subcode] ?? `subcode ${subcode}`;
  return `${c}/${s}`;
}
