import t from 'tap';
import { SimCluster, runKillTrials, quantile } from '../../src/testing/index.js';

// Crash an IP owner over and over in the simulator (1,000 IPs) and check the fast takeover and SWIM
// detection distributions. Every assertion names its seed, so a failure replays exactly.
const rows = [
  { profile: 'default', size: 3, trials: 30, seed: 101, takeoverP99: 400, detectP50: 1500, detectP99: 2500 },
  { profile: 'default', size: 10, trials: 20, seed: 102, takeoverP99: 400, detectP50: 1500, detectP99: 2500 },
  { profile: 'aggressive', size: 3, trials: 30, seed: 103, takeoverP99: 200, detectP50: 1200, detectP99: 1200 },
  { profile: 'aggressive', size: 10, trials: 20, seed: 104, takeoverP99: 200, detectP50: 1200, detectP99: 1200 },
] as const;

for (const row of rows) {
  t.test(`${row.profile}, ${row.size} nodes, ${row.trials} crashes (seed ${row.seed})`, async (t) => {
    const c = await SimCluster.create({ seed: row.seed, size: row.size, ips: 1000, profile: row.profile });
    const r = await runKillTrials(c, { trials: row.trials });
    const f = (xs: number[]) =>
      `p50 ${quantile(xs, 0.5).toFixed(0)} ms, p99 ${quantile(xs, 0.99).toFixed(0)} ms, max ${Math.max(...xs).toFixed(0)} ms (n=${xs.length})`;
    t.comment(`takeover: ${f(r.takeover)}`);
    t.comment(`detection at the standby: ${f(r.detection)}`);
    const seed = `seed=${row.seed}`;
    t.equal(r.takeover.length, row.trials, `every trial completed (${seed})`);
    t.equal(r.orphaned, 0, `every IP was re-announced (${seed})`);
    t.ok(quantile(r.takeover, 0.99) <= row.takeoverP99, `takeover p99 ≤ ${row.takeoverP99} ms (${seed})`);
    t.ok(quantile(r.detection, 0.5) <= row.detectP50, `detection p50 ≤ ${row.detectP50} ms (${seed})`);
    t.ok(quantile(r.detection, 0.99) <= row.detectP99, `detection p99 ≤ ${row.detectP99} ms (${seed})`);
    // The takeover must be the fast path, not SWIM: well under the suspicion floor.
    t.ok(Math.max(...r.takeover) < quantile(r.detection, 0.5), `takeover beats detection (${seed})`);
  });
}

// SWIM alone (fast path off): the detection targets must hold without the head start a standby's claim gives
// the suspicion.
for (const row of [
  { size: 3, trials: 30, seed: 111 },
  { size: 10, trials: 20, seed: 112 },
]) {
  t.test(`SWIM alone, default profile, ${row.size} nodes, ${row.trials} crashes (seed ${row.seed})`, async (t) => {
    const c = await SimCluster.create({
      seed: row.seed,
      size: row.size,
      ips: 200,
      profile: 'default',
      overrides: { takeoverIntervalMs: 0 },
    });
    const r = await runKillTrials(c, { trials: row.trials, settleMs: 1500 });
    const seed = `seed=${row.seed}`;
    t.comment(
      `detection p50 ${quantile(r.detection, 0.5).toFixed(0)} ms, p99 ${quantile(r.detection, 0.99).toFixed(0)} ms`,
    );
    t.equal(r.detection.length, row.trials, `every crash detected (${seed})`);
    t.ok(quantile(r.detection, 0.5) <= 1500, `detection p50 ≤ 1.5 s (${seed})`);
    t.ok(quantile(r.detection, 0.99) <= 2500, `detection p99 ≤ 2.5 s (${seed})`);
  });
}
