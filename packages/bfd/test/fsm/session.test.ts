import t from 'tap';
import {
  createSession,
  decodeControl,
  detectionTimeMs,
  encodeControl,
  step,
  type BfdControlPacket,
  type BfdState,
  type SessionAction,
  type SessionParams,
  type SessionState,
} from '../../src/index.js';
import { seededRandom } from '../../src/testing/index.js';

const LOCAL = 0x1111_1111;
const REMOTE = 0x2222_2222;
const params = (over: Partial<SessionParams> = {}): SessionParams => ({
  localDiscriminator: LOCAL,
  desiredMinTxUs: 100_000,
  requiredMinRxUs: 100_000,
  detectMult: 3,
  passive: false,
  multihop: false,
  minimumTtl: 254,
  ...over,
});

function peer(state: BfdState, over: Partial<BfdControlPacket> = {}): BfdControlPacket {
  return {
    version: 1,
    diag: 'none',
    state,
    poll: false,
    final: false,
    controlPlaneIndependent: false,
    demand: false,
    multipoint: false,
    detectMult: 3,
    myDiscriminator: REMOTE,
    yourDiscriminator: state === 'Down' || state === 'AdminDown' ? 0 : LOCAL,
    desiredMinTxInterval: 100_000,
    requiredMinRxInterval: 100_000,
    requiredMinEchoRxInterval: 0,
    ...over,
  };
}

const rnd = seededRandom(7);
const ctx = (now: number) => ({ now, random: rnd });
const recv = (s: SessionState, p: BfdControlPacket, now: number, ttl: number | undefined = 255) =>
  step(s, { kind: 'received', packet: p, bytes: encodeControl(p), ttl }, ctx(now));
const sends = (a: readonly SessionAction[]) =>
  a.filter((x): x is Extract<SessionAction, { kind: 'send' }> => x.kind === 'send');
const changes = (a: readonly SessionAction[]) =>
  a.filter((x): x is Extract<SessionAction, { kind: 'state-changed' }> => x.kind === 'state-changed');

/** A started session brought to `state` by the three-way handshake. */
function sessionIn(state: BfdState, p: SessionParams = params()): SessionState {
  let s = step(createSession(p, { random: rnd }), { kind: 'start' }, ctx(0)).state;
  if (state === 'Down') return s;
  if (state === 'AdminDown') return step(s, { kind: 'admin-down' }, ctx(1)).state;
  s = recv(s, peer('Down'), 1).state;
  if (state === 'Init') return s;
  s = recv(s, peer('Up'), 2).state;
  return s;
}

t.test('state transitions (RFC 5880 §6.8.6), table-driven', async (t) => {
  const table: Array<{ from: BfdState; peer: BfdState; to: BfdState; diag: string; cause?: string }> = [
    { from: 'Down', peer: 'Down', to: 'Init', diag: 'none', cause: 'peer-down' },
    { from: 'Down', peer: 'Init', to: 'Up', diag: 'none', cause: 'peer-init' },
    { from: 'Down', peer: 'Up', to: 'Down', diag: 'none' },
    { from: 'Down', peer: 'AdminDown', to: 'Down', diag: 'none' },
    { from: 'Init', peer: 'Down', to: 'Init', diag: 'none' },
    { from: 'Init', peer: 'Init', to: 'Up', diag: 'none', cause: 'peer-init' },
    { from: 'Init', peer: 'Up', to: 'Up', diag: 'none', cause: 'peer-up' },
    { from: 'Init', peer: 'AdminDown', to: 'Down', diag: 'neighbor-signaled-session-down', cause: 'peer-admin-down' },
    { from: 'Up', peer: 'Down', to: 'Down', diag: 'neighbor-signaled-session-down', cause: 'peer-down' },
    { from: 'Up', peer: 'Init', to: 'Up', diag: 'none' },
    { from: 'Up', peer: 'Up', to: 'Up', diag: 'none' },
    { from: 'Up', peer: 'AdminDown', to: 'Down', diag: 'neighbor-signaled-session-down', cause: 'peer-admin-down' },
    { from: 'AdminDown', peer: 'Up', to: 'AdminDown', diag: 'administratively-down' },
    { from: 'AdminDown', peer: 'Down', to: 'AdminDown', diag: 'administratively-down' },
  ];
  for (const row of table) {
    const s = sessionIn(row.from);
    t.equal(s.state, row.from, `setup reaches ${row.from}`);
    const r = recv(s, peer(row.peer), 10);
    const name = `${row.from} + peer ${row.peer} → ${row.to}`;
    t.equal(r.state.state, row.to, name);
    t.equal(r.state.localDiag, row.diag, `${name}: diag ${row.diag}`);
    const ch = changes(r.actions);
    if (row.cause === undefined) t.equal(ch.length, 0, `${name}: no change event`);
    else
      t.match(
        ch,
        [{ from: row.from, to: row.to, diag: row.diag, cause: row.cause }],
        `${name}: event with cause ${row.cause}`,
      );
  }
});

