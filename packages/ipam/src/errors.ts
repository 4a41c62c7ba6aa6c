import { LbError, describeValue } from '@lbkit/core';
import type { ServiceChange } from './types.js';

/**
 * A pool configuration is invalid: names the pool, the field (a path such as
 * `addresses[2]` or `serviceAllocation.serviceSelectors[0].matchExpressions[1].operator`), what was expected
 * and the value received.
 */
export class IpamConfigError extends LbError {
  static readonly code = 'ERR_IPAM_CONFIG';
  /** The pool's name (`''` for errors about the configuration as a whole). */
  readonly pool: string;
  readonly field: string;
  readonly value: unknown;

  constructor(pool: string, field: string, expected: string, value: unknown) {
    super(
      IpamConfigError.code,
      `pool ${JSON.stringify(pool)}: ${field}: expected ${expected}, received ${describeValue(value)}`,
    );
    this.pool = pool;
    this.field = field;
    this.value = value;
  }
}

/** Two address blocks overlap (in one pool or across two pools); names both pools, entries and the overlap. */
export class PoolOverlapError extends LbError {
  static readonly code = 'ERR_IPAM_POOL_OVERLAP';
  readonly pool: string;
  readonly entry: string;
  readonly otherPool: string;
  readonly otherEntry: string;
  /** The overlapping addresses as `first-last`. */
  readonly overlap: string;

  constructor(pool: string, entry: string, otherPool: string, otherEntry: string, overlap: string) {
    super(
      PoolOverlapError.code,
      `pool ${JSON.stringify(pool)} entry ${JSON.stringify(entry)} overlaps pool ${JSON.stringify(otherPool)} entry ${JSON.stringify(otherEntry)} on ${overlap}`,
    );
    this.pool = pool;
    this.entry = entry;
    this.otherPool = otherPool;
    this.otherEntry = otherEntry;
    this.overlap = overlap;
  }
}

/** A service request is malformed: names the service, the field, what was expected and the value. */
export class IpamRequestError extends LbError {
  static readonly code = 'ERR_IPAM_REQUEST';
  readonly service: string;
  readonly field: string;
  readonly value: unknown;

  constructor(service: string, field: string, expected: string, value: unknown) {
    super(
      IpamRequestError.code,
      `service ${JSON.stringify(service)}: ${field}: expected ${expected}, received ${describeValue(value)}`,
    );
    this.service = service;
    this.field = field;
    this.value = value;
  }
}

/**
 * A configuration change was refused under the `reject` policy because it would take addresses from
 * services; `changes` lists each one and what would have happened to it.
 */
export class ConfigConflictError extends LbError {
  static readonly code = 'ERR_IPAM_CONFIG_CONFLICT';
  readonly changes: readonly ServiceChange[];

  constructor(changes: readonly ServiceChange[]) {
    const keys = changes.map((c) => c.key);
    const shown = keys.slice(0, 5).join(', ') + (keys.length > 5 ? ` and ${keys.length - 5} more` : '');
    super(
      ConfigConflictError.code,
      `configuration change refused: ${keys.length} service(s) would lose their addresses (${shown})`,
    );
    this.changes = changes;
  }
}
