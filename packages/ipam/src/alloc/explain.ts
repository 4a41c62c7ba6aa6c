import { formatIp, type IpFamily } from '@lbkit/core';
import type { AllocateResult, Explanation, PoolExplanation, PoolReason } from '../types.js';
import type { Decision, IgnoreMap } from './decide.js';
import type { NormalizedRequest } from './request.js';
import type { AllocState, PoolState, ServiceRecord } from './state.js';

/**
 * Evaluates every pool for a request and explains the decision already taken by `decide`. Reads state only.
 */
export function explainRequest(
  s: AllocState,
  rec: ServiceRecord | undefined,
  req: NormalizedRequest,
  d: Decision,
  decision: AllocateResult,
): Explanation {
  const notes: PoolReason[] = [];
  const prechecked =
    req.families.length === 0 ||
    (req.policy === 'RequireDualStack' && req.families.length < 2) ||
    s.config.byName.length === 0;
  const mode: Explanation['mode'] = prechecked
    ? 'none'
    : d.kind === 'keep'
      ? 'current'
      : req.requested.length > 0
        ? 'requested-ips'
        : req.requestedPool !== undefined
          ? 'requested-pool'
          : 'automatic';
  if (d.invalidated !== undefined) {
    notes.push({
      code: 'current',
      message: `the addresses the service held are no longer valid (${d.invalidated}) and were given up`,
    });
  }
  if (mode === 'requested-ips') {
    for (const a of req.requested) {
      if (s.poolOf(a).pool === undefined) {
        notes.push({
          code: 'requested-ip-outside-pool',
          family: a.family,
          ip: formatIp(a),
          message: `requested IP ${formatIp(a)} is outside every pool`,
        });
      }
    }
  }
  const chosen = d.kind === 'fail' ? undefined : d.pool;
  const order = s.autoOrder(req);
  const ranked = [
    ...order,
    ...s.config.byName.map((p) => s.pools.get(p.name) as PoolState).filter((p) => !order.includes(p)),
  ];
  const ignore: IgnoreMap = { 4: s.soleAddresses(rec, 4), 6: s.soleAddresses(rec, 6) };
  const needed: IpFamily[] = req.wantDual ? [...req.families] : req.families.slice(0, 1);
  let passedChosen = false;
  const pools: PoolExplanation[] = ranked.map((ps) => {
    const name = ps.pool.name;
    const reasons: PoolReason[] = [];
    const candidates: string[] = [];
    if (req.requestedPool !== undefined && req.requestedPool !== name) {
      reasons.push({
        code: 'not-requested-pool',
        message: `the service asks for pool ${JSON.stringify(req.requestedPool)}`,
      });
    }
    const fence = s.admits(ps.pool, req);
    if (fence === 'namespace-fence') {
      reasons.push({
        code: fence,
        message: `namespace ${JSON.stringify(req.namespace)} is not among the pool's namespaces or namespace selectors`,
      });
    } else if (fence === 'service-selector-mismatch') {
      reasons.push({ code: fence, message: "the service's labels match none of the pool's service selectors" });
    }
    if (mode === 'automatic' && !ps.pool.autoAssign) {
      reasons.push({
        code: 'auto-assign-off',
        message: 'autoAssign is false and the service names neither the pool nor one of its IPs',
      });
    }
    if (mode === 'requested-ips') {
      for (const a of req.requested) {
        const where = s.poolOf(a);
        const ip = formatIp(a);
        if (where.pool !== ps) {
          reasons.push({
            code: 'requested-ip-outside-pool',
            family: a.family,
            ip,
            message: `requested IP ${ip} is not in this pool`,
          });
          continue;
        }
        if (where.buggy)
          reasons.push({
            code: 'buggy-ip',
            family: a.family,
            ip,
            message: `${ip} ends in .0 or .255 and the pool avoids such addresses`,
          });
        const e = s.entry(a);
        const p = e === undefined ? undefined : s.shareProblem(e, req);
        if (p !== undefined)
          reasons.push({
            code: p.problem,
            family: a.family,
            ip,
            heldBy: p.with,
            message: `${ip} is held by ${p.with.join(', ')} (${p.problem})`,
          });
        else if (!where.buggy) candidates.push(ip);
      }
    } else if (mode !== 'none') {
      let missing = 0;
      for (const f of needed) {
        if (ps.pool.blocks[f].length === 0) {
          reasons.push({ code: 'family-missing', family: f, message: `the pool has no IPv${f} addresses` });
          missing++;
          continue;
        }
        const keepOwn = d.kind === 'keep' && ps === d.pool ? rec?.entries.find((e) => e.family === f) : undefined;
        const c = keepOwn !== undefined ? keepOwn.value : s.candidate(ps, f, req, ignore[f]);
        if (c === undefined) {
          missing++;
          reasons.push(...exhaustion(s, ps, f, req));
        } else {
          candidates.push(formatIp({ family: f, value: c }));
        }
      }
      if (missing > 0 && missing < needed.length && req.policy === 'PreferDualStack') {
        reasons.push({ code: 'partial-family', message: 'the pool can give only one of the two families' });
      }
    }
    const isChosen = ps === chosen;
    if (isChosen && d.kind === 'keep')
      reasons.unshift({ code: 'current', message: 'the pool holds the service’s current, still valid addresses' });
    let verdict: PoolExplanation['verdict'] = isChosen ? 'chosen' : reasons.length === 0 ? 'usable' : 'rejected';
    if (verdict === 'usable' && chosen !== undefined && mode !== 'requested-ips') {
      reasons.push({
        code: 'earlier-pool-chosen',
        message: passedChosen
          ? `pool ${JSON.stringify(chosen.pool.name)} comes earlier in the order`
          : `pool ${JSON.stringify(chosen.pool.name)} was chosen`,
      });
    }
    if (verdict === 'usable' && reasons.some((r) => r.code === 'partial-family')) verdict = 'rejected';
    if (isChosen) passedChosen = true;
    const at = order.indexOf(ps);
    return {
      pool: name,
      verdict,
      ...(at === -1 ? {} : { order: at }),
      ...(candidates.length > 0 && verdict !== 'rejected' ? { candidates } : {}),
      reasons,
    };
  });
  return { key: req.key, decision, mode, pools, notes };
}

/** Why a pool has no address for a family: exhausted, plus the sharing conflicts that stood in the way. */
function exhaustion(s: AllocState, ps: PoolState, f: IpFamily, req: NormalizedRequest): PoolReason[] {
  const counts = `${ps.assigned[f]} of ${ps.pool.capacity[f]} IPv${f} addresses in use, ${ps.quarantined[f]} quarantined`;
  const out: PoolReason[] = [
    { code: 'exhausted', family: f, message: `no free or shareable IPv${f} address (${counts})` },
  ];
  const same = req.sharingKey === '' ? undefined : ps.shared.get(req.sharingKey);
  if (same !== undefined) {
    let shown = 0;
    for (const e of same) {
      if (e.family !== f) continue;
      const p = s.shareProblem(e, req);
      if (p === undefined) continue;
      out.push({
        code: p.problem,
        family: f,
        ip: e.text,
        heldBy: p.with,
        message: `${e.text} has the same sharing key but is held by ${p.with.join(', ')} (${p.problem})`,
      });
      if (++shown >= 3) break;
    }
  } else if (ps.assigned[f] > 0 && req.sharingKey === '') {
    out.push({
      code: 'sharing-key-conflict',
      family: f,
      message: 'the service has no sharing key, so it cannot share any address in use',
    });
  }
  return out;
}