t.test('a session sends nothing before start and sends at once on start', async (t) => {
  const s0 = createSession(params(), { random: rnd });
  const r = step(s0, { kind: 'timer' }, ctx(5000));
  t.equal(sends(r.actions).length, 0);
  const started = step(s0, { kind: 'start' }, ctx(0));
  const [first] = sends(started.actions);
  t.match(first?.packet, {
    state: 'Down',
    desiredMinTxInterval: 1_000_000,
    requiredMinRxInterval: 100_000,
    yourDiscriminator: 0,
    myDiscriminator: LOCAL,
  });
  t.equal(first?.ttl, 255, 'TTL 255 on send (RFC 5881 §5)');
  t.ok(
    started.state.txDeadline! >= 750 && started.state.txDeadline! <= 1000,
    'slow rate while Down: Desired Min TX ≥ 1 s (RFC 5880 §6.8.3)',
  );
});

t.test('going Up reschedules the transmit timer at once and polls for the faster rate', async (t) => {
  let s = sessionIn('Init');
  t.ok(s.txDeadline! > 700, 'still on the 1 s schedule in Init');
  const r = recv(s, peer('Up'), 50);
  s = r.state;
  t.equal(s.state, 'Up');
  const [sent] = sends(r.actions);
  t.match(
    sent?.packet,
    { state: 'Up', poll: true, desiredMinTxInterval: 100_000 },
    'a packet goes out at once, with P, advertising 100 ms',
  );
  t.ok(
    s.txDeadline! - 50 <= 100 && s.txDeadline! - 50 >= 75,
    `next packet within 75–100 ms, not after the old 1 s (deadline +${s.txDeadline! - 50})`,
  );
  const f = recv(s, peer('Up', { final: true }), 60);
  t.equal(f.state.pollActive, false, 'F ends the poll');
  t.match(f.actions, [{ kind: 'poll-completed' }]);
});

t.test('transmit jitter: 75–100 % of the interval, 75–90 % with Detect Mult 1 (RFC 5880 §6.8.7)', async (t) => {
  for (const mult of [3, 1]) {
    let s = sessionIn('Up', params({ detectMult: mult }));
    const ratios: number[] = [];
    let last = s.txDeadline!;
    let now = last;
    for (let i = 0; i < 2000; i++) {
      // Keep the peer alive so the detection timer never fires.
      s = recv(s, peer('Up'), now).state;
      const r = step(s, { kind: 'timer' }, ctx(now));
      s = r.state;
      t.equal(sends(r.actions).length, 1);
      ratios.push((s.txDeadline! - now) / 100);
      last = now;
      now = s.txDeadline!;
    }
    const min = Math.min(...ratios);
    const max = Math.max(...ratios);
    const hi = mult === 1 ? 0.9 : 1.0;
    t.ok(
      min >= 0.75 && max <= hi,
      `mult ${mult}: ratios within [0.75, ${hi}], got [${min.toFixed(3)}, ${max.toFixed(3)}]`,
    );
    t.ok(max - min > (hi - 0.75) * 0.9, `mult ${mult}: the whole range is used`);
    void last;
  }
});

