/**
 * In-memory fakes for tests of code that uses `@lbkit/arp`: an Ethernet segment whose ports are
 * `PacketConn`s (with delay, loss and cut knobs) and a settable interface list.
 *
 * @packageDocumentation
 */
export {
  MemoryNetwork,
  MemoryPacketConn,
  type MemoryNetworkInit,
  type MemoryNetworkComponents,
  type SentFrame,
} from './memory-network.js';
export { MemoryInterfaces, ethernetInterface } from './memory-interfaces.js';
