/**
 * Helpers for tests that drive `@lbkit/ipam`: request and pool builders with sensible defaults.
 *
 * @example
 * ```ts
 * import { createAllocator } from '@lbkit/ipam';
 * import { pool, service } from '@lbkit/ipam/testing';
 *
 * const ipam = createAllocator({ config: { pools: [pool('a', '192.0.2.0/30')] } });
 * ipam.allocate(service('ns/web'));
 * ```
 *
 * @packageDocumentation
 */
export { pool, service } from './builders.js';
