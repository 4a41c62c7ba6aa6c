import { InvalidArgumentError, ParseError } from '../errors.js';

/** A 48-bit Ethernet address, 6 bytes in wire order. */
export type MacAddress = Uint8Array;

/** A fresh ff:ff:ff:ff:ff:ff (a new array each call, so no caller can change another's). */
export function broadcastMac(): MacAddress {
  return new Uint8Array(6).fill(255);
}

/** Parses `aa:bb:cc:dd:ee:ff` or `aa-bb-cc-dd-ee-ff` (either case). */
export function parseMac(text: string): MacAddress {
  if (typeof text !== 'string') throw new InvalidArgumentError('mac', 'a string', text);
  const parts = text.split(text.includes('-') ? '-' : ':');
  if (parts.length !== 6) throw new ParseError('MAC address', text, 'expected six bytes separated by ":" or "-"');
  const out = new Uint8Array(6);
  for (let i = 0; i < 6; i++) {
    const p = parts[i] as string;
    if (!/^[0-9a-fA-F]{2}$/.test(p)) throw new ParseError('MAC address', text, `bad byte ${JSON.stringify(p)}`);
    out[i] = Number.parseInt(p, 16);
  }
  return out;
}

/** Lower-case colon form of a MAC. */
export function formatMac(mac: Uint8Array): string {
  if (mac.length !== 6) throw new InvalidArgumentError('mac', '6 bytes', `${mac.length} bytes`);
  let s = '';
  for (let i = 0; i < 6; i++) {
    if (i > 0) s += ':';
    s += (mac[i] as number).toString(16).padStart(2, '0');
  }
  return s;
}

/** True for group (multicast and broadcast) addresses: the I/G bit of the first byte. */
export function isMulticastMac(mac: Uint8Array): boolean {
  return ((mac[0] ?? 0) & 1) === 1;
}

/** True when two MACs are the same six bytes. */
export function macEquals(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
