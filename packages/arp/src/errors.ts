import { LbError } from '@lbkit/core';

/** Which layer of a frame a decode error was found in. */
export type DecodeLayer = 'ethernet' | 'arp' | 'ipv6' | 'icmpv6' | 'ndp';

/**
 * Bytes that do not form the message a decoder expected. The only error the decoders in this package
 * throw; `layer` and `offset` say where the problem is.
 */
export class ArpDecodeError extends LbError {
  static readonly code = 'ERR_ARP_DECODE';
  readonly layer: DecodeLayer;
  readonly offset: number;

  constructor(layer: DecodeLayer, offset: number, reason: string) {
    super(ArpDecodeError.code, `${layer} decode failed at byte ${offset}: ${reason}`);
    this.layer = layer;
    this.offset = offset;
  }
}
