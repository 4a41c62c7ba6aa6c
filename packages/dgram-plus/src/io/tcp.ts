import { Server, Socket } from 'node:net';
import { AbortError, InvalidArgumentError, TimeoutError } from '@lbkit/core';
import { DEFAULT_BACKLOG, DEFAULT_CONNECT_TIMEOUT_MS } from '../constants.js';
import { toSocketError } from '../errors.js';
import { checkPort, checkTtl, parseSocketAddress, type SocketAddress } from '../net/address.js';
import { interfaceIndex } from './interface.js';
import { nativeAddon, type NativeAddon } from './native.js';
import { bindToDevice, setFreebind, setMd5Key, setMinTtl, setTtl, type Md5Peer } from './socket-options.js';

/** Options of {@link createTcpServer}. */
export interface TcpServerInit {
  /**
   * Local address to listen on. `::` accepts IPv4 too (as mapped addresses) unless `ipv6Only`.
   * @default '::'
   */
  readonly host?: string;
  /** Local port; 0 picks a free one (read it with `server.address()`). BGP listens on 179 (needs CAP_NET_BIND_SERVICE). */
  readonly port: number;
  /**
   * TCP-MD5 keys (RFC 2385), one per peer or prefix, set before the socket listens so no unsigned SYN from
   * a keyed peer is ever accepted. Add or remove later with `setMd5Key` / `removeMd5Key` on the server.
   * @default [] (no keys)
   */
  readonly md5?: readonly Md5Peer[];
  /**
   * GTSM (RFC 5082): drop segments arriving with a lower TTL / hop limit; 255 admits directly connected
   * peers only. Accepted connections inherit it.
   * @default undefined (no check)
   */
  readonly minTtl?: number;
  /**
   * TTL / hop limit of sent segments; GTSM peers expect 255 (RFC 5082 §3).
   * @default undefined (kernel default, usually 64)
   */
  readonly ttl?: number;
  /**
   * Bind to an interface or VRF (SO_BINDTODEVICE). Needs CAP_NET_RAW.
   * @default undefined (any)
   */
  readonly device?: string;
  /**
   * Listen on an address not yet assigned here (IP_FREEBIND).
   * @default false
   */
  readonly freebind?: boolean;
  /**
   * Accept only IPv6 on an IPv6 address.
   * @default false
   */
  readonly ipv6Only?: boolean;
  /**
   * Pending-connection queue length.
   * @default 511
   */
  readonly backlog?: number;
}

/** Options of {@link connectTcp}. */
export interface TcpConnectInit {
  /** The peer's address (IP literal; `fe80::1%eth0` for link-local). Host names are not resolved. */
  readonly host: string;
  readonly port: number;
  /**
   * Local address to bind before connecting.
   * @default undefined (the kernel chooses)
   */
  readonly localAddress?: string;
  /**
   * Local port to bind before connecting.
   * @default 0 (ephemeral)
   */
  readonly localPort?: number;
  /**
   * TCP-MD5 key (RFC 2385) shared with the peer; set before the SYN is sent.
   * @default undefined (unsigned)
   */
  readonly md5Key?: string | Uint8Array;
  /**
   * TTL / hop limit of sent segments, set before the SYN (GTSM peers expect 255).
   * @default undefined (kernel default)
   */
  readonly ttl?: number;
  /**
   * GTSM minimum received TTL / hop limit, set before the SYN so even the SYN-ACK is checked.
   * @default undefined (no check)
   */
  readonly minTtl?: number;
  /**
   * Bind to an interface or VRF (SO_BINDTODEVICE). Needs CAP_NET_RAW.
   * @default undefined
   */
  readonly device?: string;
  /**
   * Bind `localAddress` even if it is not assigned yet (IP_FREEBIND).
   * @default false
   */
  readonly freebind?: boolean;
  /**
   * Disable Nagle's algorithm (TCP_NODELAY) on the connected socket, as BGP speakers usually do.
   * @default true
   */
  readonly noDelay?: boolean;
  /**
   * Give up after this long (TimeoutError). An MD5 mismatch shows as a timeout, as the peer's kernel
   * silently drops the SYN.
   * @default 30000
   */
  readonly timeoutMs?: number;
  /** Abort the attempt (AbortError). */
  readonly signal?: AbortSignal;
}

