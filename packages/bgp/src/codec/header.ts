import { readU16, writeU16 } from './address.js';
import { BgpDecodeError } from './errors.js';
import {
  HEADER_LENGTH,
  KEEPALIVE_LENGTH,
  MAX_EXTENDED_MESSAGE_LENGTH,
  MAX_MESSAGE_LENGTH,
  MessageType,
  MIN_NOTIFICATION_LENGTH,
  MIN_OPEN_LENGTH,
  MIN_UPDATE_LENGTH,
  ROUTE_REFRESH_LENGTH,
} from './constants.js';
import type { CodecContext } from './context.js';

/** The decoded fixed header of a message. */
export interface MessageHeader {
  /** Total message length in octets, header included. */
  readonly length: number;
  /** Message type code. */
  readonly type: number;
}

/** Largest message allowed for a type in a context (RFC 8654 §3: OPEN and KEEPALIVE stay at 4,096). */
export function maxMessageLength(type: number, ctx: CodecContext): number {
  if (ctx.extendedMessage === true && type !== MessageType.OPEN && type !== MessageType.KEEPALIVE)
    return MAX_EXTENDED_MESSAGE_LENGTH;
  return MAX_MESSAGE_LENGTH;
}

function minLength(type: number): number {
  switch (type) {
    case MessageType.OPEN:
      return MIN_OPEN_LENGTH;
    case MessageType.UPDATE:
      return MIN_UPDATE_LENGTH;
    case MessageType.NOTIFICATION:
      return MIN_NOTIFICATION_LENGTH;
    case MessageType.KEEPALIVE:
      return KEEPALIVE_LENGTH;
    default:
      return ROUTE_REFRESH_LENGTH;
  }
}

/**
 * Reads and checks the header at `offset` of a stream buffer (RFC 4271 §6.1): the all-ones marker, a length
 * within bounds for the type, and a known type. Returns undefined when fewer than 19 octets are buffered, so a
 * TCP reader can wait for more; the whole message is there once `bytes.length - offset >= header.length`.
 */
export function readHeader(bytes: Uint8Array, offset: number, ctx: CodecContext): MessageHeader | undefined {
  if (bytes.length - offset < HEADER_LENGTH) return undefined;
  for (let i = 0; i < 16; i++) {
    if (bytes[offset + i] !== 0xff) throw new BgpDecodeError('bad-marker', i, 1, 1);
  }
  const length = readU16(bytes, offset + 16);
  const type = bytes[offset + 18]!;
  if (type < MessageType.OPEN || type > MessageType.ROUTE_REFRESH) {
    throw new BgpDecodeError('bad-message-type', 18, 1, 3, Uint8Array.of(type));
  }
  const max = maxMessageLength(type, ctx);
  const bad =
    length < minLength(type) || length > max || (type === MessageType.KEEPALIVE && length !== KEEPALIVE_LENGTH);
  // RFC 4271 §6.1: the data of Bad Message Length is the erroneous Length field.
  if (bad) throw new BgpDecodeError('bad-message-length', 16, 1, 2, bytes.slice(offset + 16, offset + 18));
  return { length, type };
}

/**
 * Writes the header at the start of `b` (whose length is the message length).
 *
 * ```
 * +--------------------------------+--------+------+
 * | Marker (16 × 0xff)             | Length | Type |
 * +--------------------------------+--------+------+
 *   16 octets                        2        1
 * ```
 */
export function writeHeader(b: Uint8Array, type: number): void {
  for (let i = 0; i < 16; i++) b[i] = 0xff;
  writeU16(b, 16, b.length);
  b[18] = type;
}
