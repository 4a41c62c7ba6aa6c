import { formatIp, type IpAddress, type IpFamily } from '@lbkit/core';
import type { FailureReason, InvalidationCause } from '../types.js';
import type { NormalizedRequest } from './request.js';
import type { AllocState, PoolState, ServiceRecord } from './state.js';

/** How a fresh assignment was found. */
export type AssignVia = 'requested-ips' | 'requested-pool' | 'sticky' | 'automatic';

/** The allocator's decision for one request, computed without changing state. */
export type Decision = (
  | { readonly kind: 'keep'; readonly pool: PoolState; readonly extend?: IpAddress; readonly partial: boolean }
  | {
      readonly kind: 'assign';
      readonly pool: PoolState;
      readonly addrs: readonly IpAddress[];
      readonly partial: boolean;
      readonly via: AssignVia;
    }
  | { readonly kind: 'fail'; readonly reason: FailureReason; readonly message: string }
) & { readonly invalidated?: InvalidationCause };

/** Own sole addresses per family, which count as free when the service is re-decided. */
export type IgnoreMap = { readonly 4: readonly bigint[] | undefined; readonly 6: readonly bigint[] | undefined };

const NO_IGNORE: IgnoreMap = Object.freeze({ 4: undefined, 6: undefined });

/**
 * Decides what a service gets (metallb.md §3.1): keep what it holds if still valid (adding the missing family
 * for PreferDualStack), else requested IPs, else the requested pool, else a sticky address from the reuse
 * cooldown, else automatic choice over pinned pools and then generic pools (§3.2).
 */
export function decide(s: AllocState, rec: ServiceRecord | undefined, req: NormalizedRequest, now: number): Decision {
  const pre = precheck(s, req);
  if (pre !== undefined) return pre;
  let invalidated: InvalidationCause | undefined;
  if (rec !== undefined && rec.pool !== undefined && rec.entries.length > 0) {
    const held = rec.entries.map((e) => ({ family: e.family, value: e.value }));
    const problem = holdingProblem(s, held, req, rec.pool);
    if (problem === undefined) {
      const pool = rec.pool;
      if (req.wantDual && held.length === 1) {
        // PreferDualStack: add the missing family from the same pool, never from another (§3.1 step 8); gated
        // on two ClusterIP families (metallb.md Appendix A #17).
        const missing = req.families.find((f) => f !== held[0]?.family) as IpFamily;
        const c = s.candidate(pool, missing, req);
        if (c !== undefined) return { kind: 'keep', pool, extend: { family: missing, value: c }, partial: false };
        return { kind: 'keep', pool, partial: true };
      }
      return { kind: 'keep', pool, partial: false };
    }
    invalidated = problem.cause;
  }
  const ignore: IgnoreMap =
    rec === undefined || rec.entries.length === 0
      ? NO_IGNORE
      : { 4: s.soleAddresses(rec, 4), 6: s.soleAddresses(rec, 6) };
  const fresh = decideFresh(s, req, now, ignore);
  return invalidated === undefined ? fresh : { ...fresh, invalidated };
}

/** Failures that depend only on the request and whether any pool exists. */
export function precheck(s: AllocState, req: NormalizedRequest): Decision | undefined {
  if (req.families.length === 0) return fail('no-cluster-ip', 'the service has no ClusterIP');
  if (req.policy === 'RequireDualStack' && req.families.length < 2) {
    return fail('not-enough-cluster-ips', 'RequireDualStack needs ClusterIPs of both families');
  }
  if (s.config.byName.length === 0) return fail('no-pools', 'no address pools are configured');
  return undefined;
}

