import t from 'tap';
import { run } from '@lbkit/testkit';
import { Lab, privilegedSkipWith } from '@lbkit/testkit';
import { FrrBfdd, IpBatch, percentile } from '../fixtures/peers.js';
import { RunnerClient } from '../fixtures/runner-client.js';

// Trials per failure kind; CI runs 10 SIGKILLs and 10 link cuts (20 detections); BFD_TRIALS=20 for more.
const TRIALS = Number(process.env['BFD_TRIALS'] ?? 10);
const US = '192.0.2.1';
const PEER = '192.0.2.2';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
type Tap = { teardown(fn: () => unknown): void };

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
  t: Tap,
  frr: { rx: number; tx: number; mult: number; passive?: boolean },
  ours: { tx: number; rx: number; mult: number; passive?: boolean },
) {
  const lab = Lab.create({ tag: 'bfdfrr' }, t);
  const us = await lab.namespace('us');
  const peer = await lab.namespace('frr');
  await lab.link(us, 'eth0', peer, 'eth0', { addressA: `${US}/24`, addressB: `${PEER}/24` });
  const runner = new RunnerClient(us);
  t.teardown(() => runner.stop());
  const bfdd = new FrrBfdd(peer, frrConfig(frr));
  t.teardown(async () => {
    await bfdd.kill();
    bfdd.cleanup();
  });
  await runner.start();
  await runner.add('s', {
    peerAddress: PEER,
    localAddress: US,
    transmitIntervalMs: ours.tx,
    receiveIntervalMs: ours.rx,
    detectMultiplier: ours.mult,
    passiveMode: ours.passive === true,
  });
  await bfdd.start();
  return { runner, bfdd, peer };
}

t.test(
  'FRR bfdd: Up, and SIGKILL / link cut detected within multiplier × interval + 50 ms',
  { skip: privilegedSkipWith('vtysh', '/usr/lib/frr/bfdd') },
  async (t) => {
    const { runner, bfdd, peer } = await setup(t, { rx: 100, tx: 100, mult: 3 }, { tx: 100, rx: 100, mult: 3 });
    await runner.waitState('s', 'Up', 10_000);
    t.equal(await bfdd.waitStatus('up', 3000), 'up', 'bfdd sees the session up');
    await sleep(300);
    t.match(
      await bfdd.peers(),
      [{ peer: US, status: 'up', 'transmit-interval': 100, 'remote-transmit-interval': 100 }],
      'bfdd sees the session up at 100 ms',
    );
    const budget = 3 * 100 + 50;
    const kills: number[] = [];
    for (let i = 0; i < TRIALS; i++) {
      await sleep(200 + Math.random() * 200);
      const from = runner.messages.length;
      const at = Date.now();
      await bfdd.kill();
      const down = await runner.waitState('s', 'Down', 3000, from);
      t.match(down.change, { diag: 'control-detection-time-expired', failure: true }, `kill ${i}: detection timeout`);
      kills.push(down.change.at - at);
      const upFrom = runner.messages.length;
      await bfdd.start();
      await runner.waitState('s', 'Up', 10_000, upFrom);
    }
    const cuts: number[] = [];
    const ip = new IpBatch(peer);
    t.teardown(() => ip.close());
    for (let i = 0; i < TRIALS; i++) {
      await sleep(200 + Math.random() * 200);
      const from = runner.messages.length;
      const at = Date.now();
      ip.command('link set eth0 down');
      const down = await runner.waitState('s', 'Down', 3000, from);
      cuts.push(down.change.at - at);
      const upFrom = runner.messages.length;
      ip.command('link set eth0 up');
      await runner.waitState('s', 'Up', 10_000, upFrom);
    }
    const all = [...kills, ...cuts];
    t.comment(
      `FRR SIGKILL detection over ${kills.length} trials: p50 ${percentile(kills, 50)} ms, p99 ${percentile(kills, 99)} ms, max ${Math.max(...kills)} ms`,
    );
    t.comment(
      `FRR link-cut detection over ${cuts.length} trials: p50 ${percentile(cuts, 50)} ms, p99 ${percentile(cuts, 99)} ms, max ${Math.max(...cuts)} ms`,
    );
    t.ok(Math.max(...all) <= budget, `every detection within ${budget} ms (max ${Math.max(...all)} ms)`);
    t.ok(Math.min(...all) >= 0, 'no detection before the failure');
  },
);

t.test(
  "FRR bfdd: the slower side's intervals win in both directions",
  { skip: privilegedSkipWith('vtysh', '/usr/lib/frr/bfdd') },
  async (t) => {
    const { runner, bfdd } = await setup(t, { rx: 300, tx: 300, mult: 3 }, { tx: 100, rx: 100, mult: 3 });
    await runner.waitState('s', 'Up', 10_000);
    t.equal(await bfdd.waitStatus('up', 3000), 'up', 'bfdd sees the session up');
    await sleep(500);
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
    await runner.waitState('s', 'Up', 10_000);
    t.equal(await bfdd.waitStatus('up', 3000), 'up', 'bfdd sees the session up');
    await sleep(300);
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
    await runner.waitState('s', 'Up', 10_000);
    t.equal(await bfdd.waitStatus('up', 3000), 'up', 'bfdd sees the session up');
    await sleep(300);
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
