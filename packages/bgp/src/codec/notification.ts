import { InvalidArgumentError } from '@lbkit/core';
import { checkUint } from './address.js';
import { CeaseSubcode, ErrorCode, HEADER_LENGTH, MessageType } from './constants.js';
import { writeHeader } from './header.js';

/** The NOTIFICATION message (RFC 4271 §4.5). */
export interface NotificationMessage {
  readonly type: 'notification';
  readonly code: number;
  readonly subcode: number;
  readonly data: Uint8Array;
  /**
   * The shutdown communication of a Cease / Administrative Shutdown or Administrative Reset (RFC 9003):
   * present on decode when the data is a well-formed length-prefixed UTF-8 string.
   */
  readonly communication?: string;
}

/** Longest shutdown communication in octets (RFC 9003 §2). */
export const MAX_SHUTDOWN_COMMUNICATION = 255;

const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

/** Decodes a NOTIFICATION body; `b` is the whole message. The header check guarantees code and subcode. */
export function decodeNotificationBody(b: Uint8Array): NotificationMessage {
  const code = b[19]!;
  const subcode = b[20]!;
  const data = b.slice(21);
  const msg: NotificationMessage = { type: 'notification', code, subcode, data };
  if (
    code === ErrorCode.CEASE &&
    (subcode === CeaseSubcode.ADMINISTRATIVE_SHUTDOWN || subcode === CeaseSubcode.ADMINISTRATIVE_RESET)
  ) {
    const communication = readCommunication(data);
    if (communication !== undefined) return { ...msg, communication };
  }
  return msg;
}

function readCommunication(data: Uint8Array): string | undefined {
  if (data.length === 0) return undefined;
  const len = data[0]!;
  if (len === 0 || 1 + len !== data.length) return undefined;
  try {
    return utf8.decode(data.subarray(1));
  } catch {
    return undefined;
  }
}

/**
 * Encodes a NOTIFICATION. `data` goes on the wire as given.
 *
 * ```
 * +------------+---------------+----------------+
 * | Error code | Error subcode | Data (var)     |
 * +------------+---------------+----------------+
 * ```
 */
export function encodeNotification(msg: NotificationMessage): Uint8Array {
  checkUint(msg.code, 8, 'notification.code');
  checkUint(msg.subcode, 8, 'notification.subcode');
  const b = new Uint8Array(HEADER_LENGTH + 2 + msg.data.length);
  writeHeader(b, MessageType.NOTIFICATION);
  b[19] = msg.code;
  b[20] = msg.subcode;
  b.set(msg.data, 21);
  return b;
}

/**
 * Builds a Cease NOTIFICATION for an administrative shutdown (subcode 2) or reset (subcode 4) carrying a
 * shutdown communication (RFC 9003): one length octet then UTF-8 text of at most 255 octets. Text longer than
 * that is refused rather than cut in the middle of a character.
 */
export function createShutdownNotification(
  communication: string,
  subcode: 2 | 4 = CeaseSubcode.ADMINISTRATIVE_SHUTDOWN,
): NotificationMessage {
  const text = utf8Encoder.encode(communication);
  if (text.length > MAX_SHUTDOWN_COMMUNICATION) {
    throw new InvalidArgumentError(
      'communication',
      `UTF-8 text of at most ${MAX_SHUTDOWN_COMMUNICATION} octets`,
      communication,
    );
  }
  if (text.length === 0) return { type: 'notification', code: ErrorCode.CEASE, subcode, data: new Uint8Array(0) };
  const data = new Uint8Array(1 + text.length);
  data[0] = text.length;
  data.set(text, 1);
  return { type: 'notification', code: ErrorCode.CEASE, subcode, data, communication };
}
