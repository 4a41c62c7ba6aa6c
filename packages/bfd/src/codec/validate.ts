import { BFD_VERSION } from '../constants.js';
import type { BfdControlPacket } from './control.js';

/** Why a well-formed control packet was discarded before it reached a session (RFC 5880 §6.8.6). */
export type BfdPacketCheckFailure =
  'bad-version' | 'zero-detect-mult' | 'multipoint-set' | 'zero-my-discriminator' | 'zero-your-discriminator-not-down';

/**
 * The session-independent receive checks of RFC 5880 §6.8.6, in the RFC's order. Returns the first failing
 * check's name, or undefined when the packet may be handed to a session.
 */
export function validateControl(packet: BfdControlPacket): BfdPacketCheckFailure | undefined {
  if (packet.version !== BFD_VERSION) return 'bad-version';
  if (packet.detectMult === 0) return 'zero-detect-mult';
  if (packet.multipoint) return 'multipoint-set';
  if (packet.myDiscriminator === 0) return 'zero-my-discriminator';
  if (packet.yourDiscriminator === 0 && packet.state !== 'Down' && packet.state !== 'AdminDown')
    return 'zero-your-discriminator-not-down';
  return undefined;
}
