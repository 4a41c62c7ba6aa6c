import type { Server, Socket } from 'node:net';
import { InvalidArgumentError } from '@lbkit/core';
import { MD5_MAX_KEY_LENGTH } from '../constants.js';
import { toSocketError } from '../errors.js';
import { checkTtl, mapIpv4, parseSocketAddress } from '../net/address.js';
import { interfaceIndex } from './interface.js';
import { nativeAddon, type NativeAddon } from './native.js';

/** Anything with a socket descriptor: a `net.Socket`, a `net.Server`, one of ours (`fd`), or a raw fd. */
export type SocketTarget = Socket | Server | { readonly fd: number } | number;

/** A TCP-MD5 (RFC 2385) key for one peer, or for every peer in a prefix. */
export interface Md5Peer {
  /** The peer's address (IPv4 or IPv6 literal). */
  readonly address: string;
  /** The shared secret, 1-80 bytes (a string is UTF-8). */
  readonly key: string | Uint8Array;
  /**
   * Apply the key to every address in `address/prefixLength` (TCP_MD5SIG_EXT, Linux 4.13+), for a listening
   * socket accepting a subnet of peers.
   * @default undefined (this address only)
   */
  readonly prefixLength?: number;
  /**
   * Apply the key only to connections in this VRF (an L3 master device; TCP_MD5SIG_FLAG_IFINDEX, Linux 5.6+),
   * for the same peer address in several VRFs. The kernel rejects any other kind of device (EINVAL).
   * @default undefined (any VRF)
   */
  readonly device?: string;
}

/** The descriptor of a socket target; throws when it has none (not yet open, or closed). */
export function socketFd(target: SocketTarget): number {
  if (typeof target === 'number') {
    if (!Number.isInteger(target) || target < 0)
      throw new InvalidArgumentError('socket', 'a file descriptor ≥ 0', target);
    return target;
  }
  const own = (target as { fd?: unknown }).fd;
  if (typeof own === 'number' && own >= 0) return own;
  const handle = (target as { _handle?: { fd?: unknown } | null })._handle;
  const fd = handle?.fd;
  if (typeof fd !== 'number' || fd < 0) {
    throw new InvalidArgumentError(
      'socket',
      'an open net.Socket or net.Server (listening or connected), or a file descriptor',
      'a socket without a descriptor',
    );
  }
  return fd;
}

function familyOf(addon: NativeAddon, fd: number): 4 | 6 {
  try {
    return addon.socketName(fd)[0];
  } catch (err) {
    throw toSocketError(err, { operation: 'read the socket address' });
  }
}

function keyBytes(key: string | Uint8Array): Uint8Array {
  const bytes = typeof key === 'string' ? new TextEncoder().encode(key) : key;
  if (!(bytes instanceof Uint8Array) || bytes.length < 1 || bytes.length > MD5_MAX_KEY_LENGTH) {
    throw new InvalidArgumentError(
      'key',
      `1-${MD5_MAX_KEY_LENGTH} bytes`,
      typeof key === 'string' ? `${bytes.length} bytes` : key,
    );
  }
  return bytes;
}

function md5Call(
  fd: number,
  address: string,
  prefixLength: number | undefined,
  key: Uint8Array,
  device: string | undefined,
  operation: string,
): void {
  const addon = nativeAddon();
  const peer = parseSocketAddress(address, 'address');
  const sockFamily = familyOf(addon, fd);
  let family = peer.family;
  let bytes = peer.bytes;
  let prefix = prefixLength ?? -1;
  if (
    prefixLength !== undefined &&
    (!Number.isInteger(prefixLength) || prefixLength < 0 || prefixLength > (peer.family === 4 ? 32 : 128))
  ) {
    throw new InvalidArgumentError('prefixLength', `0-${peer.family === 4 ? 32 : 128}`, prefixLength);
  }
  if (sockFamily === 4 && family === 6)
    throw new InvalidArgumentError('address', 'an IPv4 peer on an IPv4 socket', address);
  if (sockFamily === 6 && family === 4) {
    // An IPv6 socket reaches IPv4 peers through mapped addresses; the kernel wants the key in that form.
    bytes = mapIpv4(bytes);
    family = 6;
    if (prefix >= 0) prefix += 96;
  }
  const ifindex = device === undefined ? 0 : interfaceIndex(device);
  try {
    addon.setMd5Key(fd, family, bytes, prefix, key, ifindex);
  } catch (err) {
    throw toSocketError(err, { operation, ...(device === undefined ? {} : { interface: device }) });
  }
}

