// Layer 2 failover of the reference binary against keepalived, as a client sees it (issue #12). Needs root
// (network namespaces), keepalived and tcpdump. The lab and the measurement are test/e2e/failover-lab.ts, the
// same code the end-to-end test runs.
//
//   npm run bench -w lbkit                    # table, 20 trials per scenario (about 10 minutes)
//   npm run bench -w lbkit -- --trials 5      # quicker
//   npm run bench -w lbkit -- --json          # JSON lines only
//
// Scenarios: lbkit `aggressive` and `default` profiles (SIGKILL of the owner's speaker, a cut of the owner's
// link, a graceful stop), then keepalived VRRPv3 at advert_int 0.1 and 1 (SIGKILL of the master's keepalived, a
// cut of the master's link). The outage of a trial runs from the failure to the end of the first successful
// request answered by another node, with a fresh connection every 10 ms.
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import type { ProfileName } from '@lbkit/election';
import { BenchReporter, hasProgram, roundTo } from '@lbkit/testkit';
import {
  FailoverLab,
  PROBE_INTERVAL_MS,
  PROBE_TIMEOUT_MS,
  percentile,
  summarize,
  type Failure,
  type ScenarioResult,
} from '../test/e2e/failover-lab.js';

const report = new BenchReporter();
const { emit, say } = report;
const TRIALS = report.number('trials', 20);
if (!Number.isInteger(TRIALS) || TRIALS < 1) throw new Error('--trials: expected a positive integer');
const round = (v: number, d = 1): number => roundTo(v, d);
const load = (): string =>
  loadavg()
    .map((v) => v.toFixed(2))
    .join(' ');

const missing = ['ip', 'keepalived', 'tcpdump'].filter((p) => !hasProgram(p));
if (process.getuid?.() !== 0 || process.platform !== 'linux' || missing.length > 0) {
  const why =
    missing.length > 0
      ? `needs ${missing.join(', ')} on PATH`
      : 'needs root on Linux (network namespaces, raw sockets)';
  process.stderr.write(`failover bench: not run: ${why}\n`);
  process.exit(1);
}

/** keepalived prints its version on stderr. */
const keepalivedVersion = (): string => {
  const r = spawnSync('keepalived', ['--version'], { encoding: 'utf8' });
  return `${r.stderr}${r.stdout}`.split('\n')[0]?.trim() || 'keepalived (unknown version)';
};

report.header('lbkit layer 2 failover benchmark', keepalivedVersion());
say(
  `probe: a new TCP connection with one HTTP GET every ${PROBE_INTERVAL_MS} ms, ${PROBE_TIMEOUT_MS} ms deadline each; ${TRIALS} trials per scenario`,
);
say(`load average before: ${load()}`);

const lab = await FailoverLab.create({ tag: 'l2bench', progress: (m) => process.stderr.write(`${m}\n`) });
const results = new Map<string, ScenarioResult>();
try {
  const scenario = async (failure: Failure): Promise<void> => {
    const r = await lab.run(failure, TRIALS);
    results.set(r.name, r);
  };
  for (const profile of ['aggressive', 'default'] as const satisfies readonly ProfileName[]) {
    await lab.use({ kind: 'lbkit', profile });
    for (const failure of ['sigkill', 'linkcut', 'sigterm'] as const) await scenario(failure);
  }
  for (const advertInt of [0.1, 1]) {
    await lab.use({ kind: 'keepalived', advertInt });
    for (const failure of ['sigkill', 'linkcut'] as const) await scenario(failure);
  }
} finally {
  await lab.destroy();
}

const outages = (name: string): number[] => results.get(name)?.trials.map((x) => x.outageMs) ?? [];
if (!report.json) {
  const head = ['scenario', 'n', 'p50 ms', 'p99 ms', 'max ms', 'to ARP p50', 'failed/trial'];
  const table = [...results.values()].map((r) => {
    const s = summarize(r.trials.map((x) => x.outageMs));
    const arp = r.trials.flatMap((x) => (x.arpMs === undefined ? [] : [x.arpMs]));
    const failed = r.trials.reduce((a, x) => a + x.failedUntilStable, 0) / r.trials.length;
    return [
      `${r.name} (${r.victim} -> ${[...new Set(r.trials.map((x) => x.to))].join('/')})`,
      String(s.n),
      s.p50.toFixed(1),
      s.p99.toFixed(1),
      s.max.toFixed(1),
      arp.length === 0 ? '-' : percentile(arp, 50).toFixed(1),
      failed.toFixed(1),
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...table.map((r) => (r[i] as string).length)));
  for (const r of [head, ...table])
    console.log(
      r.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  '),
    );
  console.log('("to ARP": from the failure to the new owner\'s first ARP frame at the client)');
}

for (const [profile, advertInt] of [
  ['aggressive', 0.1],
  ['default', 1],
] as const) {
  for (const failure of ['sigkill', 'linkcut'] as const) {
    const ours = outages(`lbkit ${profile} ${failure}`);
    const theirs = outages(`keepalived advert_int ${advertInt} ${failure}`);
    for (const p of [50, 99] as const) {
      const value = round(percentile(ours, p));
      const base = round(percentile(theirs, p));
      emit({
        bench: 'failover',
        metric: `${failure}_p${p}_${profile}`,
        value,
        unit: 'ms',
        n: ours.length,
        baseline: `keepalived advert_int ${advertInt}`,
        baseline_value: base,
        ratio: round(value / base, 3),
      });
    }
  }
  const graceful = results.get(`lbkit ${profile} sigterm`)?.trials ?? [];
  const moves = graceful.map((x) => x.outageMs);
  emit({
    bench: 'failover',
    metric: `graceful_p50_${profile}`,
    value: round(percentile(moves, 50)),
    unit: 'ms',
    n: moves.length,
  });
  emit({
    bench: 'failover',
    metric: `graceful_p99_${profile}`,
    value: round(percentile(moves, 99)),
    unit: 'ms',
    n: moves.length,
  });
  emit({
    bench: 'failover',
    metric: `graceful_failed_requests_${profile}`,
    value: graceful.reduce((a, x) => a + x.failedUntilStable, 0),
    unit: 'requests',
    n: graceful.length,
  });
}
if (!report.json) {
  console.log('\nours / keepalived (lower is better):');
  for (const r of report.figures.filter((x) => x.ratio !== undefined))
    console.log(
      `  ${r.metric.padEnd(22)} ${String(r.value).padStart(8)} ms vs ${r.baseline} ${String(r.baseline_value).padStart(8)} ms = ${r.ratio}` +
        (r.metric === 'sigkill_p99_aggressive' ? '  <- headline' : ''),
    );
  console.log(`load average after: ${load()}`);
}
