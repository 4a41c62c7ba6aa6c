import t from 'tap';
import { ManualClock } from '@lbkit/core';
import {
  createBfd,
  type BfdService,
  type BfdSession,
  type BfdSessionInit,
  type BfdStateChange,
} from '../../src/index.js';
import { MemoryNetwork, seededRandom } from '../../src/testing/index.js';

const A = '192.0.2.1';
const B = '192.0.2.2';

async function pair(
  t: { teardown(fn: () => unknown): void },
  a: Partial<BfdSessionInit> = {},
  b: Partial<BfdSessionInit> = {},
) {
  const clock = new ManualClock();
  const net = new MemoryNetwork({ clock });
  const svcA = createBfd({}, { clock, random: seededRandom(1), transport: net.transport([A]) });
  const svcB = createBfd({}, { clock, random: seededRandom(2), transport: net.transport([B]) });
  await svcA.start();
  await svcB.start();
  t.teardown(async () => {
    await svcA.stop();
    await svcB.stop();
  });
  const base = { transmitIntervalMs: 100, receiveIntervalMs: 100, detectMultiplier: 3 };
  const sa = await svcA.addSession({ peerAddress: B, localAddress: A, ...base, ...a });
  const sb = await svcB.addSession({ peerAddress: A, localAddress: B, ...base, ...b });
  const eventsA: BfdStateChange[] = [];
  const eventsB: BfdStateChange[] = [];
  sa.on('state', (c) => eventsA.push(c));
  sb.on('state', (c) => eventsB.push(c));
  return { clock, net, svcA, svcB, sa, sb, eventsA, eventsB };
}

async function advance(clock: ManualClock, ms: number, stepMs = 1): Promise<void> {
  for (let i = 0; i < ms; i += stepMs) {
    clock.advance(stepMs);
    await ManualClock.flush();
  }
}

t.test('two sessions come Up over the in-memory network and negotiate the slower interval', async (t) => {
  const { clock, sa, sb, eventsA, svcA } = await pair(
    t,
    { transmitIntervalMs: 300, receiveIntervalMs: 300 },
    { transmitIntervalMs: 100, receiveIntervalMs: 100 },
  );
  await advance(clock, 3000, 5);
  t.equal(sa.state, 'Up');
  t.equal(sb.state, 'Up');
  t.same(
    eventsA.map((e) => e.to),
    ['Init', 'Up'].slice(eventsA.length === 1 ? 1 : 0),
  );
  const stats = (await svcA.stats()).sessionStats[0]!;
  t.equal(stats.transmitIntervalMs, 300, 'A sends at its own 300 ms (B accepts 100)');
  t.equal(stats.detectionTimeMs, 3 * 300, 'A detects with max(A RX 300, B TX 100) × 3');
  const statsB = await sb.stats();
  t.equal(statsB.transmitIntervalMs, 300, "B is held to A's Required Min RX of 300 ms");
});

t.test('a partition is detected within the detection time, as a failure, and the session recovers', async (t) => {
  const { clock, net, sa, eventsA } = await pair(t);
  await advance(clock, 3000, 5);
  t.equal(sa.state, 'Up');
  const failed = sa.failureSignal();
  const cut = clock.now();
  net.partition(A, B);
  await advance(clock, 400, 1);
  t.equal(sa.state, 'Down');
  const down = eventsA.find((e) => e.to === 'Down')!;
  t.match(down, {
    from: 'Up',
    diag: 'control-detection-time-expired',
    cause: 'detection-time-expired',
    failure: true,
    up: false,
  });
  t.ok(failed.aborted, 'failureSignal aborted');
  t.match(failed.reason, { failure: true });
  const took = down.at - (cut + 1_700_000_000_000);
  t.ok(took <= 300 + 1, `detected ${took} ms after the cut, within 3 × 100 ms`);
  net.heal();
  await advance(clock, 4000, 5);
  t.equal(sa.state, 'Up', 'back Up after the partition heals');
});

t.test('AdminDown on one side takes the other Down without a failure', async (t) => {
  const { clock, sa, sb, eventsB } = await pair(t);
  await advance(clock, 3000, 5);
  const failed = sb.failureSignal();
  await sa.setAdminDown(true);
  await advance(clock, 20);
  t.equal(sa.state, 'AdminDown');
  t.equal(sb.state, 'Down');
  t.match(eventsB.at(-1), {
    from: 'Up',
    to: 'Down',
    diag: 'neighbor-signaled-session-down',
    cause: 'peer-admin-down',
    failure: false,
  });
  t.notOk(failed.aborted, 'not a failure (RFC 5882 §3.2)');
  await sa.setAdminDown(false);
  await advance(clock, 4000, 5);
  t.equal(sb.state, 'Up');
});

t.test('closing a session sends AdminDown to the peer', async (t) => {
  const { clock, sa, sb, eventsB } = await pair(t);
  await advance(clock, 3000, 5);
  t.equal(sb.state, 'Up');
  await sa.close();
  await advance(clock, 10);
  t.match(eventsB.at(-1), { to: 'Down', cause: 'peer-admin-down', failure: false });
});

