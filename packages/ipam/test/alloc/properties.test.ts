// Property tests: random sequences of configuration changes, allocations, releases, restores and restarts
// against invariants checked by brute force on small pools.
import t from 'tap';
import fc from 'fast-check';
import { parseIp, formatIp, type IpFamily } from '@lbkit/core';
import {
  createAllocator,
  matchesLabelSelector,
  type Allocator,
  type Assignment,
  type IpamConfig,
  type PoolConfig,
  type ServiceRequest,
} from '../../src/index.js';

const BLOCKS = [
  '192.0.2.0/30',
  '192.0.2.4/31',
  '192.0.2.8-192.0.2.10',
  '192.0.2.254-192.0.3.1',
  '2001:db8::/126',
  '2001:db8::10/127',
  '2001:db8::20-2001:db8::22',
];
const NAMES = ['p0', 'p1', 'p2'];

/** Every address of a block (blocks are tiny). */
function expand(entry: string): Array<{ family: IpFamily; value: bigint }> {
  let first: { family: IpFamily; value: bigint };
  let last: bigint;
  if (entry.includes('/')) {
    const [ip, len] = entry.split('/') as [string, string];
    first = parseIp(ip);
    last = first.value + (1n << BigInt((first.family === 4 ? 32 : 128) - Number(len))) - 1n;
  } else {
    const [a, b] = entry.split('-') as [string, string];
    first = parseIp(a);
    last = parseIp(b).value;
  }
  const out = [];
  for (let v = first.value; v <= last; v++) out.push({ family: first.family, value: v });
  return out;
}

const buggy = (a: { family: IpFamily; value: bigint }): boolean =>
  a.family === 4 && (a.value % 256n === 0n || a.value % 256n === 255n);

const poolArb = fc.record({
  blocks: fc.subarray(
    BLOCKS.map((_, i) => i),
    { minLength: 1, maxLength: 3 },
  ),
  autoAssign: fc.boolean(),
  avoidBuggyIPs: fc.boolean(),
  sa: fc.option(fc.record({ priority: fc.integer({ min: 0, max: 3 }), ns: fc.boolean(), sel: fc.boolean() }), {
    nil: undefined,
  }),
});

const configArb = fc.array(poolArb, { minLength: 0, maxLength: 3 }).map((pools): IpamConfig => {
  const used = new Set<number>();
  const out: PoolConfig[] = [];
  pools.forEach((p, i) => {
    const blocks = p.blocks.filter((b) => !used.has(b));
    blocks.forEach((b) => used.add(b));
    if (blocks.length === 0) return;
    const pool: PoolConfig = {
      name: NAMES[i] as string,
      addresses: blocks.map((b) => BLOCKS[b] as string),
      autoAssign: p.autoAssign || i === 0,
      avoidBuggyIPs: p.avoidBuggyIPs,
      ...(p.sa === undefined
        ? {}
        : {
            serviceAllocation: {
              priority: p.sa.priority,
              ...(p.sa.ns ? { namespaces: ['a'] } : {}),
              ...(p.sa.sel
                ? { serviceSelectors: [{ matchExpressions: [{ key: 'app', operator: 'In' as const, values: ['x'] }] }] }
                : {}),
            },
          }),
    };
    out.push(pool);
  });
  return { pools: out };
});

const ALL_IPS = BLOCKS.flatMap(expand).map((a) => formatIp(a));

const requestArb = (key: string): fc.Arbitrary<ServiceRequest> =>
  fc
    .record({
      ns: fc.constantFrom('a', 'b'),
      app: fc.constantFrom('x', 'y'),
      fam: fc.constantFrom<{ families: IpFamily[]; policy: NonNullable<ServiceRequest['ipFamilyPolicy']> }>(
        { families: [4], policy: 'SingleStack' },
        { families: [6], policy: 'SingleStack' },
        { families: [4, 6], policy: 'PreferDualStack' },
        { families: [6, 4], policy: 'RequireDualStack' },
      ),
      sharingKey: fc.constantFrom('', 'k1', 'k1', 'k1', 'k2'),
      ports: fc.constantFrom([], [80], [443], [53], [80, 443], [1], [2], [3]),
      udp: fc.boolean(),
      local: fc.constantFrom<'' | 'x' | 'y'>('', '', '', 'x', 'y'),
      requested: fc.option(fc.constantFrom(...ALL_IPS), { nil: undefined, freq: 3 }),
      requestedPool: fc.option(fc.constantFrom(...NAMES), { nil: undefined, freq: 5 }),
    })
    .map((r) => {
      const ipFamily = r.requested === undefined ? undefined : parseIp(r.requested).family;
      const families = ipFamily === undefined ? r.fam.families : [ipFamily];
      const policy: NonNullable<ServiceRequest['ipFamilyPolicy']> =
        ipFamily === undefined ? r.fam.policy : 'SingleStack';
      return {
        key,
        namespace: r.ns,
        labels: { app: r.app },
        families,
        ipFamilyPolicy: policy,
        sharingKey: r.sharingKey,
        ports: r.ports.map((port) => ({ protocol: r.udp ? ('UDP' as const) : ('TCP' as const), port })),
        ...(r.local === '' ? {} : { externalTrafficPolicy: 'Local' as const, selector: { app: r.local } }),
        ...(r.requested === undefined ? {} : { requestedIPs: [r.requested] }),
        ...(r.requestedPool === undefined ? {} : { requestedPool: r.requestedPool }),
      };
    });

