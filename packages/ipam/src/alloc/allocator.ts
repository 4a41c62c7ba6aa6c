import { InvalidArgumentError, formatIp, parseIp, ParseError, type IpAddress } from '@lbkit/core';
import { compileConfig, compareNames } from '../config/compile-config.js';
import { DEFAULT_REUSE_COOLDOWN_MS } from '../constants.js';
import { ConfigConflictError, IpamRequestError } from '../errors.js';
import type {
  AddressOwners,
  AllocateResult,
  Allocator,
  AllocatorComponents,
  AllocatorInit,
  Assignment,
  ConfigChangePolicy,
  ConfigChangeReport,
  Explanation,
  IpamConfig,
  PoolCounts,
  RestoreEntry,
  ServiceChange,
  ServiceRequest,
  SetConfigOptions,
  TimeOptions,
} from '../types.js';
import { countPool } from './counts.js';
import { decide, holdingProblem, type Decision } from './decide.js';
import { explainRequest } from './explain.js';
import { normalizeRequest, type NormalizedRequest } from './request.js';
import { AllocState, NO_ENTRIES, type ServiceRecord } from './state.js';

/**
 * Creates an allocator.
 *
 * @example
 * ```ts
 * const ipam = createAllocator({ config: { pools: [{ name: 'default', addresses: ['192.0.2.0/28'] }] } });
 * const r = ipam.allocate({ key: 'web/front', namespace: 'web', families: [4] });
 * if (r.ok) console.log(r.assignment.ips); // ['192.0.2.0']
 * ```
 */
export function createAllocator(init: AllocatorInit = {}, components: AllocatorComponents = {}): Allocator {
  const cooldown = init.reuseCooldownMs ?? DEFAULT_REUSE_COOLDOWN_MS;
  if (typeof cooldown !== 'number' || !Number.isFinite(cooldown) || cooldown < 0) {
    throw new InvalidArgumentError('reuseCooldownMs', 'a finite number of milliseconds >= 0', cooldown);
  }
  const policy = init.configChangePolicy ?? 'reallocate';
  if (policy !== 'reallocate' && policy !== 'reject') {
    throw new InvalidArgumentError('configChangePolicy', "'reallocate' or 'reject'", policy);
  }
  return new PoolAllocator(new AllocState(compileConfig(init.config ?? { pools: [] }), cooldown), policy, components);
}

class PoolAllocator implements Allocator {
  private state: AllocState;
  private readonly policy: ConfigChangePolicy;
  private readonly clock: AllocatorComponents['clock'];

  constructor(state: AllocState, policy: ConfigChangePolicy, components: AllocatorComponents) {
    this.state = state;
    this.policy = policy;
    this.clock = components.clock;
  }

  get config(): IpamConfig {
    return this.state.config.source;
  }

  private now(options: TimeOptions | undefined): number {
    const now = options?.now ?? this.clock?.now();
    if (now === undefined) {
      if (this.state.cooldownMs > 0) {
        throw new InvalidArgumentError(
          'now',
          'a time (options.now or an injected clock) when reuseCooldownMs > 0',
          undefined,
        );
      }
      return 0;
    }
    if (typeof now !== 'number' || !Number.isFinite(now)) throw new InvalidArgumentError('now', 'a finite number', now);
    return now;
  }

  allocate(request: ServiceRequest, options?: TimeOptions): AllocateResult {
    const req = normalizeRequest(request);
    const now = this.now(options);
    this.state.expire(now);
    return converge(this.state, req, now);
  }

  release(key: string, options?: TimeOptions): Assignment | undefined {
    if (typeof key !== 'string') throw new InvalidArgumentError('key', 'a service key string', key);
    const now = this.now(options);
    const s = this.state;
    s.expire(now);
    const rec = s.services.get(key);
    if (rec === undefined) return undefined;
    const before = s.assignmentOf(rec);
    const held = s.cooldownMs > 0 ? rec.entries.map((e): IpAddress => ({ family: e.family, value: e.value })) : [];
    s.detach(rec, now);
    s.services.deleteLive(key);
    s.bury(key, held, now);
    return before;
  }

