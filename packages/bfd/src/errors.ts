import { LbError } from '@lbkit/core';

/** A control packet is not well formed (RFC 5880 §6.8.6 structural checks); `offset` is where reading stopped. */
export class BfdDecodeError extends LbError {
  static readonly code = 'ERR_BFD_DECODE';
  readonly offset: number;

  constructor(message: string, offset: number) {
    super(BfdDecodeError.code, `BFD control packet: ${message} (at byte ${offset})`);
    this.offset = offset;
  }
}

/** A configured feature this package does not implement (echo mode, demand mode). */
export class BfdUnsupportedError extends LbError {
  static readonly code = 'ERR_BFD_UNSUPPORTED';
  readonly feature: string;

  constructor(feature: string, message: string) {
    super(BfdUnsupportedError.code, message);
    this.feature = feature;
  }
}

/** A session operation failed: a duplicate session, an unknown one, or the timer worker stopped. */
export class BfdSessionError extends LbError {
  static readonly code = 'ERR_BFD_SESSION';

  constructor(message: string, options?: { cause?: unknown }) {
    super(BfdSessionError.code, message, options);
  }
}
