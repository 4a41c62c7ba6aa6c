import t from 'tap';
import { ManualClock } from '@lbkit/core';
import { createOpen, type OpenMessage } from '../../src/codec/index.js';
import { createFsm, dueTimers, nextDeadline, stepFsm } from '../../src/fsm/fsm.js';
import { collisionLoser } from '../../src/fsm/collision.js';
import type { FsmConfig, FsmEvent, FsmState, SessionState } from '../../src/fsm/types.js';

const CONFIG: FsmConfig = {
  localAsn: 64512,
  peerAsn: 64513,
  bgpIdentifier: '192.0.2.1',
  holdTime: 9,
  keepaliveTime: 30,
  connectRetryTime: 1,
  connectRetryMaxTime: 8,
  passive: false,
  delayOpenTime: 0,
  idleHoldTime: 1,
  idleHoldMaxTime: 8,
  dampingResetTime: 60,
  seed: 42,
};

function peerOpen(over: Partial<{ asn: number; holdTime: number; id: string }> = {}): OpenMessage {
  return createOpen({
    asn: over.asn ?? 64513,
    holdTime: over.holdTime ?? 90,
    bgpIdentifier: over.id ?? '192.0.2.2',
    capabilities: [],
  });
}

/** Runs events from a fresh FSM at time 0, each 1 ms apart; returns the final state. */
function drive(events: readonly FsmEvent[], config: FsmConfig = CONFIG): FsmState {
  let s = createFsm(config, 0);
  let now = 0;
  for (const e of events) s = stepFsm(s, e, ++now).state;
  return s;
}

const START: FsmEvent = { kind: 'manual-start' };
const CONNECTED: FsmEvent = { kind: 'tcp-connection-confirmed', direction: 'outbound' };
const OPEN: FsmEvent = { kind: 'open-received', open: peerOpen() };
const KA: FsmEvent = { kind: 'keepalive-received' };

const PATHS: Record<SessionState, readonly FsmEvent[]> = {
  idle: [],
  connect: [START],
  active: [START, { kind: 'tcp-connection-failed' }],
  'open-sent': [START, CONNECTED],
  'open-confirm': [START, CONNECTED, OPEN],
  established: [START, CONNECTED, OPEN, KA],
};

t.test('paths reach the states they name', async (t) => {
  for (const [state, path] of Object.entries(PATHS)) t.equal(drive(path).state, state, state);
});

interface Row {
  readonly name: string;
  readonly from: SessionState;
  readonly event: FsmEvent;
  readonly config?: Partial<FsmConfig>;
  readonly want: {
    readonly state: SessionState;
    readonly reason?: string;
    readonly actions: readonly string[];
    readonly notification?: readonly [number, number];
  };
}

