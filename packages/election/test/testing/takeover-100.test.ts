import t from 'tap';
import { SimCluster, runKillTrials, quantile } from '../../src/testing/index.js';

// The 100-node rows of the takeover and detection targets, with a CI-sized number of crashes (the benchmark
// runs more).
const rows = [
  { profile: 'default', trials: 4, seed: 201, takeoverP99: 400, detectP50: 1500, detectP99: 2500 },
  { profile: 'aggressive', trials: 4, seed: 202, takeoverP99: 200, detectP50: 1200, detectP99: 1200 },
] as const;

for (const row of rows) {
  t.test(`${row.profile}, 100 nodes, ${row.trials} crashes (seed ${row.seed})`, async (t) => {
    const c = await SimCluster.create({ seed: row.seed, size: 100, ips: 1000, profile: row.profile });
    const r = await runKillTrials(c, { trials: row.trials, settleMs: 1500 });
    const seed = `seed=${row.seed}`;
    t.comment(
      `takeover ${r.takeover.map((x) => x.toFixed(0)).join(', ')} ms; detection ${r.detection.map((x) => x.toFixed(0)).join(', ')} ms`,
    );
    t.equal(r.takeover.length, row.trials, `every trial completed (${seed})`);
    t.equal(r.orphaned, 0, `every IP was re-announced (${seed})`);
    t.ok(c.net.stats.maxBytes <= 1200, `largest packet ${c.net.stats.maxBytes} bytes ≤ 1,200 (${seed})`);
    t.ok(quantile(r.takeover, 0.99) <= row.takeoverP99, `takeover p99 ≤ ${row.takeoverP99} ms (${seed})`);
    t.ok(quantile(r.detection, 0.5) <= row.detectP50, `detection p50 ≤ ${row.detectP50} ms (${seed})`);
    t.ok(quantile(r.detection, 0.99) <= row.detectP99, `detection p99 ≤ ${row.detectP99} ms (${seed})`);
  });
}

t.test('SWIM alone, default profile, 100 nodes, 4 crashes (seed 203)', async (t) => {
  const c = await SimCluster.create({
    seed: 203,
    size: 100,
    ips: 200,
    profile: 'default',
    overrides: { takeoverIntervalMs: 0 },
  });
  const r = await runKillTrials(c, { trials: 4, settleMs: 1500 });
  t.comment(`detection ${r.detection.map((x) => x.toFixed(0)).join(', ')} ms`);
  t.equal(r.detection.length, 4, 'every crash detected (seed=203)');
  t.ok(quantile(r.detection, 0.5) <= 1500, 'detection p50 ≤ 1.5 s (seed=203)');
  t.ok(quantile(r.detection, 0.99) <= 2500, 'detection p99 ≤ 2.5 s (seed=203)');
});
