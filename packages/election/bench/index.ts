// Election benchmark: our profiles against memberlist's LAN defaults (as MetalLB runs them) under the same
// simulated scenarios, in one process, one after the other. Human table by default; `-- --json` prints one
// JSON object per line and nothing else. `-- --full` runs the reference's full soak durations (§4.6: 10 h at
// 3 nodes, 1 h at 100 nodes), which take much longer than the default run.
import { BenchReporter, roundTo, type BenchFigure } from '@lbkit/testkit';
import { OwnerTable, type ProfileName } from '../src/index.js';
import { SimCluster, quantile, runKillTrials } from '../src/testing/index.js';

const report = new BenchReporter();
const { emit, say } = report;
const full = report.flag('full');
const netns = report.flag('netns');
const round = (x: number, d = 1): number => roundTo(x, d);

report.header('# @lbkit/election benchmark', ...(full ? ['full soak durations'] : []));
say('All figures come from the deterministic simulator (0.5 ms ± 0.2 ms links) unless marked otherwise.\n');

// 1. Detection and takeover, ours against memberlist-lan.
say('## Crash of an IP owner: detection at its standby, and fast takeover (1,000 IPs)');
say('`default-swim-only` is the default profile with the fast path off: SWIM alone moves the IPs.');
say('| nodes | profile | trials | detection p50 | detection p99 | takeover p50 | takeover p99 |');
say('|---|---|---|---|---|---|---|');
const detect = new Map<string, { p50: number; p99: number; n: number }>();
for (const size of [3, 10, 100]) {
  const trials = size === 100 ? (full ? 20 : 5) : size === 10 ? 20 : 30;
  const variants: Array<{ label: string; profile: ProfileName; swimOnly?: boolean }> = [
    { label: 'memberlist-lan', profile: 'memberlist-lan' },
    { label: 'default', profile: 'default' },
    { label: 'default-swim-only', profile: 'default', swimOnly: true },
    { label: 'aggressive', profile: 'aggressive' },
  ];
  for (const v of variants) {
    const profile = v.label;
    if (size === 100 && v.label === 'aggressive' && !full) continue;
    const c = await SimCluster.create({
      seed: 1000 + size,
      size,
      ips: 1000,
      profile: v.profile,
      ...(v.swimOnly === true ? { overrides: { takeoverIntervalMs: 0 } } : {}),
    });
    const r = await runKillTrials(c, { trials, settleMs: size === 100 ? 1500 : 2500, limitMs: 40_000 });
    const d = { p50: quantile(r.detection, 0.5), p99: quantile(r.detection, 0.99), n: r.detection.length };
    detect.set(`${profile}/${size}`, d);
    const tk = { p50: quantile(r.takeover, 0.5), p99: quantile(r.takeover, 0.99) };
    say(
      `| ${size} | ${profile} | ${trials} | ${round(d.p50 / 1000, 2)} s | ${round(d.p99 / 1000, 2)} s | ${round(tk.p50)} ms | ${round(tk.p99)} ms |`,
    );
    const base = detect.get(`memberlist-lan/${size}`);
    for (const q of ['p50', 'p99'] as const) {
      const row: BenchFigure = {
        bench: `election.detection.n${size}`,
        metric: `${profile}_${q}_s`,
        value: round(d[q] / 1000, 3),
        unit: 's',
        n: d.n,
      };
      if (profile !== 'memberlist-lan' && base !== undefined)
        Object.assign(row, {
          baseline: 'memberlist-lan',
          baseline_value: round(base[q] / 1000, 3),
          ratio: round(d[q] / base[q], 3),
        });
      emit(row);
    }
    emit({
      bench: `election.takeover.n${size}`,
      metric: `${profile}_p50_ms`,
      value: round(tk.p50),
      unit: 'ms',
      n: r.takeover.length,
    });
    emit({
      bench: `election.takeover.n${size}`,
      metric: `${profile}_p99_ms`,
      value: round(tk.p99),
      unit: 'ms',
      n: r.takeover.length,
    });
  }
}
for (const size of [3, 10, 100]) {
  const ours = detect.get(`default/${size}`);
  const lan = detect.get(`memberlist-lan/${size}`);
  if (ours !== undefined && lan !== undefined)
    say(
      `ratio at ${size} nodes (default ÷ memberlist-lan): p50 ${round(ours.p50 / lan.p50, 2)}, p99 ${round(ours.p99 / lan.p99, 2)}`,
    );
}

