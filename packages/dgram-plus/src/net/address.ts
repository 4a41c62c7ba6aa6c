import { InvalidArgumentError, ipFromBytes, ipToBytes, formatIp, parseIp, type IpFamily } from '@lbkit/core';

/** An IP literal split for the addon: family, network-order bytes, and an IPv6 zone (interface) if given. */
export interface SocketAddress {
  readonly family: IpFamily;
  readonly bytes: Uint8Array;
  /** The text after `%` in `fe80::1%eth0`, if any. */
  readonly zone: string | undefined;
}

/** Parses an IP literal, with an optional IPv6 zone (`fe80::1%eth0`). Host names are not resolved. */
export function parseSocketAddress(text: string, field = 'address'): SocketAddress {
  if (typeof text !== 'string') throw new InvalidArgumentError(field, 'an IP address string', text);
  const pct = text.indexOf('%');
  const bare = pct === -1 ? text : text.slice(0, pct);
  const zone = pct === -1 ? undefined : text.slice(pct + 1);
  if (zone !== undefined && (zone.length === 0 || !bare.includes(':')))
    throw new InvalidArgumentError(field, 'an IP address, with a zone only on IPv6', text);
  let ip;
  try {
    ip = parseIp(bare);
  } catch (err) {
    throw new InvalidArgumentError(field, 'an IPv4 or IPv6 literal (host names are not resolved)', text, {
      cause: err,
    });
  }
  return { family: ip.family, bytes: ipToBytes(ip), zone };
}

/** The text form of address bytes from the addon. */
export function formatAddressBytes(family: IpFamily, bytes: Uint8Array): string {
  if (family === 4) return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
  if (isMappedIpv4(bytes)) return `::ffff:${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`;
  return formatIp(ipFromBytes(bytes.subarray(0, 16)));
}

/** True for `::ffff:a.b.c.d` (written in mixed notation, RFC 5952 §5, as Node does). */
export function isMappedIpv4(bytes: Uint8Array): boolean {
  if (bytes.length < 16 || bytes[10] !== 0xff || bytes[11] !== 0xff) return false;
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false;
  return true;
}

/** The IPv4-mapped IPv6 form (`::ffff:a.b.c.d`) of IPv4 bytes. */
export function mapIpv4(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(16);
  out[10] = 0xff;
  out[11] = 0xff;
  out.set(bytes.subarray(0, 4), 12);
  return out;
}

/** Checks a port number. */
export function checkPort(port: unknown, field = 'port', allowZero = true): number {
  if (typeof port !== 'number' || !Number.isInteger(port) || port < (allowZero ? 0 : 1) || port > 65535) {
    throw new InvalidArgumentError(field, allowZero ? 'an integer 0-65535' : 'an integer 1-65535', port);
  }
  return port;
}

/** Checks a TTL / hop limit. */
export function checkTtl(ttl: unknown, field = 'ttl'): number {
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 1 || ttl > 255)
    throw new InvalidArgumentError(field, 'an integer 1-255', ttl);
  return ttl;
}
