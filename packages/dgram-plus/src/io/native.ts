import { createRequire } from 'node:module';
import { NativeAddonError, UnsupportedPlatformError } from '../errors.js';

/** The addon's polling handle (native/watcher.cc). Events: 1 readable, 2 writable. */
export interface NativeFdWatcher {
  start(events: number): void;
  stop(): void;
  close(): void;
  ref(): void;
  unref(): void;
}

/** Socket option numbers as the C headers define them. */
export interface NativeConstants {
  readonly SOL_SOCKET: number;
  readonly IPPROTO_IP: number;
  readonly IPPROTO_IPV6: number;
  readonly IPPROTO_TCP: number;
  readonly SO_REUSEADDR: number;
  readonly SO_REUSEPORT: number;
  readonly SO_ERROR: number;
  readonly SO_RCVBUF: number;
  readonly SO_RCVBUFFORCE: number;
  readonly SO_PRIORITY: number;
  readonly IP_TTL: number;
  readonly IP_TOS: number;
  readonly IP_MINTTL: number;
  readonly IP_RECVTTL: number;
  readonly IP_PKTINFO: number;
  readonly IP_FREEBIND: number;
  readonly IP_MULTICAST_TTL: number;
  readonly IPV6_UNICAST_HOPS: number;
  readonly IPV6_MULTICAST_HOPS: number;
  readonly IPV6_MINHOPCOUNT: number;
  readonly IPV6_RECVHOPLIMIT: number;
  readonly IPV6_RECVPKTINFO: number;
  readonly IPV6_V6ONLY: number;
  readonly IPV6_TCLASS: number;
  readonly TCP_NODELAY: number;
}

/** The functions the addon exports; every failure throws an Error with numeric `errno` and `syscall`. */
export interface NativeAddon {
  readonly constants: NativeConstants;
  readonly FdWatcher: new (fd: number, callback: (status: number, events: number) => void) => NativeFdWatcher;
  closeFd(fd: number): void;
  closeFdAsync(fd: number, callback: (errno: number) => void): void;
  ifNameToIndex(name: string): number;
  ifIndexToName(index: number): string;
  packetOpen(ifindex: number, protocol: number, filter: Uint8Array | null, ignoreOutgoing: boolean): number;
  packetSetFilter(fd: number, filter: Uint8Array | null): void;
  packetMembership(fd: number, ifindex: number, type: 0 | 1 | 2, mac: Uint8Array, add: boolean): void;
  packetSend(fd: number, ifindex: number, protocol: number, frame: Uint8Array): number;
  packetRecv(fd: number, max: number): [Buffer, Int32Array, number] | undefined;
  packetStats(fd: number): [number, number];
  inetSocket(family: 4 | 6, stream: boolean): number;
  setIntOption(fd: number, level: number, name: number, value: number, label: string): void;
  getIntOption(fd: number, level: number, name: number, label: string): number;
  bindToDevice(fd: number, name: string): void;
  setMd5Key(
    fd: number,
    family: 4 | 6,
    address: Uint8Array,
    prefixLength: number,
    key: Uint8Array,
    ifindex: number,
  ): void;
  bindAddress(fd: number, family: 4 | 6, address: Uint8Array, port: number, scope: number): void;
  connectAddress(fd: number, family: 4 | 6, address: Uint8Array, port: number, scope: number): boolean;
  listenSocket(fd: number, backlog: number): void;
  socketName(fd: number): [4 | 6, Buffer, number];
  udpRecv(fd: number, max: number): [Buffer, Int32Array, Buffer, number] | undefined;
  udpSend(
    fd: number,
    family: 4 | 6,
    address: Uint8Array,
    port: number,
    scope: number,
    data: Uint8Array,
    ttl: number,
  ): number;
}

let cached: NativeAddon | undefined;
let failure: Error | undefined;

/**
 * The loaded addon. Throws {@link UnsupportedPlatformError} off Linux and {@link NativeAddonError} when the
 * build is missing. Loaded on first use, so importing the package never fails.
 */
export function nativeAddon(): NativeAddon {
  if (cached !== undefined) return cached;
  if (failure !== undefined) throw failure;
  if (process.platform !== 'linux') {
    failure = new UnsupportedPlatformError();
    throw failure;
  }
  // From dist/io/ (and src/io/ under tsx) the package root is two levels up.
  const require = createRequire(import.meta.url);
  try {
    cached = require('../../build/Release/dgram_plus.node') as NativeAddon;
    return cached;
  } catch (err) {
    failure = new NativeAddonError(
      'the @lbkit/dgram-plus addon is not built or failed to load; build it with `npm run build:native -w @lbkit/dgram-plus` (needs python3, make and g++)',
      { cause: err },
    );
    throw failure;
  }
}

/** True when the addon can be used here (Linux, built). */
export function isSupported(): boolean {
  try {
    nativeAddon();
    return true;
  } catch {
    return false;
  }
}
