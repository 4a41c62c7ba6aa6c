import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { IP_ALLOCATED_FROM_POOL, type Service } from '@lbkit/k8s-adapter';
import type { ObjectSet } from '../objects/object-set.js';

/**
 * What a standalone controller writes and standalone speakers read: the part of each Service's status a
 * cluster would hold (`status.loadBalancer.ingress` and the pool annotation). One JSON file, replaced
 * atomically, so a reader never sees half of it.
 */
export interface StandaloneState {
  readonly version: 1;
  readonly services: Readonly<Record<string, { readonly ips: readonly string[]; readonly pool?: string }>>;
}

/** Reads the state file; a missing file is an empty state. */
export function readState(path: string): StandaloneState {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, services: {} };
    throw err;
  }
  const parsed = JSON.parse(text) as Partial<StandaloneState>;
  if (parsed.version !== 1 || typeof parsed.services !== 'object' || parsed.services === null) {
    throw new Error(`${path}: not an lbkit state file (version 1)`);
  }
  return parsed as StandaloneState;
}

/** Writes the state file atomically (a temporary file renamed over the old one). */
export function writeState(path: string, state: StandaloneState): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, path);
}

/** The Services of `objects` with the status and pool annotation of `state`, as a cluster would serve them. */
export function withState(objects: ObjectSet, state: StandaloneState): ObjectSet {
  const services = objects.services.map((svc): Service => {
    const key = `${svc.metadata?.namespace ?? 'default'}/${svc.metadata?.name ?? ''}`;
    const entry = state.services[key];
    const metadata = { ...(svc.metadata ?? {}), namespace: svc.metadata?.namespace ?? 'default' };
    if (entry === undefined || entry.ips.length === 0) return { ...svc, metadata, status: { loadBalancer: {} } };
    return {
      ...svc,
      metadata: {
        ...metadata,
        annotations: {
          ...(svc.metadata?.annotations ?? {}),
          ...(entry.pool === undefined ? {} : { [IP_ALLOCATED_FROM_POOL]: entry.pool }),
        },
      },
      status: { loadBalancer: { ingress: entry.ips.map((ip) => ({ ip })) } },
    };
  });
  return { ...objects, services };
}
