import { InvalidArgumentError } from '@lbkit/core';
import { toSocketError } from '../errors.js';
import { nativeAddon } from './native.js';

/** The index of a network interface in this namespace (throws InterfaceNotFoundError). */
export function interfaceIndex(name: string): number {
  if (typeof name !== 'string' || name.length === 0 || name.length > 15)
    throw new InvalidArgumentError('interface', 'an interface name of 1-15 characters', name);
  const addon = nativeAddon();
  try {
    return addon.ifNameToIndex(name);
  } catch (err) {
    throw toSocketError(err, { operation: `look up interface ${name}`, interface: name });
  }
}

/** The name of a network interface by index (throws InterfaceNotFoundError). */
export function interfaceName(index: number): string {
  if (!Number.isInteger(index) || index < 1)
    throw new InvalidArgumentError('interface', 'an interface index ≥ 1', index);
  const addon = nativeAddon();
  try {
    return addon.ifIndexToName(index);
  } catch (err) {
    throw toSocketError(err, { operation: `look up interface index ${index}`, interface: index });
  }
}

/** Both the name and index of an interface given by either. */
export function resolveInterface(iface: string | number): { readonly name: string; readonly index: number } {
  if (typeof iface === 'number') return { index: iface, name: interfaceName(iface) };
  return { name: iface, index: interfaceIndex(iface) };
}