  restore(entries: readonly RestoreEntry[], options?: TimeOptions): AllocateResult[] {
    if (!Array.isArray(entries)) throw new InvalidArgumentError('entries', 'an array of restore entries', entries);
    const parsed = entries.map((e, i) => parseEntry(e, i));
    const now = this.now(options);
    this.state.expire(now);
    return restoreInto(this.state, parsed, now);
  }

  setConfig(config: IpamConfig, options?: SetConfigOptions): ConfigChangeReport {
    const policy = options?.policy ?? this.policy;
    if (policy !== 'reallocate' && policy !== 'reject')
      throw new InvalidArgumentError('policy', "'reallocate' or 'reject'", policy);
    const now = this.now(options);
    this.state.expire(now);
    const { next, report } = rebuild(this.state, config, now);
    if (policy === 'reject') {
      const lost = report.changes.filter(
        (c) => c.before !== undefined && c.before.ips.some((ip) => !(c.after?.ips ?? []).includes(ip)),
      );
      if (lost.length > 0) throw new ConfigConflictError(lost);
    }
    this.state = next;
    return report;
  }

  plan(config: IpamConfig, options?: TimeOptions): ConfigChangeReport {
    const now = this.now(options);
    this.state.expire(now);
    return rebuild(this.state, config, now).report;
  }

  explain(request: ServiceRequest, options?: TimeOptions): Explanation {
    const req = normalizeRequest(request);
    const now = this.now(options);
    this.state.expire(now);
    const rec = this.state.services.get(req.key);
    const d = decide(this.state, rec, req, now);
    return explainRequest(this.state, rec, req, d, toResult(this.state, rec, req, d));
  }

  lookup(key: string): Assignment | undefined {
    const rec = this.state.services.get(key);
    return rec === undefined ? undefined : this.state.assignmentOf(rec);
  }

  owners(ip: string): AddressOwners | undefined {
    let addr: IpAddress;
    try {
      addr = parseIp(ip);
    } catch (err) {
      throw new InvalidArgumentError('ip', 'an IP address', ip, { cause: err });
    }
    const e = this.state.entry(addr);
    if (e === undefined) return undefined;
    return {
      ip: e.text,
      pool: e.pool.pool.name,
      services: e.users.map((u) => u.key).sort(compareNames),
      sharingKey: e.users[0]?.req.sharingKey ?? '',
    };
  }

  assignments(): Assignment[] {
    const out: Assignment[] = [];
    for (const rec of this.state.services.values()) {
      const a = this.state.assignmentOf(rec);
      if (a !== undefined) out.push(a);
    }
    return out.sort((a, b) => compareNames(a.key, b.key));
  }

  pending(): string[] {
    const out: string[] = [];
    for (const rec of this.state.services.values()) if (rec.entries.length === 0) out.push(rec.key);
    return out.sort(compareNames);
  }

  counts(): PoolCounts[] {
    return [...this.state.pools.values()].map(countPool);
  }
}

interface ParsedEntry {
  readonly req: NormalizedRequest;
  readonly held: readonly IpAddress[];
}

function parseEntry(entry: RestoreEntry, index: number): ParsedEntry {
  if (typeof entry !== 'object' || entry === null)
    throw new InvalidArgumentError(`entries[${index}]`, 'a restore entry', entry);
  const req = normalizeRequest(entry.request);
  const held: IpAddress[] = [];
  const ips = entry.ips ?? [];
  if (!Array.isArray(ips) || ips.length > 2) throw new IpamRequestError(req.key, 'ips', 'at most two addresses', ips);
  for (let i = 0; i < ips.length; i++) {
    try {
      held.push(parseIp(String(ips[i]).trim()));
    } catch (err) {
      if (!(err instanceof ParseError)) throw err;
      throw new IpamRequestError(req.key, `ips[${i}]`, 'a valid IP address', ips[i]);
    }
  }
  if (held.length === 2 && held[0]?.family === held[1]?.family)
    throw new IpamRequestError(req.key, 'ips', 'two addresses of different families', ips);
  return { req, held };
}