t.test(
  'detection time: remote Detect Mult × max(local Required Min RX, remote Desired Min TX) (RFC 5880 §6.8.4)',
  async (t) => {
    const cases = [
      { name: 'remote slower', localRx: 100_000, remoteTx: 300_000, remoteMult: 3, want: 900 },
      { name: 'local slower', localRx: 500_000, remoteTx: 100_000, remoteMult: 4, want: 2000 },
      { name: 'equal', localRx: 50_000, remoteTx: 50_000, remoteMult: 3, want: 150 },
    ];
    for (const c of cases) {
      let s = sessionIn('Up', params({ requiredMinRxUs: c.localRx }));
      s = recv(s, peer('Up', { desiredMinTxInterval: c.remoteTx, detectMult: c.remoteMult }), 100).state;
      t.equal(detectionTimeMs(s), c.want, c.name);
      t.equal(s.detectDeadline, 100 + c.want, `${c.name}: deadline`);
      const before = step(s, { kind: 'timer' }, ctx(100 + c.want - 0.001));
      t.equal(before.state.state, 'Up', `${c.name}: still Up just before`);
      const r = step(before.state, { kind: 'timer' }, ctx(100 + c.want));
      t.equal(r.state.state, 'Down', `${c.name}: Down at the detection time`);
      t.match(changes(r.actions), [
        { from: 'Up', to: 'Down', diag: 'control-detection-time-expired', cause: 'detection-time-expired' },
      ]);
      t.equal(r.state.remoteDiscriminator, 0, 'remote discriminator forgotten (RFC 5880 §6.8.1)');
      t.match(sends(r.actions)[0]?.packet, {
        state: 'Down',
        diag: 'control-detection-time-expired',
        yourDiscriminator: 0,
      });
    }
  },
);

t.test("transmit interval is the larger of ours and the peer's Required Min RX", async (t) => {
  let s = sessionIn('Up');
  s = recv(s, peer('Up', { requiredMinRxInterval: 300_000 }), 100).state;
  const r = step(s, { kind: 'timer' }, ctx(s.txDeadline!));
  const gap = r.state.txDeadline! - s.txDeadline!;
  t.ok(gap >= 225 && gap <= 300, `paced by the peer's 300 ms (gap ${gap.toFixed(1)})`);
});

t.test('a Poll from the peer is answered with Final at once, outside the schedule', async (t) => {
  const s = sessionIn('Up');
  const r = recv(s, peer('Up', { poll: true, desiredMinTxInterval: 50_000 }), 10);
  const [sent] = sends(r.actions);
  t.match(sent?.packet, { final: true, poll: false });
  t.equal(r.state.txDeadline, s.txDeadline, 'the periodic schedule is unchanged');
});

t.test('poll sequence on a timer change (RFC 5880 §6.8.3)', async (t) => {
  let s = sessionIn('Up');
  s = recv(s, peer('Up', { final: true }), 5).state; // finish the poll from going Up
  t.equal(s.pollActive, false);
  s = recv(s, peer('Up'), 10).state;
  const detectBefore = s.detectDeadline!;
  // Slower TX and lower RX: neither may take effect before the peer's Final.
  let r = step(s, { kind: 'set-timers', desiredMinTxUs: 500_000, requiredMinRxUs: 20_000 }, ctx(20));
  s = r.state;
  t.match(
    sends(r.actions)[0]?.packet,
    { poll: true, desiredMinTxInterval: 500_000, requiredMinRxInterval: 20_000 },
    'new values go out with P',
  );
  t.equal(s.txPacingUs, 100_000, 'slower TX waits for the Final');
  t.equal(s.detectRxUs, 100_000, 'lower RX does not shorten detection yet');
  t.equal(s.detectDeadline, detectBefore);
  r = step(s, { kind: 'timer' }, ctx(s.txDeadline!));
  t.match(sends(r.actions)[0]?.packet, { poll: true }, 'P repeats until F');
  t.ok(r.state.txDeadline! - s.txDeadline! <= 100, 'still paced at 100 ms');
  s = r.state;
  r = recv(s, peer('Up', { final: true }), s.txDeadline! - 1);
  s = r.state;
  t.equal(s.pollActive, false);
  t.equal(s.txPacingUs, 500_000, 'slower TX after the Final');
  t.equal(s.detectRxUs, 20_000, 'lower RX after the Final');
  // Faster TX takes effect at once.
  r = step(s, { kind: 'set-timers', desiredMinTxUs: 50_000 }, ctx(s.lastRxAt! + 1));
  t.equal(r.state.txPacingUs, 50_000);
  t.ok(r.state.txDeadline! - (s.lastRxAt! + 1) <= 100, 'rescheduled at the faster pace at once');
});