const ROWS: readonly Row[] = [
  {
    name: 'Idle + ManualStart → Connect, connect',
    from: 'idle',
    event: START,
    want: { state: 'connect', reason: 'manual-start', actions: ['connect'] },
  },
  {
    name: 'Idle + ManualStart (passive) → Active',
    from: 'idle',
    event: START,
    config: { passive: true },
    want: { state: 'active', reason: 'manual-start', actions: [] },
  },
  { name: 'Idle ignores KEEPALIVE', from: 'idle', event: KA, want: { state: 'idle', actions: [] } },
  {
    name: 'Idle refuses a connection',
    from: 'idle',
    event: CONNECTED,
    want: { state: 'idle', actions: ['disconnect'] },
  },
  {
    name: 'Connect + TCP confirmed → OpenSent, OPEN',
    from: 'connect',
    event: CONNECTED,
    want: { state: 'open-sent', reason: 'tcp-connection-confirmed', actions: ['send-open'] },
  },
  {
    name: 'Connect + TCP confirmed with DelayOpen stays in Connect',
    from: 'connect',
    event: CONNECTED,
    config: { delayOpenTime: 5 },
    want: { state: 'connect', reason: 'tcp-connection-confirmed', actions: [] },
  },
  {
    name: 'Connect + TCP fails → Active (backoff)',
    from: 'connect',
    event: { kind: 'tcp-connection-failed' },
    want: { state: 'active', reason: 'tcp-connection-failed', actions: ['disconnect'] },
  },
  {
    name: 'Connect + ConnectRetry → Connect, reconnect',
    from: 'connect',
    event: { kind: 'timer-expired', timer: 'connect-retry' },
    want: { state: 'connect', reason: 'connect-retry-expired', actions: ['disconnect', 'connect'] },
  },
  {
    name: 'Active + ConnectRetry → Connect',
    from: 'active',
    event: { kind: 'timer-expired', timer: 'connect-retry' },
    want: { state: 'connect', reason: 'connect-retry-expired', actions: ['connect'] },
  },
  {
    name: 'Active + TCP confirmed → OpenSent',
    from: 'active',
    event: { kind: 'tcp-connection-confirmed', direction: 'inbound' },
    want: { state: 'open-sent', actions: ['send-open'] },
  },
  {
    name: 'Connect + UPDATE → Idle, FSM error',
    from: 'connect',
    event: { kind: 'update-received' },
    want: {
      state: 'idle',
      reason: 'unexpected-message',
      actions: ['send-notification', 'disconnect'],
      notification: [5, 0],
    },
  },
  {
    name: 'Connect + ManualStop → Idle, no NOTIFICATION',
    from: 'connect',
    event: { kind: 'manual-stop' },
    want: { state: 'idle', reason: 'manual-stop', actions: ['disconnect'] },
  },
  {
    name: 'OpenSent + OPEN → OpenConfirm, KEEPALIVE',
    from: 'open-sent',
    event: OPEN,
    want: { state: 'open-confirm', reason: 'open-accepted', actions: ['send-keepalive'] },
  },
  {
    name: 'OpenSent + OPEN from wrong AS → Idle, Bad Peer AS',
    from: 'open-sent',
    event: { kind: 'open-received', open: peerOpen({ asn: 64999 }) },
    want: {
      state: 'idle',
      reason: 'open-rejected',
      actions: ['send-notification', 'disconnect'],
      notification: [2, 2],
    },
  },
  {
    name: 'OpenSent + OPEN hold time 2 → Unacceptable Hold Time',
    from: 'open-sent',
    event: { kind: 'open-received', open: { ...peerOpen(), holdTime: 2 } },
    want: {
      state: 'idle',
      reason: 'open-rejected',
      actions: ['send-notification', 'disconnect'],
      notification: [2, 6],
    },
  },
  {
    name: 'OpenSent + OPEN with our BGP Identifier (iBGP) → Bad BGP Identifier',
    from: 'open-sent',
    config: { peerAsn: 64512 },
    event: { kind: 'open-received', open: peerOpen({ asn: 64512, id: '192.0.2.1' }) },
    want: {
      state: 'idle',
      reason: 'open-rejected',
      actions: ['send-notification', 'disconnect'],
      notification: [2, 3],
    },
  },
  {
    name: 'OpenSent + hold timer → Idle, Hold Timer Expired',
    from: 'open-sent',
    event: { kind: 'timer-expired', timer: 'hold' },
    want: {
      state: 'idle',
      reason: 'hold-timer-expired',
      actions: ['send-notification', 'disconnect'],
      notification: [4, 0],
    },
  },
  {
    name: 'OpenSent + TCP fails → Active',
    from: 'open-sent',
    event: { kind: 'tcp-connection-failed' },
    want: { state: 'active', reason: 'peer-closed', actions: ['disconnect'] },
  },
  {
    name: 'OpenSent + KEEPALIVE → FSM error (OpenSent subcode)',
    from: 'open-sent',
    event: KA,
    want: {
      state: 'idle',
      reason: 'unexpected-message',
      actions: ['send-notification', 'disconnect'],
      notification: [5, 1],
    },
  },
  {
    name: 'OpenSent + ManualStop → Cease/Administrative Shutdown',
    from: 'open-sent',
    event: { kind: 'manual-stop' },
    want: { state: 'idle', reason: 'manual-stop', actions: ['send-notification', 'disconnect'], notification: [6, 2] },
  },
  {
    name: 'OpenSent + collision dump → Cease/Connection Collision Resolution',
    from: 'open-sent',
    event: { kind: 'open-collision-dump' },
    want: {
      state: 'idle',
      reason: 'collision-lost',
      actions: ['send-notification', 'disconnect'],
      notification: [6, 7],
    },
  },
  {
    name: 'OpenSent + NOTIFICATION → Idle, nothing sent',
    from: 'open-sent',
    event: { kind: 'notification-received', notification: { code: 6, subcode: 5, data: new Uint8Array(0) } },
    want: { state: 'idle', reason: 'notification-received', actions: ['disconnect'] },
  },
  {
    name: 'OpenSent + header error → Idle with its NOTIFICATION',
    from: 'open-sent',
    event: { kind: 'message-error', notification: { code: 1, subcode: 2, data: new Uint8Array([0, 5]) } },
    want: {
      state: 'idle',
      reason: 'message-error',
      actions: ['send-notification', 'disconnect'],
      notification: [1, 2],
    },
  },
  {
    name: 'OpenConfirm + KEEPALIVE → Established',
    from: 'open-confirm',
    event: KA,
    want: { state: 'established', reason: 'keepalive-received', actions: ['session-established'] },
  },
  {
    name: 'OpenConfirm + keepalive timer → KEEPALIVE',
    from: 'open-confirm',
    event: { kind: 'timer-expired', timer: 'keepalive' },
    want: { state: 'open-confirm', actions: ['send-keepalive'] },
  },
  {
    name: 'OpenConfirm + UPDATE → FSM error (OpenConfirm subcode)',
    from: 'open-confirm',
    event: { kind: 'update-received' },
    want: {
      state: 'idle',
      reason: 'unexpected-message',
      actions: ['send-notification', 'disconnect'],
      notification: [5, 2],
    },
  },
  {
    name: 'OpenConfirm + hold timer → Hold Timer Expired',
    from: 'open-confirm',
    event: { kind: 'timer-expired', timer: 'hold' },
    want: {
      state: 'idle',
      reason: 'hold-timer-expired',
      actions: ['send-notification', 'disconnect'],
      notification: [4, 0],
    },
  },
  {
    name: 'OpenConfirm + TCP fails → Idle',
    from: 'open-confirm',
    event: { kind: 'tcp-connection-failed' },
    want: { state: 'idle', reason: 'peer-closed', actions: ['disconnect'] },
  },
  {
    name: 'Established + UPDATE keeps the session',
    from: 'established',
    event: { kind: 'update-received' },
    want: { state: 'established', actions: [] },
  },
  {
    name: 'Established + keepalive timer → KEEPALIVE',
    from: 'established',
    event: { kind: 'timer-expired', timer: 'keepalive' },
    want: { state: 'established', actions: ['send-keepalive'] },
  },
  {
    name: 'Established + hold timer → Hold Timer Expired, session down',
    from: 'established',
    event: { kind: 'timer-expired', timer: 'hold' },
    want: {
      state: 'idle',
      reason: 'hold-timer-expired',
      actions: ['send-notification', 'disconnect', 'session-down'],
      notification: [4, 0],
    },
  },
  {
    name: 'Established + UPDATE error → its NOTIFICATION',
    from: 'established',
    event: { kind: 'update-error', notification: { code: 3, subcode: 1, data: new Uint8Array(0) } },
    want: {
      state: 'idle',
      reason: 'update-error',
      actions: ['send-notification', 'disconnect', 'session-down'],
      notification: [3, 1],
    },
  },
  {
    name: 'Established + OPEN → FSM error (Established subcode)',
    from: 'established',
    event: OPEN,
    want: {
      state: 'idle',
      reason: 'unexpected-message',
      actions: ['send-notification', 'disconnect', 'session-down'],
      notification: [5, 3],
    },
  },
  {
    name: 'Established + NOTIFICATION → Idle, session down',
    from: 'established',
    event: { kind: 'notification-received', notification: { code: 6, subcode: 2, data: new Uint8Array(0) } },
    want: { state: 'idle', reason: 'notification-received', actions: ['disconnect', 'session-down'] },
  },
  {
    name: 'Established + TCP fails → Idle, session down',
    from: 'established',
    event: { kind: 'tcp-connection-failed' },
    want: { state: 'idle', reason: 'peer-closed', actions: ['disconnect', 'session-down'] },
  },
  {
    name: 'Established + ManualStop with a message → that NOTIFICATION',
    from: 'established',
    event: { kind: 'manual-stop', notification: { code: 6, subcode: 2, data: new Uint8Array([3, 98, 121, 101]) } },
    want: {
      state: 'idle',
      reason: 'manual-stop',
      actions: ['send-notification', 'disconnect', 'session-down'],
      notification: [6, 2],
    },
  },
  {
    name: 'Established + send hold timer → Send Hold Timer Expired (RFC 9687)',
    from: 'established',
    event: { kind: 'send-hold-timer-expired' },
    want: {
      state: 'idle',
      reason: 'send-hold-timer-expired',
      actions: ['send-notification', 'disconnect', 'session-down'],
      notification: [8, 0],
    },
  },
  {
    name: 'Connect ignores the send hold timer',
    from: 'connect',
    event: { kind: 'send-hold-timer-expired' },
    want: { state: 'connect', actions: [] },
  },
  {
    name: 'Established + collision dump → Cease 7',
    from: 'established',
    event: { kind: 'open-collision-dump' },
    want: {
      state: 'idle',
      reason: 'collision-lost',
      actions: ['send-notification', 'disconnect', 'session-down'],
      notification: [6, 7],
    },
  },
];