// 2. False deaths under loss.
say('\n## False deaths under per-packet loss (all nodes healthy)');
say('| loss | nodes | simulated | profile | false deaths | suspicions | fast-path claims (released) |');
say('|---|---|---|---|---|---|---|');
const soaks: Array<{ size: number; hours: number }> = full
  ? [
      { size: 3, hours: 10 },
      { size: 100, hours: 1 },
    ]
  : [
      { size: 3, hours: 2 },
      { size: 10, hours: 0.25 },
    ];
for (const loss of [0.05, 0.1]) {
  for (const { size, hours } of soaks) {
    const results = new Map<string, number>();
    for (const profile of ['memberlist-lan', 'default'] as ProfileName[]) {
      const c = await SimCluster.create({ seed: 2000 + size + loss * 100, size, ips: 100, profile });
      c.runUntil(() => c.converged(), 30_000, 10);
      c.net.setDefaultLink({ loss });
      let deaths = 0;
      let suspicions = 0;
      let claims = 0;
      for (const m of c.members.values()) {
        m.on('member-dead', () => deaths++);
        m.on('member-suspect', () => suspicions++);
        m.on('claim', () => claims++);
      }
      c.run(hours * 3600_000);
      results.set(profile, deaths);
      say(
        `| ${loss * 100} % | ${size} | ${hours} h | ${profile} | ${deaths} | ${suspicions} | ${profile === 'memberlist-lan' ? '—' : claims} |`,
      );
      const row: BenchFigure = {
        bench: `election.false_deaths.loss${loss * 100}.n${size}`,
        metric: `${profile}_deaths`,
        value: deaths,
        unit: 'count',
        n: Math.round(hours * 3600),
      };
      const base = results.get('memberlist-lan');
      if (profile !== 'memberlist-lan' && base !== undefined)
        Object.assign(row, {
          baseline: 'memberlist-lan',
          baseline_value: base,
          ratio: base === 0 ? (deaths === 0 ? 1 : Infinity) : round(deaths / base, 3),
        });
      emit(row);
      if (profile === 'default')
        emit({
          bench: `election.false_claims.loss${loss * 100}.n${size}`,
          metric: 'claims_per_hour',
          value: round(claims / hours),
          unit: 'count/h',
          n: Math.round(hours * 3600),
        });
    }
  }
}

// Real UDP across network namespaces (root only, opt-in: `-- --netns`): 30 SIGKILLs per profile.
if (netns) {
  const { setup, killTrials } = await import('../test/fixtures/netns-lab.js');
  say('\n## Real UDP across namespaces: 5 speaker processes, 30 SIGKILLs of the busiest owner per profile');
  say('| profile | takeover p50 | takeover p99 | detection p50 | detection p99 |');
  say('|---|---|---|---|---|');
  for (const [profile, slow] of [
    ['aggressive', 250],
    ['default', 400],
  ] as const) {
    const teardowns: Array<() => unknown> = [];
    const quiet = { comment: () => undefined, ok: () => true, teardown: (fn: () => unknown) => teardowns.push(fn) };
    try {
      const speakers = await setup(quiet, profile === 'aggressive' ? 'bnagg' : 'bndef', profile);
      const r = await killTrials(quiet, speakers, 30, profile, slow);
      say(
        `| ${profile} | ${round(quantile(r.takeover, 0.5))} ms | ${round(quantile(r.takeover, 0.99))} ms | ${round(quantile(r.detection, 0.5))} ms | ${round(quantile(r.detection, 0.99))} ms |`,
      );
      for (const [metric, xs] of [
        ['takeover', r.takeover],
        ['detection', r.detection],
      ] as const) {
        emit({
          bench: 'election.netns',
          metric: `${profile}_${metric}_p50_ms`,
          value: round(quantile(xs, 0.5)),
          unit: 'ms',
          n: xs.length,
        });
        emit({
          bench: 'election.netns',
          metric: `${profile}_${metric}_p99_ms`,
          value: round(quantile(xs, 0.99)),
          unit: 'ms',
          n: xs.length,
        });
      }
    } finally {
      for (const fn of teardowns.reverse()) await fn();
    }
  }
}

