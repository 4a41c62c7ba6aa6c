import { networkInterfaces } from 'node:os';

/**
 * The IPv6 link-local address of the interface that holds `address`, for the second next hop of RFC 2545 §3
 * towards a directly connected peer. Undefined when the address is not local or its interface has none.
 */
export function linkLocalFor(address: string): string | undefined {
  const want = address.toLowerCase();
  for (const addrs of Object.values(networkInterfaces())) {
    if (addrs === undefined || !addrs.some((a) => a.address.toLowerCase() === want)) continue;
    const ll = addrs.find((a) => a.family === 'IPv6' && a.address.toLowerCase().startsWith('fe80'));
    return ll?.address.split('%')[0];
  }
  return undefined;
}
