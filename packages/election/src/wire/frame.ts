import { WIRE_MAGIC, WIRE_VERSION } from '../constants.js';
import { ElectionAuthError, ElectionDecodeError } from '../errors.js';
import type { Keyring } from './keyring.js';

/** What a frame carries: a UDP packet body or a push-pull state body. */
export type FrameKind = 'packet' | 'state';

/** Wire numbers of the frame kinds. */
export const FRAME_KIND = { packet: 0, state: 1 } as const;
/** Wire numbers of the protection modes. */
export const FRAME_MODE = { plain: 0, 'aes-256-gcm': 1 } as const;

const HEADER = 5;

/** Bytes a frame adds around its body: the 5-byte header, plus key id, nonce and tag when sealed. */
export function frameOverhead(keyring: Keyring | undefined): number {
  return HEADER + (keyring === undefined ? 0 : keyring.overhead);
}

/**
 * Wraps a body in a frame, sealed when a keyring is given.
 *
 * ```
 * magic u16 "LE" | version u8 | kind u8 | mode u8 | [ key id 4 | nonce 12 | ciphertext | tag 16 ]  (mode 1)
 *                                                   [ body ]                                        (mode 0)
 * ```
 * The five header bytes, the key id and the cluster label are the GCM associated data.
 */
export function sealFrame(kind: FrameKind, body: Uint8Array, keyring: Keyring | undefined): Uint8Array {
  const out = new Uint8Array(frameOverhead(keyring) + body.length);
  const v = new DataView(out.buffer);
  v.setUint16(0, WIRE_MAGIC);
  v.setUint8(2, WIRE_VERSION);
  v.setUint8(3, FRAME_KIND[kind]);
  v.setUint8(4, keyring === undefined ? FRAME_MODE.plain : FRAME_MODE['aes-256-gcm']);
  if (keyring === undefined) out.set(body, HEADER);
  else keyring.sealInto(out, HEADER, out.subarray(0, HEADER), body);
  return out;
}

/**
 * Checks a frame's header and returns its body, decrypted when sealed. Throws {@link ElectionDecodeError} for
 * a malformed header and {@link ElectionAuthError} when the frame is not protected as this member requires
 * (sealed when a keyring is configured, plain otherwise) or no key authenticates it.
 */
export function openFrame(bytes: Uint8Array, keyring: Keyring | undefined): { kind: FrameKind; body: Uint8Array } {
  if (bytes.length < HEADER) throw new ElectionDecodeError('truncated', `frame of ${bytes.length} bytes`);
  const magic = (bytes[0]! << 8) | bytes[1]!;
  if (magic !== WIRE_MAGIC) throw new ElectionDecodeError('bad-magic', `0x${magic.toString(16)}`);
  if (bytes[2] !== WIRE_VERSION) throw new ElectionDecodeError('bad-version', `version ${bytes[2]}`);
  const kindCode = bytes[3];
  const kind: FrameKind | undefined = kindCode === 0 ? 'packet' : kindCode === 1 ? 'state' : undefined;
  if (kind === undefined) throw new ElectionDecodeError('bad-type', `frame kind ${kindCode}`);
  const mode = bytes[4];
  if (mode !== FRAME_MODE.plain && mode !== FRAME_MODE['aes-256-gcm'])
    throw new ElectionDecodeError('bad-mode', `mode ${mode}`);
  if (keyring === undefined) {
    if (mode !== FRAME_MODE.plain) throw new ElectionAuthError('sealed frame but no keyring configured');
    return { kind, body: bytes.subarray(HEADER) };
  }
  if (mode !== FRAME_MODE['aes-256-gcm']) throw new ElectionAuthError('plain frame but a keyring is configured');
  const body = keyring.open(bytes.subarray(0, HEADER), bytes.subarray(HEADER));
  if (body === undefined) throw new ElectionAuthError('no key in the ring authenticates the frame');
  return { kind, body };
}