t.test('transition table', async (t) => {
  for (const row of ROWS) {
    const config = { ...CONFIG, ...row.config };
    const s = drive(PATHS[row.from], config);
    t.equal(s.state, row.from, `${row.name}: setup`);
    const r = stepFsm(s, row.event, 1000);
    t.equal(r.state.state, row.want.state, `${row.name}: state`);
    if (row.want.reason !== undefined) t.equal(r.state.reason, row.want.reason, `${row.name}: reason`);
    t.same(
      r.actions.map((a) => a.kind),
      row.want.actions,
      `${row.name}: actions`,
    );
    const n = r.actions.find((a) => a.kind === 'send-notification');
    if (row.want.notification !== undefined) {
      t.same(
        n?.kind === 'send-notification' ? [n.notification.code, n.notification.subcode] : undefined,
        row.want.notification,
        `${row.name}: notification`,
      );
    } else {
      t.equal(n, undefined, `${row.name}: no notification`);
    }
    if (r.transition !== undefined)
      t.equal(r.transition.reason, r.state.reason, `${row.name}: transition carries the reason`);
  }
});

t.test('hold time negotiation: min of both, keepalive a third', async (t) => {
  const cases = [
    { ours: 9, theirs: 90, hold: 9, keepaliveMs: 3000 },
    { ours: 90, theirs: 3, hold: 3, keepaliveMs: 1000 },
    { ours: 90, theirs: 0, hold: 0, keepaliveMs: 0 },
    { ours: 0, theirs: 90, hold: 0, keepaliveMs: 0 },
  ];
  for (const c of cases) {
    const s = drive([START, CONNECTED, { kind: 'open-received', open: peerOpen({ holdTime: c.theirs }) }], {
      ...CONFIG,
      holdTime: c.ours,
    });
    t.equal(s.negotiatedHoldTime, c.hold, `hold ${c.ours}/${c.theirs}`);
    t.equal(s.keepaliveMs, c.keepaliveMs, `keepalive ${c.ours}/${c.theirs}`);
    if (c.hold === 0) t.same(Object.keys(s.timers), [], 'hold 0 runs no hold or keepalive timer');
  }
  const ka = drive([START, CONNECTED, OPEN], { ...CONFIG, holdTime: 90, keepaliveTime: 10 });
  t.equal(ka.keepaliveMs, 10_000, 'a configured keepalive below hold/3 wins');
});

