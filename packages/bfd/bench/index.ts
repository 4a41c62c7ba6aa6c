// Benchmarks of @lbkit/bfd against BIRD 2 in network namespaces (needs root, bird2).
//
//   npm run bench -w @lbkit/bfd                 100 sessions at 50 ms × 3 for 60 s, then the stall comparison
//   npm run bench -w @lbkit/bfd -- --full       the same for 5 minutes (the issue's figure)
//   npm run bench -w @lbkit/bfd -- --json       JSON lines only (STYLE.md)
//   BFD_BENCH_SECONDS=N                         any other duration
//
// 1. soak: 100 sessions at 50 ms × 3 in one process (timers in the worker thread) against 100 neighbours
//    in one BIRD: flaps on both sides, CPU of our process and of BIRD over the same window, transmit
//    interval jitter (gap between periodic packets ÷ nominal interval) and worker timer lateness.
// 2. stall: 10 sessions at 100 ms × 3 while the main thread parses JSON for 250 ms every second, timers in the
//    worker thread and then on the main thread, for the same time: flaps of each.
import { readFileSync } from 'node:fs';
import { BenchReporter, Lab, machineInfo, roundTo as round } from '@lbkit/testkit';
import { addSessions, birdLab, sleep } from '../test/fixtures/labs.js';
import type { BirdPeer } from '../test/fixtures/peers.js';
import { RunnerClient } from '../test/fixtures/runner-client.js';

const report = new BenchReporter();
const { emit, say } = report;
const full = report.flag('full');
const SOAK_S = Number(process.env['BFD_BENCH_SECONDS'] ?? (full ? 300 : 60));
const STALL_S = Number(process.env['BFD_BENCH_STALL_SECONDS'] ?? (full ? 60 : 20));
// 250 ms: longer than the 200 ms of slack a 100 ms × 3 session has (detection time minus one interval), so
// timers on the main thread must miss; the test suite runs the issue's 150 ms against the worker.
const STALL_MS = Number(process.env['BFD_BENCH_STALL_MS'] ?? 250);
const BIRD_ADDR = '192.0.2.1';

/**
 * Runs `body` with `sessions` sessions Up between our runner (timers on `thread`) and one BIRD, at
 * `intervalMs` × 3, our addresses from 192.0.2.10; stops the runner and BIRD and removes the lab after.
 */
async function withBirdSessions<T>(
  tag: string,
  sessions: number,
  intervalMs: number,
  thread: 'worker' | 'main',
  body: (runner: RunnerClient, bird: BirdPeer, started: { transport: string }) => Promise<T>,
): Promise<T> {
  const lab = Lab.create({ tag });
  try {
    const ours = Array.from({ length: sessions }, (_, i) => `192.0.2.${10 + i}`);
    const { us, bird } = await birdLab(lab, { birdAddress: BIRD_ADDR, ours, intervalMs, multiplier: 3 });
    const runner = new RunnerClient(us);
    try {
      const started = await runner.start({ thread });
      await addSessions(runner, BIRD_ADDR, ours, intervalMs, 3);
      await bird.start();
      for (let i = 0; i < sessions; i++) await runner.waitState(`s${i}`, 'Up', 30_000);
      return await body(runner, bird, started);
    } finally {
      await runner.stop();
      await bird.kill();
      bird.cleanup();
    }
  } finally {
    await lab.destroy();
  }
}

