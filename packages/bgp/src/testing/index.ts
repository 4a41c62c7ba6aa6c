/**
 * In-memory fakes for testing code that embeds the BGP speaker: a stream pair and a network of transports
 * with partitions and TCP-MD5 checks, and a scripted peer that speaks the codec.
 *
 * @example
 * ```ts
 * import { ManualClock } from '@lbkit/core';
 * import { createSpeaker } from '@lbkit/bgp';
 * import { MemoryNetwork } from '@lbkit/bgp/testing';
 *
 * const net = new MemoryNetwork();
 * const clock = new ManualClock();
 * const a = createSpeaker({ asn: 64512, routerId: '192.0.2.1', peers: [{ address: '192.0.2.2', asn: 64513 }] }, { clock, transport: net.transport('192.0.2.1') });
 * const b = createSpeaker({ asn: 64513, routerId: '192.0.2.2', listen: {}, peers: [{ address: '192.0.2.1', asn: 64512, passive: true }] }, { clock, transport: net.transport('192.0.2.2') });
 * await b.start();
 * await a.start();
 * ```
 *
 * @packageDocumentation
 */
export { MemoryConnection, MemoryNetwork, createStreamPair } from './memory-transport.js';
export { FakePeer, type FakePeerInit } from './fake-peer.js';
