import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import { TimeoutError } from '@lbkit/core';
import { connectTcp, createTcpServer, isSupported, removeMd5Key, setMd5Key } from '@lbkit/dgram-plus';
import type {
  BgpConnection,
  BgpListener,
  BgpTransport,
  ConnectOptions,
  ConnectionHandlers,
  ListenOptions,
} from './transport.js';

/** Strips the IPv4-mapped prefix Node reports for IPv4 peers on a dual-stack socket. */
function plainAddress(a: string | undefined): string {
  if (a === undefined) return '';
  return a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a;
}

class SocketConnection implements BgpConnection {
  readonly localAddress: string;
  readonly localPort: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly #socket: Socket;
  #handlers: ConnectionHandlers | undefined;
  #closed = false;
  #closeError: Error | undefined;
  readonly #early: Uint8Array[] = [];

  constructor(socket: Socket) {
    this.#socket = socket;
    this.localAddress = plainAddress(socket.localAddress);
    this.localPort = socket.localPort ?? 0;
    this.remoteAddress = plainAddress(socket.remoteAddress);
    this.remotePort = socket.remotePort ?? 0;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      if (this.#handlers === undefined) this.#early.push(bytes);
      else this.#handlers.data(bytes);
    });
    socket.on('drain', () => this.#handlers?.drain());
    socket.on('error', (err) => {
      this.#closeError = err;
    });
    socket.on('close', () => {
      this.#closed = true;
      this.#handlers?.close(this.#closeError);
    });
  }

  write(bytes: Uint8Array): boolean {
    if (this.#closed || this.#socket.destroyed) return true;
    return this.#socket.write(bytes);
  }

  end(): void {
    if (!this.#socket.destroyed) this.#socket.end();
    // A peer that never reads must not keep the socket forever.
    setTimeout(() => this.#socket.destroy(), 2_000).unref();
  }

  destroy(): void {
    this.#socket.destroy();
  }

  setHandlers(handlers: ConnectionHandlers): void {
    this.#handlers = handlers;
    for (const b of this.#early.splice(0)) handlers.data(b);
    if (this.#closed) handlers.close(this.#closeError);
  }
}

function needsNative(o: {
  md5Password?: string | undefined;
  md5?: readonly unknown[] | undefined;
  ttl?: number | undefined;
  minTtl?: number | undefined;
  device?: string | undefined;
}): boolean {
  return (
    o.md5Password !== undefined ||
    (o.md5 !== undefined && o.md5.length > 0) ||
    o.ttl !== undefined ||
    o.minTtl !== undefined ||
    o.device !== undefined
  );
}

async function plainConnect(o: ConnectOptions): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({
      host: o.remoteAddress,
      port: o.remotePort,
      ...(o.localAddress === undefined ? {} : { localAddress: o.localAddress }),
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new TimeoutError(`connect to ${o.remoteAddress}:${o.remotePort} timed out`));
    }, o.timeoutMs);
    const onAbort = (): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(new Error('connect aborted'));
    };
    o.signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => {
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      resolve(socket);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      reject(err);
    });
  });
}

/**
 * BGP over TCP. Plain `net` sockets by default; when TCP-MD5, TTL, GTSM or a device is asked for, the socket
 * is prepared by `@lbkit/dgram-plus` before connect/listen so even the SYN carries the options.
 */
export class TcpTransport implements BgpTransport {
  async connect(o: ConnectOptions): Promise<BgpConnection> {
    let socket: Socket;
    if (needsNative(o) && isSupported()) {
      socket = await connectTcp({
        host: o.remoteAddress,
        port: o.remotePort,
        timeoutMs: o.timeoutMs,
        ...(o.localAddress === undefined ? {} : { localAddress: o.localAddress }),
        ...(o.md5Password === undefined ? {} : { md5Key: o.md5Password }),
        ...(o.ttl === undefined ? {} : { ttl: o.ttl }),
        ...(o.minTtl === undefined ? {} : { minTtl: o.minTtl }),
        ...(o.device === undefined ? {} : { device: o.device }),
        ...(o.signal === undefined ? {} : { signal: o.signal }),
      });
    } else {
      socket = await plainConnect(o);
    }
    return new SocketConnection(socket);
  }

  async listen(o: ListenOptions, onConnection: (conn: BgpConnection) => void): Promise<BgpListener> {
    // Accepted sockets inherit the listener's TTL, GTSM and MD5 settings.
    const accept = (s: Socket): void => onConnection(new SocketConnection(s));
    let server: Server;
    const native = isSupported();
    // Prefer the native listener whenever it loads: MD5 keys of peers added later need it.
    if (native) {
      server = await createTcpServer(
        {
          host: o.address,
          port: o.port,
          md5: (o.md5 ?? []).map((k) => ({ address: k.address, key: k.password })),
          ...(o.minTtl === undefined ? {} : { minTtl: o.minTtl }),
          ...(o.ttl === undefined ? {} : { ttl: o.ttl }),
          ...(o.device === undefined ? {} : { device: o.device }),
        },
        accept,
      );
    } else {
      server = createServer(accept);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(o.port, o.address, () => resolve());
      });
    }
    const addr = server.address();
    const port = typeof addr === 'object' && addr !== null ? addr.port : o.port;
    return {
      port,
      setMd5: (k) => {
        if (!native) throw new Error('TCP-MD5 needs the @lbkit/dgram-plus native addon');
        setMd5Key(server, { address: k.address, key: k.password });
      },
      removeMd5: (address) => {
        if (native) removeMd5Key(server, address);
      },
      close: () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
        }),
    };
  }
}