const KEYS = ['n/s0', 'n/s1', 'n/s2', 'n/s3', 'n/s4', 'n/s5'];
type Op =
  | { op: 'allocate'; req: ServiceRequest }
  | { op: 'repeat'; key: string }
  | { op: 'release'; key: string }
  | { op: 'config'; config: IpamConfig }
  | { op: 'restart' }
  | { op: 'tick'; ms: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .constantFrom(...KEYS)
      .chain((k) => requestArb(k))
      .map((req) => ({ op: 'allocate' as const, req })),
  },
  { weight: 2, arbitrary: fc.constantFrom(...KEYS).map((key) => ({ op: 'repeat' as const, key })) },
  { weight: 2, arbitrary: fc.constantFrom(...KEYS).map((key) => ({ op: 'release' as const, key })) },
  { weight: 1, arbitrary: configArb.map((config) => ({ op: 'config' as const, config })) },
  { weight: 1, arbitrary: fc.constant({ op: 'restart' as const }) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 50 }).map((ms) => ({ op: 'tick' as const, ms })) },
);

function canShare(a: ServiceRequest, b: ServiceRequest): boolean {
  const key = (r: ServiceRequest): string => r.sharingKey ?? '';
  const backend = (r: ServiceRequest): string =>
    r.externalTrafficPolicy === 'Local' ? JSON.stringify(r.selector ?? {}) : '';
  const ports = (r: ServiceRequest): string[] => (r.ports ?? []).map((p) => `${p.protocol ?? 'TCP'}/${p.port}`);
  if (key(a) === '' || key(a) !== key(b)) return false;
  if (backend(a) !== backend(b)) return false;
  return !ports(a).some((p) => ports(b).includes(p));
}

function poolHolding(config: IpamConfig, ip: string): PoolConfig | undefined {
  return config.pools.find((p) => p.addresses.some((e) => expand(e).some((a) => formatIp(a) === ip)));
}

function admits(p: PoolConfig, r: ServiceRequest): boolean {
  const sa = p.serviceAllocation;
  if (sa === undefined) return true;
  const ns = sa.namespaces ?? [];
  if (ns.length > 0 && !ns.includes(r.namespace)) return false;
  const sel = sa.serviceSelectors ?? [];
  return sel.length === 0 || sel.some((s) => matchesLabelSelector(s, r.labels));
}

/** An assignment still valid under `config` for `req` (brute force, independent of the allocator). */
function stillValid(config: IpamConfig, req: ServiceRequest, a: Assignment): boolean {
  const pools = a.ips.map((ip) => poolHolding(config, ip));
  const p = pools[0];
  if (p === undefined || pools.some((q) => q !== p)) return false;
  if (p.avoidBuggyIPs === true && a.ips.some((ip) => buggy(parseIp(ip)))) return false;
  if (!admits(p, req)) return false;
  if (req.requestedPool !== undefined && req.requestedPool !== p.name) return false;
  return true;
}