function decideFresh(s: AllocState, req: NormalizedRequest, now: number, ignore: IgnoreMap): Decision {
  if (req.requested.length > 0) return decideRequested(s, req);
  if (req.requestedPool !== undefined) {
    const ps = s.pools.get(req.requestedPool);
    if (ps === undefined) return fail('unknown-pool', `pool ${JSON.stringify(req.requestedPool)} does not exist`);
    const why = s.admits(ps.pool, req);
    if (why !== undefined)
      return fail('pool-not-allowed', `pool ${JSON.stringify(ps.pool.name)} does not admit the service (${why})`);
    return (
      decideSticky(s, req, now, [ps]) ??
      selectFrom(s, [ps], req, ignore, 'requested-pool') ??
      fail('no-available-ips', `pool ${JSON.stringify(req.requestedPool)} has no address for the service`)
    );
  }
  if (s.cooldownMs > 0) {
    const sticky = decideSticky(s, req, now, [...s.pinnedFor(req), ...s.generic]);
    if (sticky !== undefined) return sticky;
  }
  return (
    // Pinned pools are filtered as they are visited (no per-request list).
    selectFrom(s, s.pinned, req, ignore, 'automatic', true) ??
    selectFrom(s, s.generic, req, ignore, 'automatic') ??
    fail('no-available-ips', 'no eligible pool has a free or shareable address of the needed families')
  );
}

/**
 * The first pool of `pools` (with `onlyAdmitting`, of those admitting the request) offering the needed
 * addresses.
 */
export function selectFrom(
  s: AllocState,
  pools: readonly PoolState[],
  req: NormalizedRequest,
  ignore: IgnoreMap,
  via: AssignVia,
  onlyAdmitting = false,
): Decision | undefined {
  const [f0, f1] = req.families as [IpFamily, IpFamily | undefined];
  if (!req.wantDual || f1 === undefined) {
    for (const ps of pools) {
      if (onlyAdmitting && s.admits(ps.pool, req) !== undefined) continue;
      const c = s.candidate(ps, f0, req, ignore[f0]);
      if (c !== undefined) return { kind: 'assign', pool: ps, addrs: [{ family: f0, value: c }], partial: false, via };
    }
    return undefined;
  }
  // Candidates have no side effects, so a pool is only searched for what can still change the outcome: both
  // families when it has both, and (PreferDualStack only) one family while no earlier pool offered it.
  const prefer = req.policy === 'PreferDualStack';
  let pref: Decision | undefined;
  let other: Decision | undefined;
  for (const ps of pools) {
    if (onlyAdmitting && s.admits(ps.pool, req) !== undefined) continue;
    const hasA = ps.pool.blocks[f0].length > 0;
    const hasB = ps.pool.blocks[f1].length > 0;
    if (!(hasA && hasB) && !prefer) continue;
    const a = hasA && (hasB || pref === undefined) ? s.candidate(ps, f0, req, ignore[f0]) : undefined;
    const b = hasB && (hasA || other === undefined) ? s.candidate(ps, f1, req, ignore[f1]) : undefined;
    if (a !== undefined && b !== undefined) {
      return {
        kind: 'assign',
        pool: ps,
        addrs: [
          { family: f0, value: a },
          { family: f1, value: b },
        ],
        partial: false,
        via,
      };
    }
    if (a !== undefined && pref === undefined)
      pref = { kind: 'assign', pool: ps, addrs: [{ family: f0, value: a }], partial: true, via };
    if (b !== undefined && other === undefined)
      other = { kind: 'assign', pool: ps, addrs: [{ family: f1, value: b }], partial: true, via };
  }
  if (req.policy === 'PreferDualStack') return pref ?? other;
  return undefined;
}

function decideRequested(s: AllocState, req: NormalizedRequest): Decision {
  let ps: PoolState | undefined;
  for (const a of req.requested) {
    const where = s.poolOf(a);
    if (where.pool === undefined) return fail('requested-ip-not-in-pool', `requested IP ${formatIp(a)} is in no pool`);
    if (where.buggy) {
      return fail(
        'requested-ip-not-in-pool',
        `requested IP ${formatIp(a)} ends in .0 or .255 and pool ${JSON.stringify(where.pool.pool.name)} avoids such addresses`,
      );
    }
    if (ps !== undefined && ps !== where.pool)
      return fail('requested-ip-wrong-pool', 'the requested IPs are in different pools');
    ps = where.pool;
  }
  const pool = ps as PoolState;
  if (req.requestedPool !== undefined && pool.pool.name !== req.requestedPool) {
    return fail(
      'requested-ip-wrong-pool',
      `the requested IPs are in pool ${JSON.stringify(pool.pool.name)}, not in the requested pool ${JSON.stringify(req.requestedPool)}`,
    );
  }
  const why = s.admits(pool.pool, req);
  if (why !== undefined)
    return fail('pool-not-allowed', `pool ${JSON.stringify(pool.pool.name)} does not admit the service (${why})`);
  for (const a of req.requested) {
    const e = s.entry(a);
    const p = e === undefined ? undefined : s.shareProblem(e, req);
    if (p !== undefined)
      return fail('requested-ip-in-use', `requested IP ${formatIp(a)} is held by ${p.with.join(', ')} (${p.problem})`);
  }
  return { kind: 'assign', pool, addrs: req.requested, partial: false, via: 'requested-ips' };
}

