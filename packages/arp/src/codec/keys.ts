const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** A 6-byte MAC as 12 hex digits: a cheap map key. */
export function macKey(mac: Uint8Array): string {
  return (
    HEX[mac[0] as number]! +
    HEX[mac[1] as number]! +
    HEX[mac[2] as number]! +
    HEX[mac[3] as number]! +
    HEX[mac[4] as number]! +
    HEX[mac[5] as number]!
  );
}

/** A 4-byte IPv4 address as an unsigned 32-bit number: a cheap map key. */
export function ipv4Key(ip: Uint8Array): number {
  return (((ip[0] as number) << 24) | ((ip[1] as number) << 16) | ((ip[2] as number) << 8) | (ip[3] as number)) >>> 0;
}

/** A 16-byte IPv6 address as 32 hex digits: a cheap map key. */
export function ipv6Key(ip: Uint8Array): string {
  let s = '';
  for (let i = 0; i < 16; i++) s += HEX[ip[i] as number]!;
  return s;
}

/** True when every byte of a MAC is 0xff. */
export function isBroadcastMac(mac: Uint8Array): boolean {
  for (let i = 0; i < 6; i++) if (mac[i] !== 0xff) return false;
  return true;
}

/** True when two 6-byte MACs are equal (no allocation, for the receive path). */
export function sameMac(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < 6; i++) if (a[i] !== b[i]) return false;
  return true;
}
