import { LbError } from '@lbkit/core';
import { describeNotification } from './constants.js';

/** The NOTIFICATION a session sends for an error: error code, subcode and data (RFC 4271 §4.5, §6). */
export interface NotificationFields {
  readonly code: number;
  readonly subcode: number;
  readonly data: Uint8Array;
}

/** Why a message could not be decoded: one name per distinct check, for logs, metrics and tests. */
export type DecodeErrorReason =
  | 'truncated-header'
  | 'bad-marker'
  | 'bad-message-length'
  | 'bad-message-type'
  | 'truncated-body'
  | 'open-truncated'
  | 'open-parameters-overrun'
  | 'open-parameter-truncated'
  | 'open-capability-truncated'
  | 'update-withdrawn-overrun'
  | 'update-attributes-overrun'
  | 'update-attribute-truncated'
  | 'nlri-prefix-length'
  | 'nlri-truncated'
  | 'nlri-path-id-truncated'
  | 'mp-reach-malformed'
  | 'mp-unreach-malformed'
  | 'duplicate-mp-attribute'
  | 'notification-truncated'
  | 'route-refresh-length';

/**
 * A message that is not well-formed. Carries the octet offset (from the start of the message) where decoding
 * stopped and the NOTIFICATION the session should send before closing (RFC 4271 §6, RFC 7606 session reset).
 */
export class BgpDecodeError extends LbError {
  static readonly code = 'ERR_BGP_DECODE';
  /** The named check that failed. */
  readonly reason: DecodeErrorReason;
  /** Octet offset from the start of the message where the fault lies. */
  readonly offset: number;
  /** The NOTIFICATION to send: code, subcode and data per RFC 4271 §6. */
  readonly notification: NotificationFields;

  constructor(
    reason: DecodeErrorReason,
    offset: number,
    code: number,
    subcode: number,
    data: Uint8Array = new Uint8Array(0),
    detail?: string,
  ) {
    super(
      BgpDecodeError.code,
      `${reason} at offset ${offset} (${describeNotification(code, subcode)})${detail === undefined ? '' : `: ${detail}`}`,
    );
    this.reason = reason;
    this.offset = offset;
    this.notification = { code, subcode, data };
  }
}

/** True when `err` is a {@link BgpDecodeError}, whichever copy of the package created it. */
export function isBgpDecodeError(err: unknown): err is BgpDecodeError {
  return err instanceof Error && (err as { code?: unknown }).code === BgpDecodeError.code;
}