// 3. Cost at 100 nodes: packets per second per node, and CPU.
say('\n## Cost per node at 100 nodes (steady state, 30 simulated seconds)');
say(
  '| profile | fast path | IPs | packets/s sent per node | bytes/s per node | heartbeat peers | CPU per node (sim, upper bound) |',
);
say('|---|---|---|---|---|---|---|');
const cost = new Map<string, number>();
for (const [profile, takeover, ips] of [
  ['memberlist-lan', false, 1000],
  ['default', false, 1000],
  ['default', true, 1000],
  ['aggressive', true, 1000],
] as Array<[ProfileName, boolean, number]>) {
  const c = await SimCluster.create({
    seed: 3000,
    size: 100,
    ips,
    profile,
    ...(takeover ? {} : { overrides: { takeoverIntervalMs: 0 } }),
  });
  c.runUntil(() => c.converged(), 30_000, 10);
  c.run(5000);
  const before = [...c.members.values()].map((m) => m.stats());
  const cpu0 = process.cpuUsage();
  const seconds = 30;
  c.run(seconds * 1000);
  const cpu = process.cpuUsage(cpu0);
  const after = [...c.members.values()].map((m) => m.stats());
  const pkts = after.reduce((s, a, i) => s + a.packetsOut - (before[i]?.packetsOut ?? 0), 0) / 100 / seconds;
  const bytes = after.reduce((s, a, i) => s + a.bytesOut - (before[i]?.bytesOut ?? 0), 0) / 100 / seconds;
  const peers = after.reduce((s, a) => s + a.heartbeatPeers, 0) / 100;
  const cpuShare = (cpu.user + cpu.system) / 1000 / (100 * seconds * 1000);
  const label = `${profile}${takeover ? '+fast' : ''}`;
  cost.set(label, pkts);
  say(
    `| ${profile} | ${takeover ? 'on' : 'off'} | ${ips} | ${round(pkts)} | ${round(bytes)} | ${takeover ? round(peers, 1) : '—'} | ${round(cpuShare * 100, 2)} % of a core |`,
  );
  emit({
    bench: 'election.cost.n100',
    metric: `${label}_packets_per_s`,
    value: round(pkts),
    unit: 'packets/s',
    n: 100,
  });
  emit({
    bench: 'election.cost.n100',
    metric: `${label}_cpu_share`,
    value: round(cpuShare * 100, 3),
    unit: '% core',
    n: 100,
  });
  if (takeover)
    emit({
      bench: 'election.cost.n100',
      metric: `${label}_heartbeat_peers`,
      value: round(peers, 1),
      unit: 'peers',
      n: 100,
    });
}
say(
  `SWIM alone (default, fast path off): ${round(cost.get('default') ?? 0)} packets/s per node (target ≤ 60); the fast path adds ${round((cost.get('default+fast') ?? 0) - (cost.get('default') ?? 0))} packets/s with 1,000 IPs.`,
);
say(
  'CPU is measured over the whole simulation (network model included) divided by nodes and time, so it over-states a real node.',
);

// 4. Owner recomputation.
say('\n## Owner recomputation after a membership change (real time)');
const table = new OwnerTable();
table.setAddresses(Array.from({ length: 10_000 }, (_, i) => ({ ip: `240.1.${i >> 8}.${i & 255}` })));
const nodes = Array.from({ length: 100 }, (_, i) => `node-${i}`);
table.addNodes(nodes);
const alive = new Set(nodes);
const times: number[] = [];
for (let i = 0; i < 20; i++) {
  alive.delete(`node-${i}`);
  const t0 = performance.now();
  table.placeAll((n) => alive.has(n));
  times.push(performance.now() - t0);
}
say(
  `10,000 IPs, 100 nodes: median ${round(quantile(times, 0.5), 2)} ms, p99 ${round(quantile(times, 0.99), 2)} ms (target ≤ 20 ms)`,
);
emit({
  bench: 'election.owner_recompute',
  metric: 'median_ms',
  value: round(quantile(times, 0.5), 3),
  unit: 'ms',
  n: 10_000,
});
