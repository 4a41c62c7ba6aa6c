/**
 * Membership, failure detection and per-IP owner choice for layer 2 load balancing: SWIM with the Lifeguard
 * refinements over UDP (push-pull over TCP), AES-256-GCM with HKDF keys, MetalLB's owner rule, a fast
 * owner → standby takeover path, and split-brain guards.
 *
 * @example
 * ```ts
 * import { createMember } from '@lbkit/election';
 *
 * const member = createMember({
 *   name: 'node-a',
 *   bindAddress: '192.0.2.1',
 *   port: 7946,
 *   seeds: ['192.0.2.2:7946'],
 *   secrets: [process.env.ELECTION_SECRET ?? 'change me'],
 *   profile: 'default',
 *   addresses: [{ ip: '203.0.113.10' }],
 * });
 * member.on('owner-changed', ({ info }) => console.log(info.ip, info.owner, info.local ? 'announce' : 'withdraw'));
 * await member.start();
 * console.log(member.ownersFor(['203.0.113.10']));
 * ```
 *
 * @packageDocumentation
 */
export {
  createMember,
  Member,
  type MemberInit,
  type MemberComponents,
  type MemberStats,
  type ConflictDecision,
} from './member/member.js';
export type { MemberEvents, MemberEventName, MemberListener, OwnerInfo, LocalReason } from './member/events.js';
export type { ElectionTransport, TransportHandlers } from './member/transport.js';
export { PROFILES, resolveProfile, type Profile, type ProfileName } from './profiles.js';
export { chooseOwner, rankHash, type OwnerChoice, type OwnerReason, type Preferences } from './owner/choose-owner.js';
export { OwnerTable, type AddressEntry, type Placement } from './owner/owner-table.js';
export {
  step,
  nextDeadline,
  type SwimEvent,
  type SwimAction,
  type StepResult,
  type MemberView,
  type MemberChangeReason,
  type ClaimEndReason,
} from './swim/step.js';
export {
  createSwimState,
  snapshot,
  type SwimState,
  type SwimStateInit,
  type MemberRecord,
  type Suspicion,
  type Probe,
  type PingWait,
  type Watch,
  type Broadcast,
} from './swim/state.js';
export { createPrng, type Prng } from './swim/prng.js';
export { suspicionBounds, suspicionTimeout, type SuspicionBounds } from './swim/suspicion.js';
export { encodePacket, decodePacket, encodeState, decodeState, messageSize } from './wire/codec.js';
export { sealFrame, openFrame, frameOverhead, FRAME_KIND, FRAME_MODE, type FrameKind } from './wire/frame.js';
export { Keyring, deriveKey, type KeyringInit, type RandomBytes } from './wire/keyring.js';
export { ReplayFilter, type ReplayVerdict } from './wire/replay.js';
export {
  MESSAGE_TYPE,
  MESSAGE_TYPE_NAME,
  MEMBER_FLAG,
  MEMBER_STATUS,
  type Message,
  type PingMessage,
  type PingReqMessage,
  type AckMessage,
  type NackMessage,
  type AliveMessage,
  type SuspectMessage,
  type DeadMessage,
  type HeartbeatMessage,
  type UnknownMessage,
  type UpdateMessage,
  type Packet,
  type StateExchange,
  type StateRecord,
  type MemberStatus,
} from './wire/messages.js';
export { ElectionDecodeError, ElectionAuthError, type DecodeFailure } from './errors.js';
export { MAX_PACKET_BYTES, DEFAULT_PORT, WIRE_VERSION, REPLAY_WINDOW } from './constants.js';
export { UdpTransport, type UdpTransportInit } from './io/udp-transport.js';
export { WorkerMember, createWorkerMember } from './io/worker-member.js';