t.test('administrative down: AdminDown with diag 7, not a failure at the peer; admin up returns to Down', async (t) => {
  const s = sessionIn('Up');
  const r = step(s, { kind: 'admin-down' }, ctx(10));
  t.match(changes(r.actions), [{ from: 'Up', to: 'AdminDown', diag: 'administratively-down', cause: 'admin-down' }]);
  t.match(sends(r.actions)[0]?.packet, { state: 'AdminDown', diag: 'administratively-down' });
  t.equal(r.state.detectDeadline, undefined, 'no detection while AdminDown');
  const up = step(r.state, { kind: 'admin-up' }, ctx(20));
  t.match(changes(up.actions), [{ from: 'AdminDown', to: 'Down', diag: 'none', cause: 'admin-up' }]);
});

t.test('passive role: silent until the peer speaks (RFC 5880 §6.1)', async (t) => {
  let s = step(createSession(params({ passive: true }), { random: rnd }), { kind: 'start' }, ctx(0)).state;
  t.equal(s.txDeadline, undefined);
  const r = step(s, { kind: 'timer' }, ctx(10_000));
  t.equal(sends(r.actions).length, 0, 'nothing sent while the peer is silent');
  const got = recv(s, peer('Down'), 10_001);
  t.match(sends(got.actions)[0]?.packet, { state: 'Init', yourDiscriminator: REMOTE }, 'answers once spoken to');
  s = got.state;
  t.ok(s.txDeadline !== undefined);
});

t.test('Required Min RX 0 from the peer stops periodic packets (RFC 5880 §6.8.7)', async (t) => {
  const s = recv(sessionIn('Up'), peer('Up', { requiredMinRxInterval: 0 }), 10).state;
  t.equal(s.txDeadline, undefined);
});

t.test('received TTL checks: single hop needs 255, multihop its minimum (RFC 5881 §5, RFC 5883 §5)', async (t) => {
  const cases = [
    { name: 'single hop, 255', multihop: false, ttl: 255, dropped: undefined },
    { name: 'single hop, 254 (one router)', multihop: false, ttl: 254, dropped: 'ttl-not-255' },
    { name: 'single hop, TTL unknown', multihop: false, ttl: undefined, dropped: undefined },
    { name: 'multihop, 254 ≥ 254', multihop: true, ttl: 254, dropped: undefined },
    { name: 'multihop, 64 < 254', multihop: true, ttl: 64, dropped: 'ttl-below-minimum' },
  ];
  for (const c of cases) {
    const s = sessionIn('Down', params({ multihop: c.multihop }));
    const r = recv(s, peer('Down'), 5, c.ttl);
    if (c.dropped === undefined) t.equal(r.state.state, 'Init', c.name);
    else {
      t.equal(r.state.state, 'Down', c.name);
      t.match(r.actions, [{ kind: 'packet-dropped', reason: c.dropped }], `${c.name}: ${c.dropped}`);
    }
  }
});

