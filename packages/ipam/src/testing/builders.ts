import type { PoolConfig, ServiceRequest } from '../types.js';

/** A pool named `name` with the given addresses and optional extra fields. */
export function pool(
  name: string,
  addresses: string | readonly string[],
  extra: Omit<PoolConfig, 'name' | 'addresses'> = {},
): PoolConfig {
  return { name, addresses: typeof addresses === 'string' ? [addresses] : addresses, ...extra };
}

/**
 * A request for service `key` (`namespace/name`; the namespace is taken from it), single-stack IPv4 unless
 * `extra` says otherwise.
 */
export function service(key: string, extra: Partial<Omit<ServiceRequest, 'key'>> = {}): ServiceRequest {
  const slash = key.indexOf('/');
  return { key, namespace: slash === -1 ? 'default' : key.slice(0, slash), families: [4], ...extra };
}
