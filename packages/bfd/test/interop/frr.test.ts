import t from 'tap';
import { privilegedSkipWith, run } from '@lbkit/testkit';
import { checkDetections, detectionTrials, peerLab, sleep, type Teardown } from '../fixtures/labs.js';
import { FrrBfdd } from '../fixtures/peers.js';
import type { RunnerClient } from '../fixtures/runner-client.js';

// Trials per failure kind; CI runs 10 SIGKILLs and 10 link cuts (20 detections); BFD_TRIALS=20 for more.
const TRIALS = Number(process.env['BFD_TRIALS'] ?? 10);
const US = '192.0.2.1';
const PEER = '192.0.2.2';

function frrConfig(o: { rx: number; tx: number; mult: number; passive?: boolean }): string {
  return [
    'bfd',
    ` peer ${US} local-address ${PEER}`,
    `  receive-interval ${o.rx}`,
    `  transmit-interval ${o.tx}`,
    `  detect-multiplier ${o.mult}`,
    ...(o.passive === true ? ['  passive-mode'] : []),
    ' !',
    '!',
    '',
  ].join('\n');
}

async function setup(
  t: Teardown,
  frr: { rx: number; tx: number; mult: number; passive?: boolean },
  ours: { tx: number; rx: number; mult: number; passive?: boolean },
) {
  const { runner, daemon, peerNs } = await peerLab(t, {
    tag: 'bfdfrr',
    peerName: 'frr',
    us: US,
    peer: PEER,
    session: {
      transmitIntervalMs: ours.tx,
      receiveIntervalMs: ours.rx,
      detectMultiplier: ours.mult,
      passiveMode: ours.passive === true,
    },
    daemon: (ns) => new FrrBfdd(ns, frrConfig(frr)),
  });
  return { runner, bfdd: daemon, peer: peerNs };
}

/** Waits for the session to come Up at both ends, then gives FRR `settleMs` to settle its intervals. */
async function upOnBothSides(
  t: { equal(found: unknown, wanted: unknown, message: string): unknown },
  runner: RunnerClient,
  bfdd: FrrBfdd,
  settleMs: number,
): Promise<void> {
  await runner.waitState('s', 'Up', 10_000);
  t.equal(await bfdd.waitStatus('up', 3000), 'up', 'bfdd sees the session up');
  await sleep(settleMs);
}

t.test(
  'FRR bfdd: Up, and SIGKILL / link cut detected within multiplier × interval + 50 ms',
  { skip: privilegedSkipWith('vtysh', '/usr/lib/frr/bfdd') },
  async (t) => {
    const { runner, bfdd, peer } = await setup(t, { rx: 100, tx: 100, mult: 3 }, { tx: 100, rx: 100, mult: 3 });
    await upOnBothSides(t, runner, bfdd, 300);
    t.match(
      await bfdd.peers(),
      [{ peer: US, status: 'up', 'transmit-interval': 100, 'remote-transmit-interval': 100 }],
      'bfdd sees the session up at 100 ms',
    );
    const budget = 3 * 100 + 50;
    checkDetections(t, 'FRR', await detectionTrials(t, runner, bfdd, peer, TRIALS), budget);
  },
);

t.test(
  "FRR bfdd: the slower side's intervals win in both directions",
  { skip: privilegedSkipWith('vtysh', '/usr/lib/frr/bfdd') },
  async (t) => {
    const { runner, bfdd } = await setup(t, { rx: 300, tx: 300, mult: 3 }, { tx: 100, rx: 100, mult: 3 });
    await upOnBothSides(t, runner, bfdd, 500);
    const st = (await runner.stats()).stats.sessionStats[0]!;
    t.equal(st.transmitIntervalMs, 300, "we send at FRR's Required Min RX of 300 ms");
    t.equal(st.detectionTimeMs, 900, "we detect in 3 × FRR's 300 ms");
    t.match(await bfdd.peers(), [{ status: 'up', 'transmit-interval': 300 }]);
  },
);

t.test(
  'FRR bfdd: a poll sequence from FRR (interval change while Up) keeps the session Up',
  { skip: privilegedSkipWith('vtysh', '/usr/lib/frr/bfdd') },
  async (t) => {
    const { runner, bfdd } = await setup(t, { rx: 100, tx: 100, mult: 3 }, { tx: 100, rx: 100, mult: 3 });
    await upOnBothSides(t, runner, bfdd, 300);
    await run('vtysh', [
      '--vty_socket',
      bfdd.dir,
      '-c',
      'configure terminal',
      '-c',
      'bfd',
      '-c',
      `peer ${US} local-address ${PEER}`,
      '-c',
      'receive-interval 250',
      '-c',
      'transmit-interval 200',
    ]);
    await sleep(1500);
    const st = (await runner.stats()).stats.sessionStats[0]!;
    t.equal(st.transmitIntervalMs, 250, "we slowed to FRR's new Required Min RX");
    t.equal(st.detectionTimeMs, 600, "detection follows FRR's new Desired Min TX");
    t.equal(runner.states('s').filter((s) => s.change.to === 'Down').length, 0, 'no flap during the poll');
  },
);

t.test(
  'FRR bfdd passive-mode: we start the session; we passive: FRR starts it',
  { skip: privilegedSkipWith('vtysh', '/usr/lib/frr/bfdd') },
  async (t) => {
    t.test('FRR passive, us active', async (t) => {
      const { runner } = await setup(t, { rx: 100, tx: 100, mult: 3, passive: true }, { tx: 100, rx: 100, mult: 3 });
      t.match(await runner.waitState('s', 'Up', 10_000), { change: { to: 'Up', up: true } }, 'runner s Up');
    });
    t.test('us passive, FRR active', async (t) => {
      const { runner } = await setup(t, { rx: 100, tx: 100, mult: 3 }, { tx: 100, rx: 100, mult: 3, passive: true });
      t.match(await runner.waitState('s', 'Up', 10_000), { change: { to: 'Up', up: true } }, 'runner s Up');
    });
  },
);

t.test(
  'FRR bfdd: our own poll sequence (we slow down while Up) is acknowledged and keeps the session Up',
  { skip: privilegedSkipWith('vtysh', '/usr/lib/frr/bfdd') },
  async (t) => {
    const { runner, bfdd } = await setup(t, { rx: 100, tx: 100, mult: 3 }, { tx: 100, rx: 100, mult: 3 });
    await upOnBothSides(t, runner, bfdd, 300);
    runner.send({ cmd: 'timers', id: 's', timers: { transmitIntervalMs: 400, receiveIntervalMs: 200 } });
    await sleep(1500);
    const [p] = await bfdd.peers();
    t.match(
      p,
      { status: 'up', 'remote-transmit-interval': 400, 'remote-receive-interval': 200 },
      'FRR took our new Desired Min TX and Required Min RX',
    );
    const st = (await runner.stats()).stats.sessionStats[0]!;
    t.equal(st.transmitIntervalMs, 400, 'we send at the slower rate after the Final');
    t.equal(runner.states('s').filter((s) => s.change.to === 'Down').length, 0, 'no flap during the poll');
  },
);