function check(a: Allocator, requests: Map<string, ServiceRequest>, cooldown: boolean): string | undefined {
  const config = a.config;
  const holders = new Map<string, string[]>();
  for (const asg of a.assignments()) {
    const req = requests.get(asg.key);
    if (req === undefined) return `${asg.key} holds addresses but was never requested`;
    const p = poolHolding(config, asg.ips[0] as string);
    if (p === undefined) return `${asg.key} holds ${asg.ips[0]} outside every pool`;
    for (const ip of asg.ips) {
      if (poolHolding(config, ip)?.name !== asg.pool) return `${asg.key}: ${ip} not in its pool ${asg.pool}`;
      if (p.avoidBuggyIPs === true && buggy(parseIp(ip))) return `${asg.key}: buggy ${ip}`;
      holders.set(ip, [...(holders.get(ip) ?? []), asg.key]);
    }
  }
  for (const [ip, keys] of holders) {
    for (let i = 0; i < keys.length; i++)
      for (let j = i + 1; j < keys.length; j++) {
        if (
          !canShare(
            requests.get(keys[i] as string) as ServiceRequest,
            requests.get(keys[j] as string) as ServiceRequest,
          )
        ) {
          return `${ip} given to incompatible ${keys[i]} and ${keys[j]}`;
        }
      }
    const o = a.owners(ip);
    if (o === undefined || o.services.join() !== [...keys].sort().join()) return `owners(${ip}) disagrees`;
  }
  for (const c of a.counts()) {
    const p = config.pools.find((q) => q.name === c.pool) as PoolConfig;
    for (const fam of [4, 6] as const) {
      const addrs = p.addresses
        .flatMap(expand)
        .filter((x) => x.family === fam && !(p.avoidBuggyIPs === true && buggy(x)));
      const assigned = BigInt(addrs.filter((x) => holders.has(formatIp(x))).length);
      const fc_ = fam === 4 ? c.ipv4 : c.ipv6;
      if (fc_.capacity !== BigInt(addrs.length))
        return `${c.pool} IPv${fam} capacity ${fc_.capacity} != ${addrs.length}`;
      if (fc_.assigned !== assigned) return `${c.pool} IPv${fam} assigned ${fc_.assigned} != ${assigned}`;
      if (!cooldown && fc_.quarantined !== 0n) return 'quarantine without cooldown';
      if (fc_.quarantined < 0n || fc_.available !== fc_.capacity - fc_.assigned - fc_.quarantined || fc_.available < 0n)
        return `${c.pool} bad counts`;
    }
    const services = new Set(
      a
        .assignments()
        .filter((x) => x.pool === c.pool)
        .map((x) => x.key),
    ).size;
    if (services !== c.services) return `${c.pool} services ${c.services} != ${services}`;
  }
  for (const ip of ALL_IPS)
    if (!holders.has(ip) && a.owners(ip) !== undefined) return `owners(${ip}) for a free address`;
  return undefined;
}

for (const cooldownMs of [0, 20]) {
  t.test(`invariants hold over random histories (cooldown ${cooldownMs} ms)`, async (t) => {
    const stats = { ops: 0, assigned: 0, shared: 0 };
    fc.assert(
      fc.property(
        configArb.filter((c) => c.pools.length > 0),
        fc.array(opArb, { minLength: 20, maxLength: 80 }),
        (initial, ops) => {
          let now = 0;
          let a = createAllocator({ config: initial, reuseCooldownMs: cooldownMs });
          const requests = new Map<string, ServiceRequest>();
          for (const op of ops) {
            const before = new Map(a.assignments().map((x) => [x.key, x]));
            if (op.op === 'allocate' || op.op === 'repeat') {
              const req = op.op === 'allocate' ? op.req : requests.get(op.key);
              if (req === undefined) continue;
              const r = a.allocate(req, { now });
              requests.set(req.key, req);
              const prev = before.get(req.key);
              if (op.op === 'repeat' && prev !== undefined) {
                // Same request, nothing else changed: the assignment must be kept (idempotent).
                if (!r.ok || r.action === 'changed' || !prev.ips.every((ip) => r.assignment.ips.includes(ip)))
                  throw new Error(`${req.key} lost a valid assignment on repeat`);
              }
            } else if (op.op === 'release') {
              a.release(op.key, { now });
              requests.delete(op.key);
            } else if (op.op === 'config') {
              const plan = a.plan(op.config, { now });
              const report = a.setConfig(op.config, { now });
              if (JSON.stringify(plan) !== JSON.stringify(report)) throw new Error('plan and setConfig disagree');
              for (const [key, asg] of before) {
                const req = requests.get(key) as ServiceRequest;
                const after = a.lookup(key);
                if (stillValid(op.config, req, asg) && !asg.ips.every((ip) => after?.ips.includes(ip))) {
                  throw new Error(`config change moved ${key} whose ${asg.ips.join()} stayed valid`);
                }
              }
            } else if (op.op === 'restart') {
              const entries = [...requests.values()].map((request) => ({
                request,
                ips: before.get(request.key)?.ips ?? [],
              }));
              a = createAllocator({ config: a.config, reuseCooldownMs: cooldownMs });
              a.restore(entries, { now });
              for (const [key, asg] of before) {
                if (!asg.ips.every((ip) => a.lookup(key)?.ips.includes(ip))) throw new Error(`restart moved ${key}`);
              }
            } else {
              now += op.ms;
            }
            stats.ops++;
            stats.assigned += a.assignments().length;
            stats.shared += a
              .assignments()
              .filter((x) => (a.owners(x.ips[0] as string)?.services.length ?? 0) > 1).length;
            const problem = check(a, requests, cooldownMs > 0);
            if (problem !== undefined) throw new Error(`${op.op}: ${problem}`);
          }
          return true;
        },
      ),
      { numRuns: 400 },
    );
    t.pass('no counterexample');
    t.comment(JSON.stringify(stats));
  });
}