t.test('hold timer expiry with the manual clock, keepalives keep it alive', async (t) => {
  const clock = new ManualClock();
  let s = createFsm(CONFIG, clock.now());
  const sent: string[] = [];
  const step = (e: FsmEvent): void => {
    const r = stepFsm(s, e, clock.now());
    s = r.state;
    for (const a of r.actions)
      sent.push(
        a.kind === 'send-notification' ? `notification ${a.notification.code}/${a.notification.subcode}` : a.kind,
      );
  };
  const advance = (ms: number): void => {
    const until = clock.now() + ms;
    for (;;) {
      const d = nextDeadline(s);
      if (d === undefined || d > until) break;
      clock.advanceTo(d);
      for (const timer of dueTimers(s, clock.now())) step({ kind: 'timer-expired', timer });
    }
    clock.advanceTo(until);
  };
  step(START);
  step(CONNECTED);
  step(OPEN);
  step(KA);
  t.equal(s.state, 'established');
  sent.length = 0;
  // 8 s with keepalives from the peer every 2 s: alive, and we sent keepalives every 3 s.
  for (let i = 0; i < 4; i++) {
    advance(2000);
    step(KA);
  }
  t.equal(s.state, 'established', 'peer keepalives restart the hold timer');
  t.equal(sent.filter((k) => k === 'send-keepalive').length, 2, 'our keepalives every 3 s');
  // The peer goes silent: exactly 9 s after its last keepalive the session drops with Hold Timer Expired.
  const lastHeard = clock.now();
  advance(8999);
  t.equal(s.state, 'established', 'not a millisecond early');
  advance(1);
  t.equal(s.state, 'idle');
  t.equal(s.reason, 'hold-timer-expired');
  t.equal(clock.now() - lastHeard, 9000);
  t.ok(sent.includes('notification 4/0'), 'Hold Timer Expired sent');
  t.ok(sent.includes('session-down'));
});

