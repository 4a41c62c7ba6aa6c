/**
 * Admission checks for metallb.io objects, with the same outcome as MetalLB's validating webhooks and the
 * cross-kind checks they miss: the incoming object is placed into the full current set of objects (all
 * kinds), references that may simply not exist yet are tolerated, and the object is denied when it adds
 * any error that the current set does not already have.
 */
import type { BGPPeer, BGPPeerV1beta1 } from '../api/metallb.js';
import type { KubeObject } from '../api/meta.js';
import type { ConfigIssue } from './issue.js';
import { parseConfig, type ConfigInput, type ParseOptions } from './parse-config.js';
import { toV1beta2 } from './parse-peers.js';

/** Kinds with admission rules, mapped to their list in {@link ConfigInput}. */
export const ADMISSION_KINDS = {
  IPAddressPool: 'ipAddressPools',
  L2Advertisement: 'l2Advertisements',
  BGPAdvertisement: 'bgpAdvertisements',
  BGPPeer: 'bgpPeers',
  BFDProfile: 'bfdProfiles',
  Community: 'communities',
} as const satisfies Record<string, keyof ConfigInput>;

/** A kind {@link admit} checks. */
export type AdmissionKind = keyof typeof ADMISSION_KINDS;

/** One admission request. */
export interface AdmissionRequest {
  operation: 'CREATE' | 'UPDATE' | 'DELETE';
  kind: AdmissionKind;
  /** The new object (CREATE, UPDATE). */
  object?: KubeObject;
  /** The stored object (UPDATE, DELETE). */
  oldObject?: KubeObject;
}

/** The admission decision. */
export interface AdmissionResponse {
  allowed: boolean;
  /** Why it was denied (the new errors, newline-joined). */
  message?: string;
  /** Errors the object would add (denial) — empty when allowed. */
  errors: readonly ConfigIssue[];
  warnings: readonly string[];
}

function key(o: KubeObject | undefined): string {
  return `${o?.metadata?.namespace ?? ''}/${o?.metadata?.name ?? ''}`;
}

/** Removes the fields whose target may be created later (MetalLB's webhooks do the same). */
function stripTransient(input: ConfigInput): ConfigInput {
  return {
    ...input,
    bgpPeers: (input.bgpPeers ?? []).map((p) => {
      const v2 = toV1beta2(p as BGPPeer | BGPPeerV1beta1);
      const { bfdProfile: _b, passwordSecret: _s, ...spec } = v2.spec;
      return { ...v2, spec };
    }),
  };
}

/** Decides whether a create, update or delete of a metallb.io object is admitted. */
export function admit(request: AdmissionRequest, current: ConfigInput, options: ParseOptions): AdmissionResponse {
  const ns = options.namespace;
  const warnings: string[] = [];
  const obj = request.operation === 'DELETE' ? request.oldObject : request.object;
  if (request.operation !== 'DELETE' && (obj?.metadata?.namespace ?? '') !== ns) {
    const message = `resource must be created in ${ns} namespace`;
    return { allowed: false, message, errors: [], warnings };
  }
  if (request.kind === 'BGPPeer' && request.operation !== 'DELETE') {
    const spec = (obj as BGPPeer | undefined)?.spec;
    if (spec?.disableMP === true)
      warnings.push("disable mp is deprecated and has no effect since it's the default behavior now");
    if (request.operation === 'UPDATE') {
      const oldSpec = (request.oldObject as BGPPeer | undefined)?.spec;
      if ((oldSpec?.enableGracefulRestart ?? false) !== (spec?.enableGracefulRestart ?? false)) {
        const message = 'BGPPeer spec.enableGracefulRestart is immutable';
        return { allowed: false, message, errors: [], warnings };
      }
    }
  }
  if (request.operation === 'DELETE') {
    if (request.kind === 'BFDProfile') {
      const name = obj?.metadata?.name;
      const user = (current.bgpPeers ?? []).find(
        (p) => (p.metadata?.namespace ?? ns) === ns && toV1beta2(p).spec.bfdProfile === name,
      );
      if (user !== undefined) {
        const message = `failed to delete BFDProfile ${name ?? ''}, used by BGPPeer ${user.metadata?.name ?? ''}`;
        return { allowed: false, message, errors: [], warnings };
      }
    }
    return { allowed: true, errors: [], warnings };
  }
  const list = ADMISSION_KINDS[request.kind];
  const existing = (current[list] ?? []) as readonly KubeObject[];
  const next = [...existing.filter((o) => key(o) !== key(obj)), obj as KubeObject];
  const before = parseConfig(stripTransient(current), options);
  const after = parseConfig(stripTransient({ ...current, [list]: next }), options);
  const had = new Set(before.ok ? [] : before.errors.map((e) => e.message));
  const added = after.ok ? [] : after.errors.filter((e) => !e.transient && !had.has(e.message));
  for (const w of after.warnings) {
    if (w.kind === request.kind && w.name === (obj?.metadata?.name ?? '') && !warnings.includes(w.reason))
      warnings.push(w.message);
  }
  if (added.length === 0) return { allowed: true, errors: [], warnings };
  return { allowed: false, message: added.map((e) => e.message).join('\n'), errors: added, warnings };
}
