import { createHash, timingSafeEqual } from 'node:crypto';
import { DIGEST_LENGTH } from '../constants.js';
import type { BfdDigestAuthType } from './control.js';

function isMd5(type: BfdDigestAuthType): boolean {
  return type === 'keyed-md5' || type === 'meticulous-keyed-md5';
}

/** The key as it sits in the digest field while hashing: zero-padded to the digest length (RFC 5880 §6.7.3, §6.7.4). */
function paddedKey(type: BfdDigestAuthType, key: Uint8Array): Uint8Array {
  const size = isMd5(type) ? DIGEST_LENGTH.md5 : DIGEST_LENGTH.sha1;
  const out = new Uint8Array(size);
  out.set(key.subarray(0, size));
  return out;
}

function hash(type: BfdDigestAuthType, data: Uint8Array): Uint8Array {
  return createHash(isMd5(type) ? 'md5' : 'sha1')
    .update(data)
    .digest();
}

/**
 * Fills the digest field at `digestAt` of an encoded packet: the field first holds the zero-padded key, the
 * digest is computed over the whole packet, then replaces it (RFC 5880 §6.7.3, §6.7.4).
 */
export function writeDigest(type: BfdDigestAuthType, packet: Uint8Array, digestAt: number, key: Uint8Array): void {
  packet.set(paddedKey(type, key), digestAt);
  packet.set(hash(type, packet), digestAt);
}

/** Whether the digest at `digestAt` of a received packet (of `length` bytes) matches `key`. Does not modify `packet`. */
export function digestMatches(
  type: BfdDigestAuthType,
  packet: Uint8Array,
  length: number,
  digestAt: number,
  key: Uint8Array,
): boolean {
  // Copies, not views: `packet` may be a Node Buffer, whose `slice` would share memory.
  const copy = Uint8Array.prototype.slice.call(packet, 0, length);
  const size = isMd5(type) ? DIGEST_LENGTH.md5 : DIGEST_LENGTH.sha1;
  if (digestAt + size > length) return false;
  const received = Uint8Array.prototype.slice.call(copy, digestAt, digestAt + size);
  copy.set(paddedKey(type, key), digestAt);
  return timingSafeEqual(hash(type, copy), received);
}
