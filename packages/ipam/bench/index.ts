// Benchmarks of @lbkit/ipam (run: npm run bench -w @lbkit/ipam; JSON lines: npm run bench -w @lbkit/ipam -- --json).
//
// 1. churn: 100,000 services across 50 pools (a v4 /16, a v6 /64, v4 ranges, dual-stack pools, fenced and
//    prioritised pools): allocate all, release half, allocate 50,000 more; total time and heap.
// 2. growth: per-operation cost with 1k, 10k, 100k and 1M addresses allocated in one IPv6 /48, the taken
//    addresses scattered (every other address) so the tree holds one run per service: its worst shape.
// 3. versus: one allocation with 100,000 addresses already allocated in the pool, against a naive first-free
//    linear scan (MetalLB's method, metallb.md §3.6) implemented here, in the same run.
//
// Addresses come from 240.0.0.0/4 and 2001:db8::/32 (no traffic is sent; the ranges are those the project
// reserves for bulk tests). Never asserts: the targets live in the issue and the README.
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parseIp, type IpFamily } from '@lbkit/core';
import { BenchReporter, machineInfo, roundTo } from '@lbkit/testkit';
import { createAllocator, type PoolConfig, type ServiceRequest } from '../src/index.js';
import { IntervalSet } from '../src/tree/interval-set.js';

v8.setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const reporter = new BenchReporter();
const report = reporter.emit;

function heapMB(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 1e6;
}

/** The fastest of three timed runs, each after a full collection: the least disturbed by other load. */
function bestOf(fn: () => void): number {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    gc();
    best = Math.min(best, seconds(fn));
  }
  return best;
}

