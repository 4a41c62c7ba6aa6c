/**
 * Fakes for tests of code that uses BFD: an in-memory network of transports with loss, delay, partitions
 * and TTL knobs, and a seeded random function.
 *
 * @packageDocumentation
 */
export { MemoryNetwork, type MemoryNetworkInit } from './memory-transport.js';
export { seededRandom } from './seeded-random.js';