t.test('an authentication mismatch keeps both sides Down', async (t) => {
  const { clock, sa, sb, svcA } = await pair(
    t,
    { auth: { type: 'meticulous-keyed-sha1', keyId: 1, secret: 'one' } },
    { auth: { type: 'meticulous-keyed-sha1', keyId: 1, secret: 'two' } },
  );
  await advance(clock, 5000, 10);
  t.equal(sa.state, 'Down');
  t.equal(sb.state, 'Down');
  const st = (await svcA.stats()).sessionStats[0]!;
  t.ok((st.dropped['auth-digest-mismatch'] ?? 0) > 0, 'drops counted as auth-digest-mismatch');
});

t.test('matching authentication of every type comes Up', async (t) => {
  for (const type of [
    'simple-password',
    'keyed-md5',
    'meticulous-keyed-md5',
    'keyed-sha1',
    'meticulous-keyed-sha1',
  ] as const) {
    const auth = { type, keyId: 3, secret: 'lbkit' };
    const { clock, sa, sb } = await pair(t, { auth }, { auth });
    await advance(clock, 3000, 10);
    t.equal(sa.state, 'Up', `${type}: A Up`);
    t.equal(sb.state, 'Up', `${type}: B Up`);
  }
});

t.test('packets that crossed a router (TTL 254) are dropped on a single-hop session', async (t) => {
  const { clock, net, sa, svcA } = await pair(t);
  net.setHops(B, 1);
  await advance(clock, 4000, 10);
  t.equal(sa.state, 'Down');
  t.ok(((await svcA.stats()).sessionStats[0]!.dropped['ttl-not-255'] ?? 0) > 0);
});

t.test('multihop sessions accept TTLs down to their minimum', async (t) => {
  const { clock, net, sa, sb } = await pair(
    t,
    { multihop: true, minimumTtl: 250 },
    { multihop: true, minimumTtl: 250 },
  );
  net.setHops(B, 3);
  await advance(clock, 3000, 10);
  t.equal(sa.state, 'Up', 'TTL 252 ≥ 250 accepted');
  t.equal(sb.state, 'Up');
});

t.test('passive on both sides never comes Up; passive on one side does', async (t) => {
  const both = await pair(t, { passiveMode: true }, { passiveMode: true });
  await advance(both.clock, 3000, 10);
  t.equal(both.sa.state, 'Down');
  t.equal(both.net.delivered, 0, 'no packet sent');
  const one = await pair(t, { passiveMode: true }, {});
  await advance(one.clock, 3000, 10);
  t.equal(one.sa.state, 'Up');
});

t.test('duplicate sessions and bad configuration are refused with named fields', async (t) => {
  const { svcA } = await pair(t);
  await t.rejects(svcA.addSession({ peerAddress: B, localAddress: A }), { code: 'ERR_BFD_SESSION' });
  await t.rejects(svcA.addSession({ peerAddress: 'nope' }), { code: 'ERR_INVALID_ARGUMENT', field: 'peerAddress' });
  await t.rejects(svcA.addSession({ peerAddress: B, transmitIntervalMs: 20 }), {
    code: 'ERR_INVALID_ARGUMENT',
    field: 'transmitIntervalMs',
  });
  await t.rejects(svcA.addSession({ peerAddress: B, echoMode: true }), { code: 'ERR_BFD_UNSUPPORTED' });
  await t.rejects(svcA.addSession({ peerAddress: B, localAddress: '2001:db8::1' }), {
    code: 'ERR_INVALID_ARGUMENT',
    field: 'localAddress',
  });
});

t.test(
  'sessions sharing a peer address are told apart by local address while discriminators are unknown',
  async (t) => {
    const clock = new ManualClock();
    const net = new MemoryNetwork({ clock });
    const locals = ['192.0.2.10', '192.0.2.11', '192.0.2.12'];
    const ours = createBfd({}, { clock, random: seededRandom(3), transport: net.transport(locals) });
    const theirs = createBfd({}, { clock, random: seededRandom(4), transport: net.transport([A]) });
    await ours.start();
    await theirs.start();
    t.teardown(async () => {
      await ours.stop();
      await theirs.stop();
    });
    const mine: BfdSession[] = [];
    for (const l of locals) {
      mine.push(
        await ours.addSession({ peerAddress: A, localAddress: l, transmitIntervalMs: 100, receiveIntervalMs: 100 }),
      );
      await theirs.addSession({ peerAddress: l, localAddress: A, transmitIntervalMs: 100, receiveIntervalMs: 100 });
    }
    await advance(clock, 3000, 10);
    t.same(
      mine.map((s) => s.state),
      ['Up', 'Up', 'Up'],
    );
  },
);

void (null as unknown as BfdService);