function seconds(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

// ----- 1. churn -------------------------------------------------------------------------------------------

function churnPools(): PoolConfig[] {
  const pools: PoolConfig[] = [
    { name: 'a-v4-16', addresses: ['240.0.0.0/16'] },
    { name: 'b-v6-64', addresses: ['2001:db8::/64'] },
  ];
  for (let i = 0; i < 24; i++) {
    const fenced = i < 8;
    pools.push({
      name: `c-range-${String(i).padStart(2, '0')}`,
      addresses: [`240.1.${i}.10-240.1.${i}.249`],
      avoidBuggyIPs: i % 2 === 0,
      ...(fenced ? { serviceAllocation: { priority: (i % 4) + 1, namespaces: [`team-${i}`] } } : {}),
    });
  }
  for (let i = 0; i < 24; i++) {
    pools.push({
      name: `d-dual-${String(i).padStart(2, '0')}`,
      addresses: [`240.2.${i * 4}.0/22`, `2001:db8:1:${i.toString(16)}::/112`],
      ...(i < 4 ? { serviceAllocation: { serviceSelectors: [{ matchLabels: { tier: `t${i}` } }] } } : {}),
    });
  }
  return pools;
}

function churnRequest(i: number, generation: number): ServiceRequest {
  const kind = i % 10;
  const ns = `team-${i % 16}`;
  const base = { key: `${ns}/svc-${generation}-${i}`, namespace: ns, labels: { tier: `t${i % 6}` } };
  if (kind < 6) return { ...base, families: [4] };
  if (kind < 8) return { ...base, families: [6] };
  if (kind === 8) return { ...base, families: [4, 6], ipFamilyPolicy: 'RequireDualStack' };
  // Pairs of services share one address pair, as DNS over TCP and UDP does.
  return {
    ...base,
    families: [6, 4],
    ipFamilyPolicy: 'PreferDualStack',
    sharingKey: `dns-${Math.floor(i / 20)}`,
    ports: [{ protocol: i % 20 === 9 ? 'TCP' : 'UDP', port: 53 }],
  };
}

function benchChurn(): void {
  const N = 100_000;
  const heap0 = heapMB();
  const a = createAllocator({ config: { pools: churnPools() } });
  // Requests are built before the clock starts: turning Services into requests is the caller's work.
  let first: ServiceRequest[] | undefined = Array.from({ length: N }, (_, i) => churnRequest(i, 0));
  let second: ServiceRequest[] | undefined = Array.from({ length: N / 2 }, (_, i) => churnRequest(i, 1));
  const reqs0 = first;
  const reqs1 = second;
  let failed = 0;
  gc();
  const cpu0 = process.cpuUsage();
  const tAlloc = seconds(() => {
    for (let i = 0; i < N; i++) if (!a.allocate(reqs0[i] as ServiceRequest).ok) failed++;
  });
  const tRelease = seconds(() => {
    for (let i = 0; i < N; i += 2) a.release((reqs0[i] as ServiceRequest).key);
  });
  const tAgain = seconds(() => {
    for (let i = 0; i < N / 2; i++) if (!a.allocate(reqs1[i] as ServiceRequest).ok) failed++;
  });
  const cpu = process.cpuUsage(cpu0);
  // The allocator keeps what it needs of live requests; the bench's own arrays are dropped before measuring.
  first = undefined;
  second = undefined;
  reqs0.length = 0;
  reqs1.length = 0;
  const heap = heapMB() - heap0;
  const total = tAlloc + tRelease + tAgain;
  report({ bench: 'ipam.churn', metric: 'allocate_all_s', value: round(tAlloc), unit: 's', n: N });
  report({ bench: 'ipam.churn', metric: 'release_half_s', value: round(tRelease), unit: 's', n: N / 2 });
  report({ bench: 'ipam.churn', metric: 'allocate_again_s', value: round(tAgain), unit: 's', n: N / 2 });
  report({ bench: 'ipam.churn', metric: 'total_s', value: round(total), unit: 's', n: N });
  // CPU time of the three phases (all threads, garbage collection included): less sensitive than wall time to
  // other load on the machine.
  report({ bench: 'ipam.churn', metric: 'total_cpu_s', value: round((cpu.user + cpu.system) / 1e6), unit: 's', n: N });
  report({ bench: 'ipam.churn', metric: 'heap_mb', value: round(heap, 1), unit: 'MB', n: N });
  report({ bench: 'ipam.churn', metric: 'failed_allocations', value: failed, unit: 'count', n: N });
  const pools = churnPools();
  pools.splice(2, 1); // remove a fenced range pool in use
  const tPlan = seconds(() => a.plan({ pools }));
  report({ bench: 'ipam.churn', metric: 'plan_s', value: round(tPlan), unit: 's', n: N });
  const tExplain = seconds(() => {
    for (let i = 0; i < 1000; i++) a.explain(churnRequest(i, 2));
  });
  report({
    bench: 'ipam.churn',
    metric: 'explain_us',
    value: round((tExplain / 1000) * 1e6, 1),
    unit: 'us/op',
    n: 1000,
  });
}

// ----- 2. growth in one IPv6 /48 ----------------------------------------------------------------------------

const P48 = '2001:db8:ab::/48';
const BASE48 = parseIp('2001:db8:ab::').value;

function fmt6(v: bigint): string {
  const hex = v.toString(16).padStart(32, '0');
  const groups: string[] = [];
  for (let i = 0; i < 32; i += 4) groups.push(hex.slice(i, i + 4));
  return groups.join(':');
}

function single6(key: string, extra: Partial<ServiceRequest> = {}): ServiceRequest {
  return { key, namespace: 'bench', families: [6] as IpFamily[], ...extra };
}

/** A deterministic pseudo-random sequence (benchmarks may use Math.random, but repeatable runs are nicer). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function benchGrowth(): void {
  for (const n of [1_000, 10_000, 100_000, 1_000_000]) {
    const heap0 = heapMB();
    const a = createAllocator({ config: { pools: [{ name: 'p48', addresses: [P48] }] } });
    // Scatter: every other address, so n services form n separate runs.
    const tFill = seconds(() => {
      for (let i = 0; i < n; i++) a.allocate(single6(`bench/s${i}`, { requestedIPs: [fmt6(BASE48 + BigInt(i) * 2n)] }));
    });
    const heap = heapMB() - heap0;
    const rand = lcg(n);
    const ops = 5_000;
    // Automatic allocation + release of a fresh service (first-free search over the tree).
    const tAuto = bestOf(() => {
      for (let i = 0; i < ops; i++) {
        a.allocate(single6('bench/probe'));
        a.release('bench/probe');
      }
    });
    // Requested allocation + release at random spots (address → pool search, tree insert/delete with merges).
    const spots = Array.from({ length: ops }, () => fmt6(BASE48 + BigInt(Math.floor(rand() * n)) * 2n + 1n));
    const tReq = bestOf(() => {
      for (let i = 0; i < ops; i++) {
        a.allocate(single6('bench/probe', { requestedIPs: [spots[i] as string] }));
        a.release('bench/probe');
      }
    });
    const keys = Array.from({ length: ops }, () => `bench/s${Math.floor(rand() * n)}`);
    const tLookup = bestOf(() => {
      for (let i = 0; i < ops; i++) a.lookup(keys[i] as string);
    });
    const owned = Array.from({ length: ops }, () => fmt6(BASE48 + BigInt(Math.floor(rand() * n)) * 2n));
    const tOwners = bestOf(() => {
      for (let i = 0; i < ops; i++) a.owners(owned[i] as string);
    });
    // The tree alone (no maps, no request handling): first-free search, insert and delete at random spots.
    const tree = new IntervalSet();
    for (let i = 0; i < n; i++) tree.add(BASE48 + BigInt(i) * 2n);
    const holes = Array.from({ length: ops }, () => BASE48 + BigInt(Math.floor(rand() * n)) * 2n + 1n);
    const tTree = bestOf(() => {
      for (let i = 0; i < ops; i++) {
        const h = holes[i] as bigint;
        tree.firstFree(h - 1n, h + 10n);
        tree.add(h);
        tree.delete(h);
      }
    });
    report({
      bench: 'ipam.growth_v6_48',
      metric: 'tree_search_add_delete_us',
      value: round((tTree / ops) * 1e6, 3),
      unit: 'us/op',
      n,
    });
    const per = (s: number): number => round((s / ops) * 1e6, 2);
    report({ bench: 'ipam.growth_v6_48', metric: 'auto_alloc_release_us', value: per(tAuto), unit: 'us/op', n });
    report({ bench: 'ipam.growth_v6_48', metric: 'requested_alloc_release_us', value: per(tReq), unit: 'us/op', n });
    report({ bench: 'ipam.growth_v6_48', metric: 'lookup_key_us', value: per(tLookup), unit: 'us/op', n });
    report({ bench: 'ipam.growth_v6_48', metric: 'owners_ip_us', value: per(tOwners), unit: 'us/op', n });
    report({ bench: 'ipam.growth_v6_48', metric: 'fill_us', value: round((tFill / n) * 1e6, 2), unit: 'us/op', n });
    report({ bench: 'ipam.growth_v6_48', metric: 'heap_mb', value: round(heap, 1), unit: 'MB', n });
    report({
      bench: 'ipam.growth_v6_48',
      metric: 'heap_bytes_per_service',
      value: Math.round((heap * 1e6) / n),
      unit: 'B',
      n,
    });
  }
}

// ----- 3. ours against a naive first-free linear scan -------------------------------------------------------

/** MetalLB's way: walk the pool from its first address and take the first one nobody holds. */
class LinearScanPool {
  private readonly used = new Map<bigint, string>();
  private readonly first: bigint;
  private readonly last: bigint;
  constructor(first: bigint, last: bigint) {
    this.first = first;
    this.last = last;
  }
  allocate(key: string): bigint | undefined {
    for (let v = this.first; v <= this.last; v++) {
      if (!this.used.has(v)) {
        this.used.set(v, key);
        return v;
      }
    }
    return undefined;
  }
  release(v: bigint): void {
    this.used.delete(v);
  }
  /** Marks an address taken without a search (filling the baseline by scanning would be quadratic). */
  take(v: bigint, key: string): void {
    this.used.set(v, key);
  }
}

function benchVersus(): void {
  const n = 100_000;
  const ours = createAllocator({ config: { pools: [{ name: 'p', addresses: ['2001:db8:cd::/64'] }] } });
  for (let i = 0; i < n; i++) ours.allocate(single6(`bench/s${i}`));
  const first = parseIp('2001:db8:cd::').value;
  const naive = new LinearScanPool(first, first + (1n << 64n) - 1n);
  for (let i = 0; i < n; i++) naive.take(first + BigInt(i), `bench/s${i}`);
  // Each iteration takes the next free address (the 100,001st) and gives it back, so the state is constant.
  const oursOps = 20_000;
  const tOurs = bestOf(() => {
    for (let i = 0; i < oursOps; i++) {
      ours.allocate(single6('bench/probe'));
      ours.release('bench/probe');
    }
  });
  const naiveOps = 20;
  const tNaive = bestOf(() => {
    for (let i = 0; i < naiveOps; i++) {
      const v = naive.allocate('bench/probe');
      if (v !== undefined) naive.release(v);
    }
  });
  const oursUs = (tOurs / oursOps) * 1e6;
  const naiveUs = (tNaive / naiveOps) * 1e6;
  report({
    bench: 'ipam.allocate_at_100k',
    metric: 'alloc_release_us',
    value: round(oursUs, 2),
    unit: 'us/op',
    n,
    baseline: 'linear-first-free',
    baseline_value: round(naiveUs, 1),
    ratio: round(oursUs / naiveUs, 5),
  });
}

function round(v: number, digits = 3): number {
  return roundTo(v, digits);
}

const machine = machineInfo();
const load = machine.loadavg1m.toFixed(1);
reporter.emit({
  bench: 'machine',
  metric: 'info',
  value: machine.cores,
  unit: 'cores',
  n: 1,
  node: machine.node,
  cpu: machine.cpu,
  loadavg_1m: Number(load),
});
reporter.header('@lbkit/ipam benchmarks', `load average ${load} at start\n`);
// `--only=churn,versus,growth` runs a subset.
const only = reporter.list('only');
const wanted = (name: string): boolean => only === undefined || only.includes(name);
if (wanted('churn')) benchChurn();
if (wanted('versus')) benchVersus();
if (wanted('growth')) benchGrowth();
reporter.table(
  [
    { title: 'bench', width: 'auto', cell: (f) => f.bench },
    { title: 'metric', width: 'auto', cell: (f) => f.metric },
    { title: 'n', width: 'auto', cell: (f) => f.n },
    { title: 'value', width: 'auto', cell: (f) => `${f.value} ${f.unit}` },
    {
      title: 'baseline',
      width: 'auto',
      cell: (f) => (f.baseline === undefined ? '' : `${f.baseline} ${f.baseline_value} ${f.unit}, ratio ${f.ratio}`),
    },
  ],
  { separator: '  ', figures: reporter.figures.filter((f) => f.bench !== 'machine') },
);