t.test('idle hold backoff damps a flapping peer and restarts automatically', async (t) => {
  let s = drive(PATHS.established);
  let now = 10;
  const waits: number[] = [];
  for (let i = 0; i < 5; i++) {
    s = stepFsm(s, { kind: 'tcp-connection-failed' }, now).state;
    t.equal(s.state, 'idle');
    const d = s.timers['idle-hold'];
    t.ok(d !== undefined, 'IdleHold armed');
    waits.push(d! - now);
    now = d!;
    const r = stepFsm(s, { kind: 'timer-expired', timer: 'idle-hold' }, now);
    t.equal(r.state.state, 'connect', 'automatic start after IdleHold');
    t.equal(r.state.reason, 'automatic-start');
    t.same(
      r.actions.map((a) => a.kind),
      ['connect'],
    );
    s = r.state;
    for (const e of [CONNECTED, OPEN, KA]) s = stepFsm(s, e, ++now).state;
  }
  // Each wait is the doubled base (1, 2, 4, 8, 8 s) times jitter in [0.75, 1].
  const bases = [1000, 2000, 4000, 8000, 8000];
  waits.forEach((w, i) =>
    t.ok(w >= bases[i]! * 0.75 && w <= bases[i]!, `wait ${i} = ${w} within jitter of ${bases[i]}`),
  );
  // A session that stayed up past dampingResetTime starts the backoff over.
  now += 61_000;
  s = stepFsm(s, { kind: 'tcp-connection-failed' }, now).state;
  const w = s.timers['idle-hold']! - now;
  t.ok(w <= 1000 && w >= 750, `stable session resets the backoff (${w})`);
});

t.test('manual stop cancels automatic restart', async (t) => {
  let s = drive([...PATHS.established, { kind: 'tcp-connection-failed' }]);
  t.ok(s.timers['idle-hold'] !== undefined);
  s = stepFsm(s, { kind: 'manual-stop' }, 5000).state;
  t.same(s.timers, {}, 'no timers after manual stop');
  t.equal(s.autoStart, false);
  const r = stepFsm(s, { kind: 'timer-expired', timer: 'idle-hold' }, 9000);
  t.equal(r.state.state, 'idle', 'a stale idle-hold deadline does nothing');
});