/** One convergence step for one service: decide, then apply. */
function converge(s: AllocState, req: NormalizedRequest, now: number): AllocateResult {
  let rec = s.services.get(req.key);
  const d = decide(s, rec, req, now);
  const previous = rec === undefined ? undefined : s.assignmentOf(rec);
  if (rec === undefined) {
    rec = { key: req.key, req, pool: undefined, entries: NO_ENTRIES };
    s.services.setAbsent(req.key, rec);
  }
  apply(s, rec, req, d, now);
  if (d.kind === 'fail') {
    return previous === undefined
      ? { ok: false, key: req.key, reason: d.reason, message: d.message }
      : { ok: false, key: req.key, reason: d.reason, message: d.message, previous };
  }
  const assignment = s.assignmentOf(rec) as Assignment;
  if (d.kind === 'keep') {
    if (d.extend !== undefined)
      return previous === undefined
        ? { ok: true, key: req.key, action: 'extended', assignment }
        : { ok: true, key: req.key, action: 'extended', assignment, previous };
    return d.partial
      ? { ok: true, key: req.key, action: 'kept', assignment, partial: true }
      : { ok: true, key: req.key, action: 'kept', assignment };
  }
  const action = previous === undefined ? 'allocated' : 'changed';
  const base: AllocateResult =
    previous === undefined
      ? { ok: true, key: req.key, action, assignment }
      : { ok: true, key: req.key, action, assignment, previous };
  return d.partial ? { ...base, partial: true } : base;
}

/** The result a decision produces, computed before it is applied. */
function toResult(s: AllocState, rec: ServiceRecord | undefined, req: NormalizedRequest, d: Decision): AllocateResult {
  const previous = rec === undefined ? undefined : s.assignmentOf(rec);
  const prev = previous === undefined ? {} : { previous };
  if (d.kind === 'fail') return { ok: false, key: req.key, reason: d.reason, message: d.message, ...prev };
  const order = req.families;
  const texts = (addrs: readonly IpAddress[]): string[] =>
    [...addrs].sort((a, b) => order.indexOf(a.family) - order.indexOf(b.family)).map((a) => formatIp(a));
  if (d.kind === 'keep') {
    const held = (rec?.entries ?? []).map((e): IpAddress => ({ family: e.family, value: e.value }));
    if (d.extend === undefined) {
      return {
        ok: true,
        key: req.key,
        action: 'kept',
        assignment: { key: req.key, pool: d.pool.pool.name, ips: texts(held) },
        ...(d.partial ? { partial: true } : {}),
      };
    }
    return {
      ok: true,
      key: req.key,
      action: 'extended',
      assignment: { key: req.key, pool: d.pool.pool.name, ips: texts([...held, d.extend]) },
      ...prev,
    };
  }
  const assignment = { key: req.key, pool: d.pool.pool.name, ips: texts(d.addrs) };
  return {
    ok: true,
    key: req.key,
    action: previous === undefined ? 'allocated' : 'changed',
    assignment,
    ...prev,
    ...(d.partial ? { partial: true } : {}),
  };
}

function apply(s: AllocState, rec: ServiceRecord, req: NormalizedRequest, d: Decision, now: number): void {
  if (d.kind === 'keep') {
    rec.req = req;
    for (const e of rec.entries) s.reindex(e);
    if (d.extend !== undefined) s.attach(rec, d.pool, [d.extend]);
    return;
  }
  if (rec.entries.length > 0) s.detach(rec, now);
  rec.req = req;
  if (d.kind === 'assign') s.attach(rec, d.pool, d.addrs);
}

/**
 * Restores services in an order that cannot steal (metallb.md §3.5): first every service that held addresses
 * keeps them where still valid, in input order; then everything else converges, services that held
 * addresses first, then the rest in key order.
 */
