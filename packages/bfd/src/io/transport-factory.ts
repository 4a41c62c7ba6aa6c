import type { BfdTransport } from '../transport.js';
import { createDgramTransport } from './udp-transport.js';
import type { BfdTransportKind } from './worker-protocol.js';

/** The transport a worker opens, and its name for logs. */
export interface LoadedTransport {
  readonly name: 'dgram' | 'dgram-plus';
  readonly transport: BfdTransport;
}

/**
 * Opens the requested transport. `auto` prefers @lbkit/dgram-plus (received TTL, SO_BINDTODEVICE) and
 * falls back to Node's dgram when the addon cannot load.
 */
export async function loadTransport(kind: BfdTransportKind, onError: (err: Error) => void): Promise<LoadedTransport> {
  if (kind === 'dgram') return { name: 'dgram', transport: createDgramTransport({ onError }) };
  try {
    const { createDgramPlusTransport } = await import('./dgram-plus-transport.js');
    return { name: 'dgram-plus', transport: await createDgramPlusTransport({ onError }) };
  } catch (err) {
    if (kind === 'dgram-plus') throw err;
    return { name: 'dgram', transport: createDgramTransport({ onError }) };
  }
}
