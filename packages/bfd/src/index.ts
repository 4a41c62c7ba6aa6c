/**
 * BFD (RFC 5880) for lbkit: sub-second failure detection of the path to a BGP peer. Single hop (RFC 5881)
 * and multihop (RFC 5883) sessions, every authentication type, timers and sockets in a worker thread so a
 * busy main thread cannot make a session flap, and MetalLB's BFDProfile mapped onto the configuration.
 *
 * @example
 * ```ts
 * import { createBfd } from '@lbkit/bfd';
 *
 * const bfd = createBfd();
 * await bfd.start();
 * const session = await bfd.addSession({ peerAddress: '192.0.2.1', localAddress: '192.0.2.2', transmitIntervalMs: 100, receiveIntervalMs: 100 });
 * session.on('state', (change) => {
 *   if (change.failure) console.log(`path to ${change.peerAddress} failed: ${change.diag}`);
 * });
 * await session.waitFor('Up');
 * ```
 *
 * @packageDocumentation
 */
export {
  BFD_VERSION,
  SINGLE_HOP_CONTROL_PORT,
  SINGLE_HOP_ECHO_PORT,
  MULTIHOP_CONTROL_PORT,
  SOURCE_PORT_MIN,
  SOURCE_PORT_MAX,
  SEND_TTL,
  CONTROL_HEADER_LENGTH,
  SLOW_TX_INTERVAL_US,
  BFD_STATE,
  BFD_STATE_NAME,
  BFD_DIAG,
  BFD_AUTH_TYPE,
  BFD_AUTH_TYPE_NAME,
  AUTH_SECTION_LENGTH,
  DIGEST_LENGTH,
  DEFAULT_RECEIVE_INTERVAL_MS,
  DEFAULT_TRANSMIT_INTERVAL_MS,
  DEFAULT_DETECT_MULTIPLIER,
  DEFAULT_MINIMUM_TTL,
  INTERVAL_RANGE_MS,
  FAST_TIMER_FLOOR_MS,
  diagName,
  diagValue,
  type BfdState,
  type BfdDiag,
  type BfdAuthType,
} from './constants.js';
export { BfdDecodeError, BfdUnsupportedError, BfdSessionError } from './errors.js';
export {
  encodeControl,
  decodeControl,
  authSectionLength,
  type BfdControlPacket,
  type BfdAuthSection,
  type BfdSimplePasswordAuth,
  type BfdDigestAuth,
  type BfdUnknownAuth,
  type BfdDigestAuthType,
  type EncodeControlOptions,
} from './codec/control.js';
export { validateControl, type BfdPacketCheckFailure } from './codec/validate.js';
export {
  checkAuth,
  authSection,
  type BfdAuthKey,
  type BfdAuthFailure,
  type AuthReceiveState,
  type AuthCheck,
} from './fsm/auth.js';
export {
  createSession,
  step,
  nextDeadline,
  transmitIntervalUs,
  detectionTimeMs,
  jitteredIntervalMs,
  type SessionParams,
  type SessionState,
  type SessionEvent,
  type SessionAction,
  type StepContext,
  type StepResult,
  type BfdStateChangeCause,
  type BfdSessionDropReason,
} from './fsm/session.js';
export {
  resolveSessionConfig,
  type BfdSessionInit,
  type BfdAuthInit,
  type ResolvedSessionConfig,
} from './config/session-config.js';
export {
  fromMetalLbBfdProfile,
  type MetalLbBfdProfileSpec,
  type BfdProfileSettings,
} from './config/metallb-profile.js';
export {
  BfdEngine,
  type BfdEngineComponents,
  type BfdEngineHandlers,
  type BfdStateChange,
  type BfdSessionStats,
  type BfdEngineDropReason,
} from './engine/engine.js';
export type {
  BfdTransport,
  BfdDatagram,
  BfdListenOptions,
  BfdSendOptions,
  BfdListener,
  BfdSender,
} from './transport.js';
export { BfdSession, type BfdLiveness, type SessionBackend } from './service/session-handle.js';
export { createBfd, BfdService, type BfdInit, type BfdComponents, type BfdBackend } from './io/create-bfd.js';
export { createDgramTransport } from './io/udp-transport.js';
export type { BfdTransportKind, EngineStats } from './io/worker-protocol.js';
