import { createSocket, type Socket } from 'node:dgram';
import { canonicalIp } from '@lbkit/core';
import type {
  BfdDatagram,
  BfdListenOptions,
  BfdListener,
  BfdSendOptions,
  BfdSender,
  BfdTransport,
} from '../transport.js';

function family(address: string): 'udp4' | 'udp6' {
  return address.includes(':') ? 'udp6' : 'udp4';
}

/** A link-local address with the interface as its zone, as the socket layer needs it. */
function scoped(address: string, device: string | undefined): string {
  return device !== undefined && /^fe[89ab][0-9a-f]?:/i.test(address) && !address.includes('%')
    ? `${address}%${device}`
    : address;
}

function bind(socket: Socket, port: number, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    socket.once('error', onError);
    socket.bind({ port, address, exclusive: true }, () => {
      socket.off('error', onError);
      resolve();
    });
  });
}

function closeSocket(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      socket.close(() => resolve());
    } catch {
      resolve();
    }
  });
}

/**
 * BFD over Node's own `dgram`: TTL 255 on send works, but Node cannot read a datagram's TTL, so
 * `receivesTtl` is false and the RFC 5881 §5 check must be done elsewhere (an nftables rule, or the
 * dgram-plus transport). Interfaces (SO_BINDTODEVICE) are not supported either: an interface only scopes IPv6 link-local
 * addresses; otherwise sessions are tied to their local address.
 */
export function createDgramTransport(options: { onError?: (err: Error) => void } = {}): BfdTransport {
  const onError = options.onError ?? (() => {});
  return {
    receivesTtl: false,
    async listen(opts: BfdListenOptions, onDatagram: (d: BfdDatagram) => void): Promise<BfdListener> {
      const socket = createSocket({ type: family(opts.address), reuseAddr: true });
      const localAddress = opts.address === '0.0.0.0' || opts.address === '::' ? undefined : opts.address;
      socket.on('message', (msg, rinfo) => {
        onDatagram({
          data: new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength),
          // Node reports link-local senders with their zone (`fe80::1%eth0`); sessions know the bare address.
          remoteAddress: canonicalIp(rinfo.address.split('%')[0] ?? rinfo.address),
          remotePort: rinfo.port,
          localAddress,
          localPort: opts.port,
          ttl: undefined,
        });
      });
      socket.on('error', onError);
      await bind(socket, opts.port, scoped(opts.address, opts.device));
      return { close: () => closeSocket(socket) };
    },
    async openSender(opts: BfdSendOptions): Promise<BfdSender> {
      const socket = createSocket({ type: family(opts.remoteAddress) });
      socket.on('error', onError);
      try {
        await bind(
          socket,
          opts.sourcePort,
          scoped(opts.localAddress ?? (family(opts.remoteAddress) === 'udp6' ? '::' : '0.0.0.0'), opts.device),
        );
        socket.setTTL(opts.ttl);
      } catch (err) {
        await closeSocket(socket);
        throw err;
      }
      let open = true;
      return {
        send(data: Uint8Array): void {
          if (!open) return;
          socket.send(data, opts.remotePort, scoped(opts.remoteAddress, opts.device), (err) => {
            if (err) onError(err);
          });
        },
        close(): Promise<void> {
          open = false;
          return closeSocket(socket);
        },
      };
    },
  };
}
