import { parseIpv4 } from '@lbkit/core';
import type { ConnectionDirection } from './types.js';

/**
 * Connection collision detection (RFC 4271 §6.8): when two connections to the same peer both reach the
 * point where the peer's BGP Identifier is known, the one opened by the side with the higher identifier
 * survives. Identifiers compare as 32-bit unsigned integers. Returns the direction of the connection to close
 * (it gets a Cease / Connection Collision Resolution NOTIFICATION).
 */
export function collisionLoser(localBgpIdentifier: string, remoteBgpIdentifier: string): ConnectionDirection {
  const local = parseIpv4(localBgpIdentifier);
  const remote = parseIpv4(remoteBgpIdentifier);
  // "If the value of the local BGP Identifier is less than the remote one, close the connection that was
  // initiated by the local system" — otherwise close the one the remote system initiated.
  return local < remote ? 'outbound' : 'inbound';
}
