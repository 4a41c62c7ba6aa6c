import t from 'tap';
import { Lab, privilegedSkipWith } from '@lbkit/testkit';
import { addSessions, birdLab, sleep } from '../fixtures/labs.js';
import { RunnerClient } from '../fixtures/runner-client.js';

// The issue asks for 60 s; CI runs 20 s to stay within the package's time budget. BFD_STALL_SECONDS=60
// runs the full minute (the benchmark reports the longer soak).
const SECONDS = Number(process.env['BFD_STALL_SECONDS'] ?? 20);
const SESSIONS = 10;
const BIRD_ADDR = '192.0.2.1';
const ours = Array.from({ length: SESSIONS }, (_, i) => `192.0.2.${11 + i}`);

t.test(
  `main thread stalled 150 ms every second: ${SESSIONS} sessions at 100 ms × 3 against BIRD, zero flaps over ${SECONDS} s`,
  { skip: privilegedSkipWith('bird', 'birdc') },
  async (t) => {
    const lab = Lab.create({ tag: 'bfdstall' }, t);
    const { us, bird } = await birdLab(lab, { birdAddress: BIRD_ADDR, ours, intervalMs: 100, multiplier: 3 });
    const runner = new RunnerClient(us);
    t.teardown(async () => {
      await runner.stop();
      await bird.kill();
      bird.cleanup();
    });
    await runner.start({ thread: 'worker' });
    await addSessions(runner, BIRD_ADDR, ours, 100, 3);
    await bird.start();
    for (let i = 0; i < SESSIONS; i++) await runner.waitState(`s${i}`, 'Up', 15_000);
    await sleep(500);
    const before = await bird.sessions();
    t.equal(before.filter((r) => r.state === 'Up').length, SESSIONS, 'BIRD sees every session Up');
    const from = runner.messages.length;
    // JSON parsing for 150 ms each second: the main isolate also allocates and collects garbage meanwhile.
    runner.send({ cmd: 'stall', everyMs: 1000, forMs: 150, kind: 'json' });
    await sleep(SECONDS * 1000);
    const st = await runner.stats();
    const after = await bird.sessions();
    const changes = runner.messages.slice(from).filter((m) => m.type === 'state');
    t.ok(st.stalls >= SECONDS - 2, `the main thread stalled ${st.stalls} times`);
    t.same(changes, [], 'no state change on our side');
    t.equal(after.filter((r) => r.state === 'Up').length, SESSIONS, 'every session still Up at BIRD');
    t.same(
      after.map((r) => r.since).sort(),
      before.map((r) => r.since).sort(),
      'BIRD\'s "since" times unchanged: no flap there either',
    );
    const failures = st.stats.sessionStats.reduce((n, s) => n + s.failures, 0);
    t.equal(failures, 0);
    const worst = Math.max(...st.stats.sessionStats.map((s) => s.txGaps.maxRatio));
    const late = st.stats.sessionStats.map((s) => s.timerLateness);
    t.comment(
      `worker timer lateness: max ${Math.max(...late.map((l) => l.maxMs)).toFixed(1)} ms, mean ${(late.reduce((a, l) => a + l.meanMs, 0) / late.length).toFixed(2)} ms, >20 ms: ${late.reduce((a, l) => a + l.over20, 0)}, >50 ms: ${late.reduce((a, l) => a + l.over50, 0)} of ${late.reduce((a, l) => a + l.n, 0)}`,
    );
    t.comment(`worst transmit gap: ${worst.toFixed(2)} × the nominal interval (jitter keeps it ≤ 1.0 when on time)`);
  },
);