async function soak(): Promise<void> {
  const SESSIONS = 100;
  await withBirdSessions('bfdbench', SESSIONS, 50, 'worker', async (runner, bird, started) => {
    await sleep(1000);
    const birdBefore = await bird.sessions();
    const s0 = await runner.stats();
    const birdCpu0 = bird.cpuSeconds();
    const from = runner.messages.length;
    const t0 = Date.now();
    say(`soak: ${SESSIONS} sessions at 50 ms × 3 against BIRD for ${SOAK_S} s (transport ${started.transport})…`);
    await sleep(SOAK_S * 1000);
    const s1 = await runner.stats();
    const birdCpu1 = bird.cpuSeconds();
    const wall = (Date.now() - t0) / 1000;
    const birdAfter = await bird.sessions();
    const downs = runner.messages
      .slice(from)
      .flatMap((m) => (m.type === 'state' && m.change.to === 'Down' ? [m.change] : []));
    const ourFlaps = downs.length;
    // Who noticed first: our detection timer (BIRD's packets were late) or BIRD (ours were late).
    const weDetected = downs.filter((c) => c.cause === 'detection-time-expired').length;
    const birdUp = birdAfter.filter((r) => r.state === 'Up').length;
    const birdSinceChanged = birdAfter.filter(
      (r) => birdBefore.find((b) => b.address === r.address)?.since !== r.since,
    ).length;
    const ourCpu = (s1.cpu.user + s1.cpu.system - (s0.cpu.user + s0.cpu.system)) / 1e6;
    const birdCpu = birdCpu1 - birdCpu0;
    const stats = s1.stats.sessionStats;
    const gaps = stats.map((s) => s.txGaps).filter((g) => g.n > 0);
    const gapN = gaps.reduce((a, g) => a + g.n, 0);
    const meanRatio = gaps.reduce((a, g) => a + g.meanRatio * g.n, 0) / gapN;
    const over = gaps.reduce((a, g) => a + g.over, 0);
    const late = stats.map((s) => s.timerLateness);
    const lateN = late.reduce((a, l) => a + l.n, 0);
    const txPackets =
      stats.reduce((a, s) => a + s.txPackets, 0) - s0.stats.sessionStats.reduce((a, s) => a + s.txPackets, 0);
    const b = 'bfd.soak-100x50ms';
    emit({ bench: b, metric: 'duration_s', value: round(wall, 1), unit: 's' });
    emit({ bench: b, metric: 'flaps_ours', value: ourFlaps, unit: 'count', n: SESSIONS });
    emit({ bench: b, metric: 'flaps_detected_by_us', value: weDetected, unit: 'count', n: SESSIONS });
    emit({ bench: b, metric: 'flaps_signalled_by_bird', value: ourFlaps - weDetected, unit: 'count', n: SESSIONS });
    emit({
      bench: b,
      metric: 'flaps_bird',
      value: birdSinceChanged + (SESSIONS - birdUp),
      unit: 'count',
      n: SESSIONS,
    });
    emit({
      bench: b,
      metric: 'cpu_percent',
      value: round((100 * ourCpu) / wall, 1),
      unit: '%',
      baseline: 'bird',
      baseline_value: round((100 * birdCpu) / wall, 1),
      ratio: round(ourCpu / Math.max(birdCpu, 0.001), 2),
    });
    emit({ bench: b, metric: 'tx_packets_per_s', value: round(txPackets / wall, 0), unit: '1/s', n: txPackets });
    emit({ bench: b, metric: 'tx_gap_mean_ratio', value: round(meanRatio, 3), unit: 'ratio', n: gapN });
    emit({
      bench: b,
      metric: 'tx_gap_min_ratio',
      value: round(Math.min(...gaps.map((g) => g.minRatio)), 3),
      unit: 'ratio',
      n: gapN,
    });
    emit({
      bench: b,
      metric: 'tx_gap_max_ratio',
      value: round(Math.max(...gaps.map((g) => g.maxRatio)), 3),
      unit: 'ratio',
      n: gapN,
    });
    emit({ bench: b, metric: 'tx_gap_over_nominal', value: round((100 * over) / gapN, 3), unit: '%', n: gapN });
    emit({
      bench: b,
      metric: 'timer_late_mean_ms',
      value: round(late.reduce((a, l) => a + l.meanMs * l.n, 0) / lateN, 2),
      unit: 'ms',
      n: lateN,
    });
    emit({
      bench: b,
      metric: 'timer_late_max_ms',
      value: round(Math.max(...late.map((l) => l.maxMs)), 1),
      unit: 'ms',
      n: lateN,
    });
    emit({
      bench: b,
      metric: 'timer_late_over_20ms',
      value: late.reduce((a, l) => a + l.over20, 0),
      unit: 'count',
      n: lateN,
    });
  });
}