/**
 * Sets the TCP-MD5 key (RFC 2385) for a peer on a listening or connecting socket. On a listening socket it
 * applies to connections accepted afterwards; a connecting socket needs it before `connect` (use
 * {@link connectTcp}).
 */
export function setMd5Key(target: SocketTarget, peer: Md5Peer): void {
  md5Call(
    socketFd(target),
    peer.address,
    peer.prefixLength,
    keyBytes(peer.key),
    peer.device,
    `set the TCP-MD5 key for ${peer.address}`,
  );
}

/** Removes the TCP-MD5 key of a peer (or prefix); the kernel answers ENOENT if there was none. */
export function removeMd5Key(
  target: SocketTarget,
  address: string,
  options: { prefixLength?: number; device?: string } = {},
): void {
  md5Call(
    socketFd(target),
    address,
    options.prefixLength,
    new Uint8Array(0),
    options.device,
    `remove the TCP-MD5 key for ${address}`,
  );
}

function setBoth(
  target: SocketTarget,
  value: number,
  v4: (a: NativeAddon) => [number, number, string],
  v6: (a: NativeAddon) => [number, number, string],
  what: string,
): void {
  const addon = nativeAddon();
  const fd = socketFd(target);
  const family = familyOf(addon, fd);
  const calls = family === 4 ? [v4(addon)] : [v6(addon), v4(addon)];
  for (const [level, name, label] of calls) {
    try {
      addon.setIntOption(fd, level, name, value, label);
    } catch (err) {
      throw toSocketError(err, { operation: `set ${what} to ${value}` });
    }
  }
}

/**
 * GTSM (RFC 5082): drop received packets whose TTL / hop limit is below `minTtl` (IP_MINTTL and, on IPv6
 * sockets, IPV6_MINHOPCOUNT too, which covers IPv4-mapped peers). `255` accepts directly connected peers
 * only. `0` turns the check off.
 */
export function setMinTtl(target: SocketTarget, minTtl: number): void {
  if (minTtl !== 0) checkTtl(minTtl, 'minTtl');
  setBoth(
    target,
    minTtl,
    (a) => [a.constants.IPPROTO_IP, a.constants.IP_MINTTL, 'IP_MINTTL'],
    (a) => [a.constants.IPPROTO_IPV6, a.constants.IPV6_MINHOPCOUNT, 'IPV6_MINHOPCOUNT'],
    'the minimum TTL',
  );
}

/** Sets the TTL / hop limit of outgoing unicast packets (IP_TTL and, on IPv6 sockets, IPV6_UNICAST_HOPS). */
export function setTtl(target: SocketTarget, ttl: number): void {
  checkTtl(ttl);
  setBoth(
    target,
    ttl,
    (a) => [a.constants.IPPROTO_IP, a.constants.IP_TTL, 'IP_TTL'],
    (a) => [a.constants.IPPROTO_IPV6, a.constants.IPV6_UNICAST_HOPS, 'IPV6_UNICAST_HOPS'],
    'the TTL',
  );
}

/** Binds a socket to an interface or VRF (SO_BINDTODEVICE); `null` removes the binding. Needs CAP_NET_RAW. */
export function bindToDevice(target: SocketTarget, device: string | null): void {
  if (device !== null && (typeof device !== 'string' || device.length === 0 || device.length > 15)) {
    throw new InvalidArgumentError('device', 'an interface name of 1-15 characters, or null', device);
  }
  const addon = nativeAddon();
  const fd = socketFd(target);
  try {
    addon.bindToDevice(fd, device ?? '');
  } catch (err) {
    throw toSocketError(err, {
      operation: device === null ? 'unbind from its device' : `bind to device ${device}`,
      capability: 'CAP_NET_RAW',
      ...(device === null ? {} : { interface: device }),
    });
  }
}

/** Allows binding an address not (yet) assigned to this host (IP_FREEBIND; covers IPv6 too). */
export function setFreebind(target: SocketTarget, on: boolean): void {
  const addon = nativeAddon();
  const fd = socketFd(target);
  try {
    addon.setIntOption(fd, addon.constants.IPPROTO_IP, addon.constants.IP_FREEBIND, on ? 1 : 0, 'IP_FREEBIND');
  } catch (err) {
    throw toSocketError(err, { operation: 'set IP_FREEBIND' });
  }
}
