import { InvalidArgumentError } from '@lbkit/core';
import { MessageType } from './constants.js';
import { DEFAULT_CONTEXT, type CodecContext } from './context.js';
import { BgpDecodeError } from './errors.js';
import { readHeader } from './header.js';
import { decodeNotificationBody, encodeNotification, type NotificationMessage } from './notification.js';
import { decodeOpenBody, encodeOpen, type OpenMessage } from './open.js';
import {
  decodeRouteRefreshBody,
  encodeKeepalive,
  encodeRouteRefresh,
  type KeepaliveMessage,
  type RouteRefreshMessage,
} from './route-refresh.js';
import { decodeUpdateBody, encodeUpdate, type UpdateMessage } from './update.js';

/** Any BGP message, discriminated by `type`. */
export type BgpMessage = OpenMessage | UpdateMessage | NotificationMessage | KeepaliveMessage | RouteRefreshMessage;

/**
 * Decodes exactly one message (`bytes` holds it whole, header included). Throws only {@link BgpDecodeError},
 * which carries the offset and the NOTIFICATION to send.
 */
export function decodeMessage(bytes: Uint8Array, ctx: CodecContext = DEFAULT_CONTEXT): BgpMessage {
  if (!(bytes instanceof Uint8Array)) throw new InvalidArgumentError('bytes', 'a Uint8Array', bytes);
  const header = readHeader(bytes, 0, ctx);
  if (header === undefined) throw new BgpDecodeError('truncated-header', bytes.length, 1, 2);
  if (header.length !== bytes.length) {
    throw new BgpDecodeError(
      'truncated-body',
      Math.min(header.length, bytes.length),
      1,
      2,
      bytes.slice(16, 18),
      `header says ${header.length} octets, have ${bytes.length}`,
    );
  }
  switch (header.type) {
    case MessageType.OPEN:
      return decodeOpenBody(bytes);
    case MessageType.UPDATE:
      return decodeUpdateBody(bytes, ctx);
    case MessageType.NOTIFICATION:
      return decodeNotificationBody(bytes);
    case MessageType.KEEPALIVE:
      return { type: 'keepalive' };
    default:
      return decodeRouteRefreshBody(bytes);
  }
}

/** Encodes any message. UPDATEs are checked against the context's size limit. */
export function encodeMessage(msg: BgpMessage, ctx: CodecContext = DEFAULT_CONTEXT): Uint8Array {
  switch (msg.type) {
    case 'open':
      return encodeOpen(msg);
    case 'update':
      return encodeUpdate(msg, ctx);
    case 'notification':
      return encodeNotification(msg);
    case 'keepalive':
      return encodeKeepalive();
    case 'route-refresh':
      return encodeRouteRefresh(msg);
    default:
      throw new InvalidArgumentError(
        'msg.type',
        'open, update, notification, keepalive or route-refresh',
        (msg as { type?: unknown }).type,
      );
  }
}

/** Result of {@link splitMessages}. */
export interface SplitResult {
  /** Each complete message, as a view into the input. */
  readonly messages: Uint8Array[];
  /** Octets consumed; the rest is an incomplete message to keep for the next read. */
  readonly consumed: number;
}

/**
 * Cuts a TCP stream buffer into whole messages, checking each header (RFC 4271 §6.1). A header fault throws
 * {@link BgpDecodeError}: the stream cannot be resynchronised and the session must close.
 */
export function splitMessages(buffer: Uint8Array, ctx: CodecContext = DEFAULT_CONTEXT): SplitResult {
  const messages: Uint8Array[] = [];
  let o = 0;
  for (;;) {
    const h = readHeader(buffer, o, ctx);
    if (h === undefined || buffer.length - o < h.length) break;
    messages.push(buffer.subarray(o, o + h.length));
    o += h.length;
  }
  return { messages, consumed: o };
}
