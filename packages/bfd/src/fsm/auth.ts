import { digestMatches } from '../codec/digest.js';
import { CONTROL_HEADER_LENGTH, type BfdAuthType } from '../constants.js';
import type { BfdAuthSection, BfdControlPacket } from '../codec/control.js';

/** A session's authentication setting, resolved to bytes. */
export interface BfdAuthKey {
  readonly type: BfdAuthType;
  /** 0–255; sent in every packet and required to match on receipt. */
  readonly keyId: number;
  /** The password (simple) or shared secret (MD5 up to 16 bytes, SHA-1 up to 20). */
  readonly secret: Uint8Array;
}

/** Why an authentication check failed (RFC 5880 §6.7, §6.8.6). */
export type BfdAuthFailure =
  | 'auth-unexpected'
  | 'auth-missing'
  | 'auth-type-mismatch'
  | 'auth-key-id-unknown'
  | 'auth-password-mismatch'
  | 'auth-sequence-out-of-window'
  | 'auth-digest-mismatch';

/** The receive-side sequence state of RFC 5880 §6.8.1 (bfd.RcvAuthSeq, bfd.AuthSeqKnown). */
export interface AuthReceiveState {
  readonly rcvAuthSeq: number;
  readonly authSeqKnown: boolean;
}

/** The outcome of {@link checkAuth}: the new receive state, or why the packet must be discarded. */
export type AuthCheck =
  { readonly ok: true; readonly next: AuthReceiveState } | { readonly ok: false; readonly reason: BfdAuthFailure };

function meticulous(type: BfdAuthType): boolean {
  return type === 'meticulous-keyed-md5' || type === 'meticulous-keyed-sha1';
}

/** `seq - base` modulo 2^32. */
function seqDistance(seq: number, base: number): number {
  return (seq - base + 0x1_0000_0000) % 0x1_0000_0000;
}

/**
 * Checks the authentication of a received packet against the session's key and sequence state
 * (RFC 5880 §6.7.2–6.7.4, §6.8.6). `bytes` is the packet as received, for the digest.
 *
 * Sequence window: with a known sequence, Keyed types accept bfd.RcvAuthSeq .. +3×Detect Mult and
 * Meticulous types bfd.RcvAuthSeq+1 .. +3×Detect Mult (modulo 2^32), Detect Mult being the packet's.
 */
export function checkAuth(
  key: BfdAuthKey | undefined,
  packet: BfdControlPacket,
  bytes: Uint8Array,
  state: AuthReceiveState,
): AuthCheck {
  const auth = packet.auth;
  if (key === undefined)
    return auth === undefined ? { ok: true, next: state } : { ok: false, reason: 'auth-unexpected' };
  if (auth === undefined) return { ok: false, reason: 'auth-missing' };
  if (auth.type !== key.type) return { ok: false, reason: 'auth-type-mismatch' };
  if (auth.keyId !== key.keyId) return { ok: false, reason: 'auth-key-id-unknown' };
  if (auth.type === 'simple-password') {
    return equalBytes(auth.password, key.secret)
      ? { ok: true, next: state }
      : { ok: false, reason: 'auth-password-mismatch' };
  }
  if (state.authSeqKnown) {
    const window = 3 * packet.detectMult;
    const d = seqDistance(auth.sequence, state.rcvAuthSeq);
    const low = meticulous(auth.type) ? 1 : 0;
    if (d < low || d > window) return { ok: false, reason: 'auth-sequence-out-of-window' };
  }
  if (!digestMatches(auth.type, bytes, bytes[3] ?? 0, CONTROL_HEADER_LENGTH + 8, key.secret))
    return { ok: false, reason: 'auth-digest-mismatch' };
  return { ok: true, next: { rcvAuthSeq: auth.sequence, authSeqKnown: true } };
}

/**
 * The authentication section to send, its digest left for the encoder to compute. `sequence` is
 * bfd.XmitAuthSeq.
 */
export function authSection(key: BfdAuthKey, sequence: number): BfdAuthSection {
  if (key.type === 'simple-password') return { type: 'simple-password', keyId: key.keyId, password: key.secret };
  const size = key.type === 'keyed-md5' || key.type === 'meticulous-keyed-md5' ? 16 : 20;
  return { type: key.type, keyId: key.keyId, sequence: sequence >>> 0, digest: new Uint8Array(size) };
}

/** Whether bfd.XmitAuthSeq must advance for every packet (Meticulous types, RFC 5880 §6.7.3). */
export function advancesEveryPacket(key: BfdAuthKey): boolean {
  return meticulous(key.type);
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}
