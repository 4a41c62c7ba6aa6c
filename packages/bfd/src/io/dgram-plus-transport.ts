import { openUdpSocket, type UdpSocket } from '@lbkit/dgram-plus';
import type {
  BfdDatagram,
  BfdListenOptions,
  BfdListener,
  BfdSendOptions,
  BfdSender,
  BfdTransport,
} from '../transport.js';

function familyOf(address: string): 4 | 6 {
  return address.includes(':') ? 6 : 4;
}

/** A link-local address with the interface as its zone, as the socket layer needs it. */
function scoped(address: string, device: string | undefined): string {
  return device !== undefined && /^fe[89ab][0-9a-f]?:/i.test(address) && !address.includes('%')
    ? `${address}%${device}`
    : address;
}

function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}

/**
 * BFD over @lbkit/dgram-plus: every datagram carries its received TTL / hop limit (so single-hop packets
 * that crossed a router are dropped, RFC 5881 §5) and its destination address (so a wildcard socket can
 * still tell sessions apart); sends go out with TTL 255 from the session's own source port, bound to the
 * session's interface when one is configured (SO_BINDTODEVICE).
 */
export async function createDgramPlusTransport(
  options: { onError?: (err: Error) => void } = {},
): Promise<BfdTransport> {
  const onError = options.onError ?? (() => {});
  // Fails here, not at the first session, when the addon cannot load (no build, another platform).
  const probe = openUdpSocket({ address: '127.0.0.1', port: 0 });
  await probe.close();
  return {
    receivesTtl: true,
    async listen(opts: BfdListenOptions, onDatagram: (d: BfdDatagram) => void): Promise<BfdListener> {
      const socket: UdpSocket = openUdpSocket({
        address: scoped(opts.address, opts.device),
        port: opts.port,
        reuseAddress: true,
        ipv6Only: true,
        ...(opts.device === undefined ? {} : { device: opts.device }),
      });
      const bound = isWildcard(opts.address) ? undefined : opts.address;
      socket.on('message', (d) => {
        onDatagram({
          // A copy: the addon's receive buffer is reused for the next batch.
          data: Uint8Array.prototype.slice.call(d.data),
          remoteAddress: d.address,
          remotePort: d.port,
          localAddress: bound ?? d.localAddress,
          localPort: opts.port,
          ttl: d.ttl,
        });
      });
      socket.on('error', (err) => onError(err));
      return { close: () => socket.close() };
    },
    async openSender(opts: BfdSendOptions): Promise<BfdSender> {
      const family = familyOf(opts.remoteAddress);
      const socket = openUdpSocket({
        address: scoped(opts.localAddress ?? (family === 6 ? '::' : '0.0.0.0'), opts.device),
        port: opts.sourcePort,
        ttl: opts.ttl,
        ipv6Only: true,
        // Nothing is sent to the source port; keep the queue tiny in case something is.
        queueSize: 1,
        ...(opts.device === undefined ? {} : { device: opts.device }),
      });
      socket.on('error', (err) => onError(err));
      const remote = scoped(opts.remoteAddress, opts.device);
      return {
        send(data: Uint8Array): void {
          if (socket.closed) return;
          try {
            socket.send(data, opts.remotePort, remote);
          } catch (err) {
            onError(err as Error);
          }
        },
        close: () => socket.close(),
      };
    },
  };
}
