import { createSocket, type Socket } from 'node:dgram';
import { createConnection, createServer, isIPv6, type Server, type Socket as TcpSocket } from 'node:net';
import { InvalidArgumentError } from '@lbkit/core';
import { MAX_STREAM_BYTES } from '../constants.js';
import type { ElectionTransport, TransportHandlers } from '../member/transport.js';

/** Options of {@link UdpTransport.bind}. */
export interface UdpTransportInit {
  /** Address to bind (IPv4 or IPv6). */
  readonly address: string;
  /** UDP and TCP port; 0 picks a free one (the same for both). */
  readonly port: number;
  /** Address to advertise when bound to a wildcard. */
  readonly advertise?: string;
}

/** Splits "host:port" or "[v6]:port". */
export function splitHostPort(addr: string): { host: string; port: number } {
  const i = addr.lastIndexOf(':');
  if (i <= 0) throw new InvalidArgumentError('address', 'a "host:port" string', addr);
  let host = addr.slice(0, i);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  const port = Number(addr.slice(i + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidArgumentError('address', 'a port 0–65535', addr);
  return { host, port };
}

/** Joins host and port, bracketing IPv6. */
export function joinHostPort(host: string, port: number): string {
  return isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * The production transport: one UDP socket for probes and gossip, one TCP listener on the same port for
 * push-pull. A stream exchange is one length-prefixed frame each way (u32 length, then the frame).
 */
export class UdpTransport implements ElectionTransport {
  readonly localAddress: string;
  readonly #udp: Socket;
  readonly #tcp: Server;
  #handlers: TransportHandlers | undefined;
  readonly #streams = new Set<TcpSocket>();
  #closed = false;

  private constructor(udp: Socket, tcp: Server, localAddress: string) {
    this.#udp = udp;
    this.#tcp = tcp;
    this.localAddress = localAddress;
    udp.on('message', (msg, rinfo) => {
      if (this.#closed) return;
      this.#handlers?.onPacket(
        joinHostPort(rinfo.address, rinfo.port),
        new Uint8Array(msg.buffer, msg.byteOffset, msg.length),
      );
    });
    udp.on('error', () => undefined);
    tcp.on('connection', (sock) => this.#serve(sock));
    tcp.on('error', () => undefined);
  }

  /** Binds UDP and TCP on the same address and port. */
  static async bind(init: UdpTransportInit): Promise<UdpTransport> {
    const v6 = isIPv6(init.address);
    for (let attempt = 0; attempt < 20; attempt++) {
      const udp = createSocket({ type: v6 ? 'udp6' : 'udp4', reuseAddr: false });
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind(init.port, init.address, () => {
          udp.off('error', reject);
          resolve();
        });
      });
      const port = udp.address().port;
      const tcp = createServer();
      const ok = await new Promise<boolean>((resolve) => {
        tcp.once('error', () => resolve(false));
        tcp.listen(port, init.address, () => resolve(true));
      });
      if (!ok) {
        udp.close();
        if (init.port !== 0) throw new Error(`election: TCP port ${port} on ${init.address} is in use`);
        continue;
      }
      const host = init.advertise ?? init.address;
      return new UdpTransport(udp, tcp, joinHostPort(host, port));
    }
    throw new Error('election: no free port for UDP and TCP together');
  }

  listen(handlers: TransportHandlers): void {
    this.#handlers = handlers;
  }

  send(to: string, bytes: Uint8Array): void {
    if (this.#closed) return;
    const { host, port } = splitHostPort(to);
    this.#udp.send(bytes, port, host, () => undefined);
  }

  exchange(
    to: string,
    bytes: Uint8Array,
    timeoutMs: number,
    done: (err: Error | undefined, reply: Uint8Array | undefined) => void,
  ): void {
    if (this.#closed) return done(new Error('closed'), undefined);
    const { host, port } = splitHostPort(to);
    const sock = createConnection({ host, port });
    this.#streams.add(sock);
    let finished = false;
    const finish = (err: Error | undefined, reply: Uint8Array | undefined): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      this.#streams.delete(sock);
      sock.destroy();
      done(err, reply);
    };
    const timer = setTimeout(() => finish(new Error('push-pull timed out'), undefined), timeoutMs);
    timer.unref();
    sock.on('error', (err) => finish(err, undefined));
    sock.on('connect', () => sock.write(frameOf(bytes)));
    readFrame(sock, (err, frame) => finish(err, frame));
  }

  #serve(sock: TcpSocket): void {
    this.#streams.add(sock);
    const timer = setTimeout(() => sock.destroy(), 10_000);
    timer.unref();
    sock.on('error', () => undefined);
    sock.on('close', () => {
      clearTimeout(timer);
      this.#streams.delete(sock);
    });
    readFrame(sock, (err, frame) => {
      if (err !== undefined || frame === undefined || this.#closed) {
        sock.destroy();
        return;
      }
      const from = joinHostPort(sock.remoteAddress ?? '', sock.remotePort ?? 0);
      this.#handlers?.onExchange(from, frame, (reply) => {
        sock.end(frameOf(reply));
      });
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const s of this.#streams) s.destroy();
    await Promise.all([
      new Promise<void>((r) => this.#udp.close(() => r())),
      new Promise<void>((r) => this.#tcp.close(() => r())),
    ]);
  }
}

function frameOf(bytes: Uint8Array): Buffer {
  const b = Buffer.alloc(4 + bytes.length);
  b.writeUInt32BE(bytes.length, 0);
  b.set(bytes, 4);
  return b;
}

function readFrame(sock: TcpSocket, cb: (err: Error | undefined, frame: Uint8Array | undefined) => void): void {
  let chunks: Buffer[] = [];
  let have = 0;
  let need = -1;
  let done = false;
  const finish = (err: Error | undefined, f: Uint8Array | undefined): void => {
    if (done) return;
    done = true;
    cb(err, f);
  };
  sock.on('data', (d: Buffer) => {
    chunks.push(d);
    have += d.length;
    const all = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
    chunks = [all];
    if (need < 0 && have >= 4) {
      need = all.readUInt32BE(0);
      if (need > MAX_STREAM_BYTES) return finish(new Error(`stream frame of ${need} bytes`), undefined);
    }
    if (need >= 0 && have >= 4 + need) finish(undefined, new Uint8Array(all.subarray(4, 4 + need)));
  });
  sock.on('end', () => finish(new Error('stream ended early'), undefined));
  sock.on('close', () => finish(new Error('stream closed'), undefined));
}
