import { LbError } from '@lbkit/core';

/** Why a packet could not be decoded; `reason` is stable and is what the drop counters use. */
export type DecodeFailure =
  'truncated' | 'bad-magic' | 'bad-version' | 'bad-mode' | 'bad-type' | 'bad-length' | 'bad-string' | 'too-many';

/** A packet or stream frame is not well-formed. Thrown by the codec only; the member drops and counts it. */
export class ElectionDecodeError extends LbError {
  static readonly code = 'ERR_ELECTION_DECODE';
  readonly reason: DecodeFailure;

  constructor(reason: DecodeFailure, detail: string) {
    super(ElectionDecodeError.code, `election packet: ${reason}: ${detail}`);
    this.reason = reason;
  }
}

/** A sealed packet failed authentication with every key in the ring (wrong key, tampering, other cluster). */
export class ElectionAuthError extends LbError {
  static readonly code = 'ERR_ELECTION_AUTH';

  constructor(detail: string) {
    super(ElectionAuthError.code, `election packet: not authenticated: ${detail}`);
  }
}