function scopeOf(addr: SocketAddress): number {
  if (addr.zone === undefined) return 0;
  return /^\d+$/.test(addr.zone) ? Number(addr.zone) : interfaceIndex(addr.zone);
}

function openTcpFd(addon: NativeAddon, family: 4 | 6): number {
  try {
    return addon.inetSocket(family, true);
  } catch (err) {
    throw toSocketError(err, { operation: 'create a TCP socket' });
  }
}

/** Options every TCP socket of ours gets before bind: device, freebind, TTLs. */
function applyCommon(
  fd: number,
  init: {
    device?: string | undefined;
    freebind?: boolean | undefined;
    ttl?: number | undefined;
    minTtl?: number | undefined;
  },
): void {
  if (init.device !== undefined) bindToDevice(fd, init.device);
  if (init.freebind === true) setFreebind(fd, true);
  if (init.ttl !== undefined) setTtl(fd, init.ttl);
  if (init.minTtl !== undefined) setMinTtl(fd, init.minTtl);
}

/**
 * Creates a listening `net.Server` whose socket got its TCP-MD5 keys, GTSM minimum TTL, TTL, device and
 * freebind before it was bound, then hands the descriptor to Node. Resolves once listening.
 *
 * @example
 * ```ts
 * const server = await createTcpServer({ host: '192.0.2.1', port: 179, md5: [{ address: '192.0.2.2', key: 's3cret' }], minTtl: 255, ttl: 255 });
 * server.on('connection', (sock) => sock.end());
 * ```
 */
export async function createTcpServer(
  init: TcpServerInit,
  connectionListener?: (socket: Socket) => void,
): Promise<Server> {
  const addon = nativeAddon();
  const local = parseSocketAddress(init.host ?? '::', 'host');
  const port = checkPort(init.port);
  const backlog = init.backlog ?? DEFAULT_BACKLOG;
  if (!Number.isInteger(backlog) || backlog < 1) throw new InvalidArgumentError('backlog', 'an integer ≥ 1', backlog);
  if (init.ttl !== undefined) checkTtl(init.ttl);
  const fd = openTcpFd(addon, local.family);
  let server: Server;
  try {
    const c = addon.constants;
    try {
      addon.setIntOption(fd, c.SOL_SOCKET, c.SO_REUSEADDR, 1, 'SO_REUSEADDR');
      if (local.family === 6)
        addon.setIntOption(fd, c.IPPROTO_IPV6, c.IPV6_V6ONLY, init.ipv6Only === true ? 1 : 0, 'IPV6_V6ONLY');
    } catch (err) {
      throw toSocketError(err, { operation: 'set TCP listening options' });
    }
    applyCommon(fd, init);
    for (const peer of init.md5 ?? []) setMd5Key(fd, peer);
    try {
      addon.bindAddress(fd, local.family, local.bytes, port, scopeOf(local));
    } catch (err) {
      throw toSocketError(err, {
        operation: `bind TCP ${init.host ?? '::'} port ${port}`,
        capability: 'CAP_NET_BIND_SERVICE',
      });
    }
    server = new Server();
  } catch (err) {
    addon.closeFd(fd);
    throw err;
  }
  if (connectionListener !== undefined) server.on('connection', connectionListener);
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => {
      addon.closeFd(fd);
      reject(toSocketError(err, { operation: 'listen' }));
    };
    server.once('error', onError);
    server.listen({ fd, backlog }, () => {
      server.off('error', onError);
      resolve();
    });
  });
  return server;
}