t.test('connect retry backs off exponentially up to the ceiling', async (t) => {
  let s = drive([START]);
  let now = 1;
  const waits: number[] = [];
  for (let i = 0; i < 6; i++) {
    s = stepFsm(s, { kind: 'tcp-connection-failed' }, now).state;
    t.equal(s.state, 'active');
    const d = s.timers['connect-retry']!;
    waits.push(d - now);
    now = d;
    s = stepFsm(s, { kind: 'timer-expired', timer: 'connect-retry' }, now).state;
    t.equal(s.state, 'connect');
  }
  const bases = [2000, 4000, 8000, 8000, 8000, 8000];
  waits.forEach((w, i) => t.ok(w >= bases[i]! * 0.75 && w <= bases[i]!, `retry ${i} waits ${w} (base ${bases[i]})`));
  s = stepFsm(s, CONNECTED, ++now).state;
  t.equal(s.connectFailures, 0, 'a connection resets the backoff');
});

t.test('DelayOpen: OPEN from the peer first, or our OPEN when the timer runs out', async (t) => {
  const cfg = { ...CONFIG, delayOpenTime: 5 };
  let s = drive([START, CONNECTED], cfg);
  t.equal(s.timers['delay-open'], 2 + 5000);
  let r = stepFsm(s, OPEN, 100);
  t.equal(r.state.state, 'open-confirm');
  t.same(
    r.actions.map((a) => a.kind),
    ['send-open', 'send-keepalive'],
  );
  s = drive([START, CONNECTED], cfg);
  r = stepFsm(s, { kind: 'timer-expired', timer: 'delay-open' }, 5002);
  t.equal(r.state.state, 'open-sent');
  t.equal(r.state.reason, 'delay-open-expired');
  t.same(
    r.actions.map((a) => a.kind),
    ['send-open'],
  );
});

t.test('OpenSent waits at most 4 minutes for the OPEN', async (t) => {
  const s = drive([START, CONNECTED]);
  t.equal(s.timers.hold, 2 + 240_000);
  t.equal(s.timers['connect-retry'], undefined, 'ConnectRetry stopped');
});

t.test('dynamic peer AS: any AS accepted when none is configured', async (t) => {
  const { peerAsn: _drop, ...noPeer } = CONFIG;
  const s = drive([START, CONNECTED, { kind: 'open-received', open: peerOpen({ asn: 4200000001 }) }], noPeer);
  t.equal(s.state, 'open-confirm');
});

t.test('required capabilities are enforced', async (t) => {
  const s = drive([START, CONNECTED], { ...CONFIG, requiredCapabilities: [70] });
  const r = stepFsm(s, OPEN, 10);
  const n = r.actions.find((a) => a.kind === 'send-notification');
  t.same(
    n?.kind === 'send-notification'
      ? [n.notification.code, n.notification.subcode, [...n.notification.data]]
      : undefined,
    [2, 7, [70, 0]],
  );
});

t.test('steps never mutate the state they are given', async (t) => {
  const s = drive(PATHS['open-confirm']);
  const copy = JSON.stringify(s);
  stepFsm(s, KA, 99);
  stepFsm(s, { kind: 'timer-expired', timer: 'hold' }, 10 ** 9);
  t.equal(JSON.stringify(s), copy);
});

t.test('collision detection: the higher BGP Identifier keeps its own connection', async (t) => {
  const table = [
    { local: '192.0.2.1', remote: '192.0.2.2', loser: 'outbound' },
    { local: '192.0.2.2', remote: '192.0.2.1', loser: 'inbound' },
    { local: '10.0.0.1', remote: '9.255.255.255', loser: 'inbound' },
    { local: '128.0.0.1', remote: '127.255.255.255', loser: 'inbound' },
    { local: '1.2.3.4', remote: '200.0.0.1', loser: 'outbound' },
  ];
  for (const row of table) t.equal(collisionLoser(row.local, row.remote), row.loser, `${row.local} vs ${row.remote}`);
});
