import t from 'tap';
import { privilegedSkipWith } from '@lbkit/testkit';
import { checkDetections, detectionTrials, peerLab, sleep, type Teardown } from '../fixtures/labs.js';
import { BirdPeer, birdBfdConfig } from '../fixtures/peers.js';

// Trials per failure kind; the figure is 20, CI runs 10 of each kind (20 detections per peer) to
// keep the package under its time budget. BFD_TRIALS=20 for the full count.
const TRIALS = Number(process.env['BFD_TRIALS'] ?? 10);
const INTERVAL = 100;
const MULT = 3;
const BUDGET = MULT * INTERVAL + 50;
const US = '192.0.2.1';
const PEER = '192.0.2.2';

async function setup(
  t: Teardown,
  auth?: {
    ours?: { type: 'meticulous-keyed-sha1'; keyId: number; secret: string };
    bird?: { type: string; password: string; keyId: number };
  },
) {
  const { runner, daemon, peerNs } = await peerLab(t, {
    tag: 'bfdbird',
    peerName: 'bird',
    us: US,
    peer: PEER,
    session: {
      transmitIntervalMs: INTERVAL,
      receiveIntervalMs: INTERVAL,
      detectMultiplier: MULT,
      ...(auth?.ours === undefined ? {} : { auth: auth.ours }),
    },
    daemon: (ns) =>
      new BirdPeer(
        ns,
        birdBfdConfig({
          routerId: PEER,
          iface: 'eth0',
          neighbors: [US],
          intervalMs: INTERVAL,
          multiplier: MULT,
          ...(auth?.bird === undefined ? {} : { auth: auth.bird }),
        }),
      ),
  });
  return { runner, bird: daemon, peer: peerNs };
}

t.test(
  'BIRD 2 bfd: Up, and SIGKILL / link cut detected within multiplier × interval + 50 ms',
  { skip: privilegedSkipWith('bird', 'birdc') },
  async (t) => {
    const { runner, bird, peer } = await setup(t);
    await runner.waitState('s', 'Up', 10_000);
    await bird.waitState('Up', 3000);
    const rows = await bird.sessions();
    t.match(
      rows,
      [{ address: US, state: 'Up', interval: '0.100', timeout: '0.300' }],
      'BIRD sees the session Up at 100 ms × 3',
    );

    checkDetections(t, 'BIRD', await detectionTrials(t, runner, bird, peer, TRIALS), BUDGET);
  },
);

t.test(
  'BIRD 2 bfd with meticulous keyed SHA-1: matching keys come Up, a mismatch stays Down',
  { skip: privilegedSkipWith('bird', 'birdc') },
  async (t) => {
    t.test('matching', async (t) => {
      const { runner, bird } = await setup(t, {
        ours: { type: 'meticulous-keyed-sha1', keyId: 5, secret: 'lbkit-secret' },
        bird: { type: 'meticulous keyed sha1', password: 'lbkit-secret', keyId: 5 },
      });
      await runner.waitState('s', 'Up', 10_000);
      t.equal(await bird.waitState('Up', 3000), 'Up', 'BIRD Up too');
    });
    t.test('mismatched secret', async (t) => {
      const { runner, bird } = await setup(t, {
        ours: { type: 'meticulous-keyed-sha1', keyId: 5, secret: 'lbkit-secret' },
        bird: { type: 'meticulous keyed sha1', password: 'other-secret', keyId: 5 },
      });
      await sleep(4000);
      t.same(runner.states('s'), [], 'our session never left Down');
      t.match(await bird.sessions(), [{ state: 'Down' }], 'BIRD stays Down too');
      const st = (await runner.stats()).stats.sessionStats[0]!;
      t.ok(
        (st.dropped['auth-digest-mismatch'] ?? 0) >= 2,
        `BIRD's packets dropped as auth-digest-mismatch (${st.dropped['auth-digest-mismatch']})`,
      );
    });
  },
);

t.test(
  "BIRD 2 bfd: our AdminDown takes BIRD's session Down, and it returns when we come back",
  { skip: privilegedSkipWith('bird', 'birdc') },
  async (t) => {
    const { runner, bird } = await setup(t);
    await runner.waitState('s', 'Up', 10_000);
    runner.send({ cmd: 'admin', id: 's', down: true });
    await runner.waitState('s', 'AdminDown', 2000);
    t.equal(await bird.waitState('Down', 3000), 'Down', 'BIRD went Down on our AdminDown');
    const from = runner.messages.length;
    runner.send({ cmd: 'admin', id: 's', down: false });
    await runner.waitState('s', 'Up', 10_000, from);
    t.equal(await bird.waitState('Up', 3000), 'Up', 'and back Up');
  },
);
