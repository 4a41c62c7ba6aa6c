/**
 * The socket features Node's `dgram` and `net` lack, from a small N-API addon: AF_PACKET sockets (send and
 * receive Ethernet frames with a kernel BPF filter and multicast memberships), TCP-MD5 (RFC 2385), GTSM
 * (RFC 5082: minimum TTL / hop limit and outgoing TTL), UDP with the received TTL of each datagram
 * (RFC 5881 §5), SO_BINDTODEVICE and IP_FREEBIND. Linux only; elsewhere every call throws
 * {@link UnsupportedPlatformError}.
 *
 * @example
 * ```ts
 * import { ETH_P, arpFilter, connectTcp, openPacketSocket, openUdpSocket } from '@lbkit/dgram-plus';
 *
 * // ARP frames on eth0 (needs CAP_NET_RAW).
 * const arp = openPacketSocket({ interface: 'eth0', protocol: ETH_P.ARP, filter: arpFilter() });
 * arp.on('frame', (f) => console.log(f.packetType, f.source, f.data.length));
 *
 * // BFD control packets with their received TTL.
 * const bfd = openUdpSocket({ address: '192.0.2.1', port: 3784, ttl: 255 });
 * bfd.on('message', (d) => console.log(d.address, d.ttl));
 *
 * // A BGP session signed with TCP-MD5 and protected by GTSM.
 * const sock = await connectTcp({ host: '192.0.2.2', port: 179, md5Key: 's3cret', ttl: 255, minTtl: 255 });
 * sock.end();
 * ```
 *
 * @packageDocumentation
 */
export {
  SocketError,
  PermissionDeniedError,
  InterfaceNotFoundError,
  SocketClosedError,
  UnsupportedPlatformError,
  NativeAddonError,
  toSocketError,
  type Capability,
  type SocketErrorDetails,
  type ErrorContext,
} from './errors.js';
export {
  ETH_P,
  ETH_P_NAMES,
  PACKET_TYPES,
  type PacketType,
  DEFAULT_QUEUE_SIZE,
  DEFAULT_BATCH_SIZE,
  GTSM_TTL,
  MD5_MAX_KEY_LENGTH,
  DEFAULT_BACKLOG,
  DEFAULT_CONNECT_TIMEOUT_MS,
} from './constants.js';
export {
  BPF,
  BPF_MAX_INSNS,
  bpfStmt,
  bpfJump,
  encodeBpfProgram,
  validateBpfProgram,
  type BpfInstruction,
  type BpfProgram,
} from './bpf/program.js';
export {
  BPF_ACCEPT,
  NDP_TYPES,
  acceptAllFilter,
  dropAllFilter,
  ethertypeFilter,
  arpFilter,
  icmpv6Filter,
  ndpFilter,
} from './bpf/filters.js';
export { runBpf } from './bpf/interpret.js';
export { ReceiveQueue, drainQueue } from './queue/receive-queue.js';
export { isSupported } from './io/native.js';
export { interfaceIndex, interfaceName, resolveInterface } from './io/interface.js';
export {
  PacketSocket,
  openPacketSocket,
  type PacketSocketInit,
  type ReceivedFrame,
  type PacketSocketStats,
  type PacketSocketEvents,
} from './io/packet-socket.js';
export {
  UdpSocket,
  openUdpSocket,
  type UdpSocketInit,
  type ReceivedDatagram,
  type UdpSendOptions,
  type UdpSocketEvents,
  type UdpSocketStats,
} from './io/udp-socket.js';
export {
  socketFd,
  setMd5Key,
  removeMd5Key,
  setMinTtl,
  setTtl,
  bindToDevice,
  setFreebind,
  type SocketTarget,
  type Md5Peer,
} from './io/socket-options.js';
export { createTcpServer, connectTcp, type TcpServerInit, type TcpConnectInit } from './io/tcp.js';