/**
 * Reuse cooldown: a service recreated within the cooldown gets its old addresses back when they are still in
 * an eligible pool, still free (or quarantined for it) or compatibly shared.
 */
function decideSticky(
  s: AllocState,
  req: NormalizedRequest,
  now: number,
  order: readonly PoolState[],
): Decision | undefined {
  const t = s.tombstone(req.key, now);
  if (t === undefined) return undefined;
  const want = [...req.families].sort().join(',');
  const addrs = req.families
    .map((f) => t.addresses.find((a) => a.family === f))
    .filter((a): a is IpAddress => a !== undefined);
  if (
    addrs
      .map((a) => a.family)
      .sort()
      .join(',') !== want
  )
    return undefined;
  let ps: PoolState | undefined;
  for (const a of addrs) {
    const where = s.poolOf(a);
    if (where.pool === undefined || where.buggy || (ps !== undefined && ps !== where.pool)) return undefined;
    ps = where.pool;
    const e = s.entry(a);
    if (e !== undefined) {
      if (s.shareProblem(e, req) !== undefined) return undefined;
    } else {
      const q = s.quarantined(a, now);
      if (q !== undefined && q.owner !== req.key) return undefined;
    }
  }
  if (ps === undefined || !order.includes(ps)) return undefined;
  return { kind: 'assign', pool: ps, addrs, partial: false, via: 'sticky' };
}

/**
 * Why addresses a service holds (or held before a restart or config change) are no longer valid for it
 * (§3.1 steps 6–7, §3.5), or undefined when they are. `expected` is the pool they must all be in, if known.
 */
export function holdingProblem(
  s: AllocState,
  held: readonly IpAddress[],
  req: NormalizedRequest,
  expected?: PoolState,
): { cause: InvalidationCause; pool?: PoolState } | undefined {
  const fams = held.map((a) => a.family);
  const want = [...req.families].sort().join(',');
  const got = [...fams].sort().join(',');
  const tolerated =
    req.policy === 'PreferDualStack' && req.wantDual && held.length === 1 && req.families.includes(fams[0] as IpFamily);
  if (got !== want && !tolerated) return { cause: 'family-mismatch' };
  let ps: PoolState | undefined;
  for (const a of held) {
    const where = s.poolOf(a);
    if (where.pool === undefined) return { cause: 'ip-left-pool' };
    if (where.buggy) return { cause: 'buggy-ip' };
    if (ps !== undefined && where.pool !== ps) return { cause: 'ips-split-across-pools' };
    ps = where.pool;
  }
  const pool = ps as PoolState;
  if (expected !== undefined && pool !== expected) return { cause: 'ips-split-across-pools' };
  if (s.admits(pool.pool, req) !== undefined) return { cause: 'pool-not-allowed', pool };
  for (const a of held) {
    const e = s.entry(a);
    if (e !== undefined && s.shareProblem(e, req) !== undefined) return { cause: 'sharing-conflict', pool };
  }
  if (req.requestedPool !== undefined && req.requestedPool !== pool.pool.name)
    return { cause: 'requested-pool-changed', pool };
  if (req.requested.length > 0) {
    const a = req.requested
      .map((x) => `${x.family}:${x.value}`)
      .sort()
      .join(',');
    const b = held
      .map((x) => `${x.family}:${x.value}`)
      .sort()
      .join(',');
    if (a !== b) return { cause: 'requested-ips-changed', pool };
  }
  return undefined;
}

function fail(reason: FailureReason, message: string): Decision {
  return { kind: 'fail', reason, message };
}
