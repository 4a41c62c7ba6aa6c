/** Octets from commented hex: `#` starts a comment to the end of the line; whitespace is ignored. */
export function hex(text: string): Uint8Array {
  const clean = text
    .split('\n')
    .map((l) => l.replace(/#.*$/, ''))
    .join('')
    .replace(/[^0-9a-fA-F]/g, '');
  if (clean.length % 2 !== 0) throw new Error(`odd number of hex digits: ${clean.length}`);
  return Uint8Array.from(clean.match(/../g) ?? [], (h) => parseInt(h, 16));
}

/** Lower-case hex of octets, for messages. */
export function toHex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

/** The 16-octet marker. */
export const MARKER = 'ffffffffffffffffffffffffffffffff';