t.test('authentication: a wrong secret keeps the session Down; signed packets carry advancing sequences', async (t) => {
  const secret = new TextEncoder().encode('s3cret');
  const key = { type: 'meticulous-keyed-sha1' as const, keyId: 1, secret };
  let s = step(createSession(params({ auth: key }), { random: rnd }), { kind: 'start' }, ctx(0)).state;
  const other = new TextEncoder().encode('other');
  const bad = encodeControl(
    { ...peer('Down'), auth: { type: 'meticulous-keyed-sha1', keyId: 1, sequence: 5, digest: new Uint8Array(20) } },
    { key: other },
  );
  let r = step(s, { kind: 'received', packet: decodeControl(bad), bytes: bad, ttl: 255 }, ctx(1));
  t.equal(r.state.state, 'Down');
  t.match(r.actions, [{ kind: 'packet-dropped', reason: 'auth-digest-mismatch' }]);
  const plain = recv(s, peer('Down'), 2);
  t.match(plain.actions, [{ kind: 'packet-dropped', reason: 'auth-missing' }]);
  const good = encodeControl(
    { ...peer('Down'), auth: { type: 'meticulous-keyed-sha1', keyId: 1, sequence: 5, digest: new Uint8Array(20) } },
    { key: secret },
  );
  r = step(s, { kind: 'received', packet: decodeControl(good), bytes: good, ttl: 255 }, ctx(3));
  t.equal(r.state.state, 'Init', 'the right secret is accepted');
  s = r.state;
  const seqs: number[] = [];
  for (let i = 0; i < 3; i++) {
    r = step(s, { kind: 'timer' }, ctx(s.txDeadline!));
    s = r.state;
    const sent = sends(r.actions)[0]!;
    const p = decodeControl(sent.bytes);
    t.equal(p.auth?.type, 'meticulous-keyed-sha1');
    seqs.push((p.auth as { sequence: number }).sequence);
  }
  t.same(
    seqs.map((x) => (x - seqs[0]! + 2 ** 32) % 2 ** 32),
    [0, 1, 2],
    'meticulous: +1 per packet',
  );
});

t.test('peer restart: a Down with Your Discriminator 0 takes an Up session Down, then back Up', async (t) => {
  let s = sessionIn('Up');
  let r = recv(s, peer('Down', { myDiscriminator: 0x3333_3333 }), 10);
  t.match(changes(r.actions), [{ from: 'Up', to: 'Down', cause: 'peer-down' }]);
  s = r.state;
  r = recv(s, peer('Down', { myDiscriminator: 0x3333_3333 }), 20);
  t.equal(r.state.state, 'Init');
  t.equal(r.state.remoteDiscriminator, 0x3333_3333, 'the new discriminator is learned');
});

t.test(
  'the receive sequence is forgotten after twice the detection time without packets (RFC 5880 §6.7.1)',
  async (t) => {
    const secret = new TextEncoder().encode('k');
    const key = { type: 'meticulous-keyed-md5' as const, keyId: 1, secret };
    let s = step(createSession(params({ auth: key }), { random: rnd }), { kind: 'start' }, ctx(0)).state;
    const signed = (seq: number, state: BfdState = 'Down') => {
      const bytes = encodeControl(
        { ...peer(state), auth: { type: 'meticulous-keyed-md5', keyId: 1, sequence: seq, digest: new Uint8Array(16) } },
        { key: secret },
      );
      return { kind: 'received' as const, packet: decodeControl(bytes), bytes, ttl: 255 };
    };
    s = step(s, signed(1000), ctx(10)).state;
    t.equal(s.rcvAuthSeq, 1000);
    t.equal(s.detectionTimeMs, 300, '3 × 100 ms');
    const replay = step(s, signed(1000), ctx(20));
    t.match(
      replay.actions,
      [{ kind: 'packet-dropped', reason: 'auth-sequence-out-of-window' }],
      'a replay is refused while the sequence is known',
    );
    const early = step(s, signed(5), ctx(10 + 2 * 300 - 1));
    t.match(
      early.actions,
      [{ kind: 'packet-dropped', reason: 'auth-sequence-out-of-window' }],
      'still known just before 2 × detection time',
    );
    const restarted = step(s, signed(5), ctx(10 + 2 * 300 + 1));
    t.notMatch(
      restarted.actions,
      [{ kind: 'packet-dropped' }],
      'after 2 × detection time of silence any sequence is accepted again',
    );
    t.equal(restarted.state.rcvAuthSeq, 5);
  },
);