function restoreInto(s: AllocState, entries: readonly ParsedEntry[], now: number): AllocateResult[] {
  const results = new Array<AllocateResult | undefined>(entries.length);
  const adopted = new Set<number>();
  for (let i = 0; i < entries.length; i++) {
    const { req, held } = entries[i] as ParsedEntry;
    if (held.length === 0) continue;
    const existing = s.services.get(req.key);
    if (existing !== undefined && existing.entries.length > 0) continue;
    if (holdingProblem(s, held, req) !== undefined) continue;
    const ps = s.poolOf(held[0] as IpAddress).pool;
    if (ps === undefined) continue;
    const rec: ServiceRecord = existing ?? { key: req.key, req, pool: undefined, entries: NO_ENTRIES };
    rec.req = req;
    s.services.set(req.key, rec);
    s.attach(rec, ps, held);
    adopted.add(i);
  }
  const rest = entries.map((_, i) => i).filter((i) => !adopted.has(i));
  const heldFirst = (i: number): number => ((entries[i] as ParsedEntry).held.length > 0 ? 0 : 1);
  rest.sort(
    (a, b) =>
      heldFirst(a) - heldFirst(b) ||
      compareNames((entries[a] as ParsedEntry).req.key, (entries[b] as ParsedEntry).req.key),
  );
  for (const i of adopted) {
    const { req, held } = entries[i] as ParsedEntry;
    if (req.wantDual && held.length === 1) {
      results[i] = converge(s, req, now);
    } else {
      const assignment = s.assignmentOf(s.services.get(req.key) as ServiceRecord) as Assignment;
      results[i] = { ok: true, key: req.key, action: 'kept', assignment };
    }
  }
  for (const i of rest) results[i] = converge(s, (entries[i] as ParsedEntry).req, now);
  return results as AllocateResult[];
}

/**
 * Builds the state a new configuration would give, from the current one: quarantines and tombstones carry
 * over, services that hold addresses keep them where the new configuration admits them (possibly under
 * another pool), then services that lost theirs and pending services are converged, in key order.
 */
function rebuild(s: AllocState, config: IpamConfig, now: number): { next: AllocState; report: ConfigChangeReport } {
  const next = new AllocState(compileConfig(config), s.cooldownMs);
  for (const fam of [4, 6] as const)
    for (const q of s.quarantine[fam].values()) if (q.until > now) next.carryQuarantine(q);
  for (const [key, t] of s.tombstones.entries()) if (t.until > now) next.carryTombstone(key, t);
  const recs = [...s.services.values()].sort((a, b) => compareNames(a.key, b.key));
  const before = new Map<string, Assignment | undefined>();
  for (const r of recs) before.set(r.key, s.assignmentOf(r));
  const entries: ParsedEntry[] = recs.map((r) => ({
    req: r.req,
    held: r.entries.map((e): IpAddress => ({ family: e.family, value: e.value })),
  }));
  const causes = new Map<string, ServiceChange['cause']>();
  for (const e of entries) {
    if (e.held.length === 0) continue;
    const p = holdingProblem(next, e.held, e.req);
    if (p !== undefined) {
      const oldPool = before.get(e.req.key)?.pool;
      causes.set(e.req.key, oldPool !== undefined && !next.pools.has(oldPool) ? 'pool-removed' : p.cause);
    }
  }
  const results = restoreInto(next, entries, now);
  const changes: ServiceChange[] = [];
  let unchanged = 0;
  for (let i = 0; i < recs.length; i++) {
    const key = (recs[i] as ServiceRecord).key;
    const b = before.get(key);
    const r = results[i] as AllocateResult;
    const after = r.ok ? r.assignment : undefined;
    const cause = causes.get(key);
    const c = cause === undefined ? {} : { cause };
    if (b === undefined && after === undefined) continue;
    if (b === undefined && after !== undefined) changes.push({ key, kind: 'satisfied', after });
    else if (b !== undefined && after === undefined) {
      changes.push({ key, kind: 'pending', before: b, ...c, ...(r.ok ? {} : { failure: r.reason }) });
    } else if (b !== undefined && after !== undefined) {
      if (sameIps(b, after)) {
        if (b.pool !== after.pool) changes.push({ key, kind: 'rehomed', before: b, after });
        else unchanged++;
      } else {
        changes.push({ key, kind: 'changed', before: b, after, ...c });
      }
    }
  }
  return { next, report: { changes, unchanged } };
}

function sameIps(a: Assignment, b: Assignment): boolean {
  return a.ips.length === b.ips.length && a.ips.every((ip) => b.ips.includes(ip));
}