async function stallRun(thread: 'worker' | 'main'): Promise<{ flaps: number; stalls: number; birdFlaps: number }> {
  return withBirdSessions('bfdbstall', 10, 100, thread, async (runner, bird) => {
    await sleep(500);
    const before = await bird.sessions();
    const from = runner.messages.length;
    runner.send({ cmd: 'stall', everyMs: 1000, forMs: STALL_MS, kind: 'json' });
    await sleep(STALL_S * 1000);
    const st = await runner.stats();
    const after = await bird.sessions();
    const flaps = runner.messages.slice(from).filter((m) => m.type === 'state' && m.change.to === 'Down').length;
    const birdFlaps = after.filter(
      (r) => r.state !== 'Up' || before.find((b) => b.address === r.address)?.since !== r.since,
    ).length;
    return { flaps, stalls: st.stalls, birdFlaps };
  });
}

async function stall(): Promise<void> {
  say(`stall: 10 sessions at 100 ms × 3, main thread stalled ${STALL_MS} ms every 1 s, ${STALL_S} s per run…`);
  const worker = await stallRun('worker');
  const main = await stallRun('main');
  const b = `bfd.stall-10x100ms-${STALL_MS}ms`;
  emit({
    bench: b,
    metric: 'flaps_worker',
    value: worker.flaps,
    unit: 'count',
    n: worker.stalls,
    baseline: 'main-thread',
    baseline_value: main.flaps,
  });
  emit({
    bench: b,
    metric: 'bird_sessions_flapped_worker',
    value: worker.birdFlaps,
    unit: 'count',
    n: 10,
    baseline: 'main-thread',
    baseline_value: main.birdFlaps,
  });
}

/** Share of time some task waited for a CPU over the last minute (Linux PSI), or undefined without PSI. */
function cpuPressure(): number | undefined {
  try {
    const m = /some avg10=[\d.]+ avg60=([\d.]+)/.exec(readFileSync('/proc/pressure/cpu', 'utf8'));
    return m === null ? undefined : Number(m[1]);
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) {
    process.stderr.write('the BFD benchmark needs root (network namespaces) and bird2\n');
    process.exit(1);
  }
  const machine = machineInfo();
  const pressure = cpuPressure();
  report.header(
    '@lbkit/bfd benchmark',
    `load average ${machine.loadavg1m.toFixed(1)}`,
    `CPU pressure ${pressure ?? '?'} % (PSI some avg60)`,
  );
  emit({ bench: 'machine', metric: 'cores', value: machine.cores, unit: 'count' });
  emit({ bench: 'machine', metric: 'loadavg_1m', value: round(machine.loadavg1m, 2), unit: 'load' });
  if (pressure !== undefined) emit({ bench: 'machine', metric: 'cpu_pressure_some_avg60', value: pressure, unit: '%' });
  await soak();
  if (!report.flag('no-stall')) await stall();
  say('');
  report.table(
    [
      { title: 'bench', width: 26, cell: (r) => r.bench },
      { title: 'metric', width: 31, cell: (r) => r.metric },
      { title: 'value', width: 13, cell: (r) => r.value },
      { title: 'unit', width: 7, cell: (r) => r.unit },
      { title: 'n', width: 8, cell: (r) => r.n },
      {
        title: 'baseline',
        cell: (r) =>
          r.baseline === undefined
            ? ''
            : `${r.baseline}: ${r.baseline_value}${r.ratio === undefined ? '' : ` (ratio ${r.ratio})`}`,
      },
    ],
    { figures: report.figures.filter((r) => r.bench !== 'machine') },
  );
}

await main();