t.test('when the engine stops unexpectedly, sessions report AdminDown (engine-stopped), not a failure', async (t) => {
  const { clock, svcA, sa, eventsA } = await pair(t);
  await advance(clock, 3000, 5);
  t.equal(sa.state, 'Up');
  const failed = sa.failureSignal();
  svcA.engineStopped();
  t.match(eventsA.at(-1), { from: 'Up', to: 'AdminDown', cause: 'engine-stopped', failure: false, up: false });
  t.notOk(failed.aborted);
  t.same(svcA.sessions(), []);
});

t.test('each session sends from its own source port in 49152–65535 with TTL 255 (RFC 5881 §4, §5)', async (t) => {
  const clock = new ManualClock();
  const net = new MemoryNetwork({ clock });
  const inner = net.transport(['192.0.2.10', '192.0.2.11', '192.0.2.12']);
  const opened: Array<{ sourcePort: number; ttl: number; remotePort: number }> = [];
  const svc = createBfd(
    {},
    {
      clock,
      random: seededRandom(9),
      transport: {
        receivesTtl: true,
        listen: (o, cb) => inner.listen(o, cb),
        openSender: (o) => {
          opened.push({ sourcePort: o.sourcePort, ttl: o.ttl, remotePort: o.remotePort });
          return inner.openSender(o);
        },
      },
    },
  );
  await svc.start();
  t.teardown(() => svc.stop());
  await svc.addSession({ peerAddress: A, localAddress: '192.0.2.10' });
  await svc.addSession({ peerAddress: A, localAddress: '192.0.2.11' });
  await svc.addSession({ peerAddress: A, localAddress: '192.0.2.12', multihop: true });
  t.equal(new Set(opened.map((o) => o.sourcePort)).size, 3, 'distinct source ports');
  for (const o of opened) {
    t.ok(o.sourcePort >= 49152 && o.sourcePort <= 65535, `source port ${o.sourcePort} in range`);
    t.equal(o.ttl, 255);
  }
  t.same(
    opened.map((o) => o.remotePort),
    [3784, 3784, 4784],
    'single hop to 3784, multihop to 4784',
  );
});

t.test('a detection expiry waits one event-loop turn for datagrams already in the socket', async (t) => {
  // A clock whose timers fire only when the test says, to model a descheduled thread: when it runs again,
  // the detection timer and a datagram that arrived meanwhile are both pending.
  let now = 0;
  const timers = new Set<{ at: number; fn: () => void; live: boolean }>();
  const clock = {
    now: () => now,
    wallTime: () => 1_700_000_000_000 + now,
    setTimer: (delay: number, fn: () => void) => {
      const e = { at: now + Math.max(0, delay), fn, live: true };
      timers.add(e);
      return {
        deadline: e.at,
        cancel: () => {
          e.live = false;
          timers.delete(e);
        },
      };
    },
    sleep: async () => {},
  };
  const due = () => [...timers].filter((e) => e.live && e.at <= now).sort((a, b) => a.at - b.at);
  const fireDue = () => {
    for (const e of due()) {
      timers.delete(e);
      e.fn();
    }
  };
  const net = new MemoryNetwork({ clock: new ManualClock() });
  const { BfdEngine, encodeControl, resolveSessionConfig } = await import('../../src/index.js');
  for (const packetWaiting of [true, false]) {
    const changes: string[] = [];
    const engine = new BfdEngine(
      { clock, random: seededRandom(5), transport: net.transport([A]) },
      { onStateChange: (c) => changes.push(c.to) },
    );
    const id = await engine.addSession(
      resolveSessionConfig({ peerAddress: B, localAddress: A, transmitIntervalMs: 100, receiveIntervalMs: 100 }),
    );
    const local = engine.sessionState(id).params.localDiscriminator;
    const from = (state: 'Down' | 'Up', your: number) => ({
      data: encodeControl({
        version: 1,
        diag: 'none',
        state,
        poll: false,
        final: false,
        controlPlaneIndependent: false,
        demand: false,
        multipoint: false,
        detectMult: 3,
        myDiscriminator: 0x4242,
        yourDiscriminator: your,
        desiredMinTxInterval: 100_000,
        requiredMinRxInterval: 100_000,
        requiredMinEchoRxInterval: 0,
      }),
      remoteAddress: B,
      remotePort: 50000,
      localAddress: A,
      localPort: 3784,
      ttl: 255,
    });
    engine.receive(from('Down', 0));
    engine.receive(from('Up', local));
    t.equal(engine.sessionState(id).state, 'Up');
    // The thread sleeps 150 ms past the detection deadline; a packet from the live peer is waiting.
    now = engine.sessionState(id).detectDeadline! + 150;
    fireDue();
    t.equal(
      engine.sessionState(id).state,
      'Up',
      `${packetWaiting ? 'packet waiting' : 'silence'}: not Down on the first look`,
    );
    if (packetWaiting) engine.receive(from('Up', local));
    fireDue();
    t.equal(
      engine.sessionState(id).state,
      packetWaiting ? 'Up' : 'Down',
      packetWaiting ? 'the waiting packet keeps it Up' : 'Down once nothing was waiting',
    );
    await engine.close();
    timers.clear();
  }
});