/**
 * Connects a TCP socket whose MD5 key, TTL, minimum TTL, device, freebind and local address were set before
 * the SYN, and returns it as a connected `net.Socket`.
 *
 * @example
 * ```ts
 * const sock = await connectTcp({ host: '192.0.2.2', port: 179, md5Key: 's3cret', ttl: 255, minTtl: 255 });
 * sock.write(openMessage);
 * ```
 */
export async function connectTcp(init: TcpConnectInit): Promise<Socket> {
  const addon = nativeAddon();
  const signal = init.signal;
  if (signal?.aborted === true) throw new AbortError(undefined, { cause: signal.reason });
  const remote = parseSocketAddress(init.host, 'host');
  const port = checkPort(init.port, 'port', false);
  const localPort = checkPort(init.localPort ?? 0, 'localPort');
  const timeoutMs = init.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
    throw new InvalidArgumentError('timeoutMs', 'a positive number', timeoutMs);
  if (init.ttl !== undefined) checkTtl(init.ttl);
  const local = init.localAddress === undefined ? undefined : parseSocketAddress(init.localAddress, 'localAddress');
  if (local !== undefined && local.family !== remote.family)
    throw new InvalidArgumentError('localAddress', `an IPv${remote.family} address like host`, init.localAddress);
  const fd = openTcpFd(addon, remote.family);
  let connected: boolean;
  try {
    applyCommon(fd, init);
    if (init.md5Key !== undefined) setMd5Key(fd, { address: init.host.split('%')[0] as string, key: init.md5Key });
    if (local !== undefined || localPort !== 0) {
      const l = local ?? parseSocketAddress(remote.family === 4 ? '0.0.0.0' : '::');
      try {
        addon.bindAddress(fd, l.family, l.bytes, localPort, scopeOf(l));
      } catch (err) {
        throw toSocketError(err, {
          operation: `bind TCP ${init.localAddress ?? 'wildcard'} port ${localPort}`,
          capability: 'CAP_NET_BIND_SERVICE',
        });
      }
    }
    try {
      connected = addon.connectAddress(fd, remote.family, remote.bytes, port, scopeOf(remote));
    } catch (err) {
      throw toSocketError(err, { operation: `connect to ${init.host} port ${port}` });
    }
  } catch (err) {
    addon.closeFd(fd);
    throw err;
  }
  if (!connected) await waitConnected(addon, fd, init.host, port, timeoutMs, signal);
  // Node now owns the descriptor and closes it with the socket.
  const socket = new Socket({ fd, readable: true, writable: true });
  if (init.noDelay !== false) socket.setNoDelay(true);
  return socket;
}

function waitConnected(
  addon: NativeAddon,
  fd: number,
  host: string,
  port: number,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let done = false;
    const finish = (err: Error | undefined): void => {
      if (done) return;
      done = true;
      watcher.close();
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (err === undefined) {
        resolve();
      } else {
        addon.closeFd(fd);
        reject(err);
      }
    };
    const onAbort = (): void =>
      finish(new AbortError(`connect to ${host} port ${port} aborted`, { cause: signal?.reason }));
    const watcher = new addon.FdWatcher(fd, (status) => {
      // libuv reports any POLLERR as EBADF; the socket's pending error says what really happened.
      let errno: number;
      try {
        errno = addon.getIntOption(fd, addon.constants.SOL_SOCKET, addon.constants.SO_ERROR, 'SO_ERROR');
      } catch (err) {
        finish(toSocketError(err, { operation: `connect to ${host} port ${port}` }));
        return;
      }
      if (errno === 0) errno = status;
      if (errno === 0) finish(undefined);
      else
        finish(
          toSocketError(Object.assign(new Error('connect failed'), { errno, syscall: 'connect' }), {
            operation: `connect to ${host} port ${port}`,
          }),
        );
    });
    const timer = setTimeout(
      () =>
        finish(
          new TimeoutError(
            `connect to ${host} port ${port} did not complete in ${timeoutMs} ms (with TCP-MD5, check both ends use the same key)`,
          ),
        ),
      timeoutMs,
    );
    signal?.addEventListener('abort', onAbort, { once: true });
    watcher.start(2);
  });
}
