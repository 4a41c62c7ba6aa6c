// Frames built by hand for the packet-socket tests.

/** Hex of an Ethernet frame: destination, source, ethertype, payload. */
export function ethernet(dst: string, src: string, ethertype: number, payloadHex: string): string {
  const mac = (m: string): string => m.split(':').join('');
  return mac(dst) + mac(src) + ethertype.toString(16).padStart(4, '0') + payloadHex;
}

/** An ARP request (RFC 826) from `senderMac`/`senderIp` for `targetIp`, as hex (28 bytes). */
export function arpRequest(senderMac: string, senderIp: string, targetIp: string): string {
  const ip = (a: string): string =>
    a
      .split('.')
      .map((o) => Number(o).toString(16).padStart(2, '0'))
      .join('');
  return (
    '0001' +
    '0800' +
    '06' +
    '04' +
    '0001' +
    senderMac.split(':').join('') +
    ip(senderIp) +
    '000000000000' +
    ip(targetIp)
  );
}

/**
 * An IPv6 packet carrying an ICMPv6 message of `type` (checksum left zero: packet sockets do not check it),
 * hop limit 255, from `src` to `dst` (both given as 32 hex digits).
 */
export function icmpv6(type: number, srcHex: string, dstHex: string): string {
  const body = type.toString(16).padStart(2, '0') + '00' + '0000' + '00000000' + '20010db8000000000000000000123456';
  const len = (body.length / 2).toString(16).padStart(4, '0');
  return '60000000' + len + '3a' + 'ff' + srcHex + dstHex + body;
}
