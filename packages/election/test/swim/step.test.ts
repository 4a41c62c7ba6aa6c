import t from 'tap';
import {
  createSwimState,
  resolveProfile,
  step,
  type Message,
  type SwimAction,
  type SwimState,
} from '../../src/index.js';

function fresh(profile: 'default' | 'memberlist-lan' = 'default'): SwimState {
  const s = createSwimState({
    name: 'a',
    addr: '192.0.2.1:7946',
    profile: resolveProfile(profile),
    incarnation: 100,
    seed: 1,
    frameOverhead: 37,
  });
  step(s, { kind: 'start' }, 0);
  // Learn b and c through alive messages.
  step(
    s,
    packet('b', [
      { type: 'alive', node: 'b', addr: '192.0.2.2:7946', incarnation: 5, flags: 0 },
      { type: 'alive', node: 'c', addr: '192.0.2.3:7946', incarnation: 7, flags: 0 },
    ]),
    0,
  );
  return s;
}

function packet(sender: string, messages: Message[], from = '192.0.2.9:7946') {
  return { kind: 'packet' as const, from, packet: { sender, epoch: 1, seq: 1, messages } };
}

const sends = (actions: SwimAction[]) =>
  actions.filter((a): a is Extract<SwimAction, { kind: 'send' }> => a.kind === 'send');

t.test('the last action is always the next deadline', async (t) => {
  const s = fresh();
  const r = step(s, { kind: 'tick' }, 1);
  const last = r.actions.at(-1);
  t.equal(last?.kind, 'arm');
  t.ok(last?.kind === 'arm' && last.at > 1 && Number.isFinite(last.at));
  t.equal(r.state, s, 'state is returned');
});

t.test('a ping for us is acked with our incarnation and piggybacked news', async (t) => {
  const s = fresh();
  const r = step(s, packet('b', [{ type: 'ping', seq: 42, target: 'a' }], '192.0.2.2:7946'), 1);
  const ack = sends(r.actions).find((a) => a.messages[0]?.type === 'ack');
  t.ok(ack, 'acked');
  t.equal(ack?.to, '192.0.2.2:7946', 'to the sender’s member address');
  t.same(ack?.messages[0], { type: 'ack', seq: 42, incarnation: 100 });
  t.ok(ack !== undefined && ack.messages.length > 1, 'news rides along');
  const wrong = step(s, packet('b', [{ type: 'ping', seq: 43, target: 'someone-else' }]), 2);
  t.notOk(
    sends(wrong.actions).some((a) => a.messages[0]?.type === 'ack'),
    'a ping for another name is not answered',
  );
  t.equal(s.counters['ping-wrong-target'], 1);
});

t.test('indirect probes are never sent to non-members', async (t) => {
  const s = fresh();
  const r = step(s, packet('b', [{ type: 'ping-req', seq: 9, target: 'mallory' }]), 1);
  t.equal(sends(r.actions).length, 0, 'nothing sent');
  t.equal(s.counters['ping-req-not-member'], 1, 'counted');
  const ok = step(s, packet('b', [{ type: 'ping-req', seq: 9, target: 'c' }], '192.0.2.2:7946'), 2);
  const ping = sends(ok.actions).find((a) => a.messages[0]?.type === 'ping');
  t.equal(ping?.to, '192.0.2.3:7946', 'a member is probed at the address we hold for it');
  // No ack from c: the helper nacks at 80 % of the probe timeout.
  const later = step(s, { kind: 'tick' }, 2 + 80);
  t.ok(
    sends(later.actions).some((a) => a.to === '192.0.2.2:7946' && a.messages[0]?.type === 'nack'),
    'nack to the requester',
  );
});

t.test('SWIM ordering of alive, suspect and dead', async (t) => {
  const s = fresh();
  const b = () => s.members.get('b');
  step(s, packet('c', [{ type: 'suspect', node: 'b', incarnation: 4, from: 'c' }]), 1);
  t.equal(b()?.status, 'alive', 'suspect at an older incarnation is ignored');
  step(s, packet('c', [{ type: 'suspect', node: 'b', incarnation: 5, from: 'c' }]), 2);
  t.equal(b()?.status, 'suspect', 'suspect at the same incarnation wins over alive');
  step(s, packet('c', [{ type: 'alive', node: 'b', addr: '192.0.2.2:7946', incarnation: 5, flags: 0 }]), 3);
  t.equal(b()?.status, 'suspect', 'alive at the same incarnation does not clear it');
  const r = step(s, packet('b', [{ type: 'alive', node: 'b', addr: '192.0.2.2:7946', incarnation: 6, flags: 0 }]), 4);
  t.equal(b()?.status, 'alive', 'a higher incarnation refutes');
  t.ok(r.actions.some((a) => a.kind === 'member' && a.reason === 'refuted'));
  step(s, packet('c', [{ type: 'dead', node: 'b', incarnation: 5, from: 'c' }]), 5);
  t.equal(b()?.status, 'alive', 'dead at an older incarnation is ignored');
  step(s, packet('c', [{ type: 'dead', node: 'b', incarnation: 6, from: 'c' }]), 6);
  t.equal(b()?.status, 'dead', 'dead at the same incarnation wins');
  step(s, packet('c', [{ type: 'dead', node: 'c', incarnation: 7, from: 'c' }]), 7);
  t.equal(s.members.get('c')?.status, 'left', 'dead from the member itself is a graceful leave');
});

t.test('a suspicion about ourselves is refuted with a higher incarnation', async (t) => {
  const s = fresh();
  const r = step(s, packet('b', [{ type: 'suspect', node: 'a', incarnation: 100, from: 'b' }]), 1);
  t.equal(s.incarnation, 101);
  t.ok(r.actions.some((a) => a.kind === 'refuted' && a.incarnation === 101 && a.accusedBy === 'b'));
  t.equal(s.awareness, 1, 'having to refute raises our own local-health score');
  const r2 = step(s, packet('b', [{ type: 'ping', seq: 1, target: 'a' }]), 2);
  const ack = sends(r2.actions).find((a) => a.messages[0]?.type === 'ack');
  t.ok(
    ack?.messages.some((m) => m.type === 'alive' && m.node === 'a' && m.incarnation === 101),
    'the refutation rides on the next packet',
  );
  step(s, packet('b', [{ type: 'dead', node: 'a', incarnation: 50, from: 'b' }]), 3);
  t.equal(s.incarnation, 101, 'stale accusations do not bump the incarnation');
});

t.test('hardening rule 2: an ack with a higher incarnation clears a suspicion', async (t) => {
  const s = fresh();
  step(s, packet('c', [{ type: 'suspect', node: 'b', incarnation: 5, from: 'c' }]), 1);
  // Run until we probe b, then answer with a higher incarnation.
  for (let now = 2; now < 3000; now += 1) {
    step(s, { kind: 'tick' }, now);
    if (s.probe?.target === 'b') {
      step(s, packet('b', [{ type: 'ack', seq: s.probe.seq, incarnation: 6 }]), now + 1);
      break;
    }
  }
  t.equal(s.members.get('b')?.status, 'alive');
  t.equal(s.members.get('b')?.incarnation, 6);
  t.equal(s.counters['ack-cleared-suspicion'], 1);
  const lan = fresh('memberlist-lan');
  step(lan, packet('c', [{ type: 'suspect', node: 'b', incarnation: 5, from: 'c' }]), 1);
  for (let now = 2; now < 5000; now += 1) {
    step(lan, { kind: 'tick' }, now);
    if (lan.probe?.target === 'b') {
      step(lan, packet('b', [{ type: 'ack', seq: lan.probe.seq, incarnation: 6 }]), now + 1);
      break;
    }
  }
  t.equal(lan.members.get('b')?.status, 'suspect', 'memberlist-lan does not use rule 2');
});

t.test('suspicion expires into dead after the floor (3 members: no confirmations wanted)', async (t) => {
  const s = fresh();
  step(s, packet('c', [{ type: 'suspect', node: 'b', incarnation: 5, from: 'c' }]), 1000);
  let deadAt: number | undefined;
  let checked = false;
  for (let now = 1001; now < 4000 && deadAt === undefined; now++) {
    const r = step(s, { kind: 'tick' }, now);
    if (
      sends(r.actions).some(
        (a) => a.to === '192.0.2.2:7946' && a.messages.some((m) => m.type === 'suspect' && m.node === 'b'),
      )
    )
      checked = true;
    if (r.actions.some((a) => a.kind === 'member' && a.member.name === 'b' && a.member.status === 'dead')) deadAt = now;
  }
  t.equal(deadAt, 2000, 'dead exactly 1 s after the suspicion started');
  t.ok(checked, 'the suspect was told, with a probe, before the timer fired (rule 3 or buddy system)');
});

t.test('graceful leave tells every member at once', async (t) => {
  const s = fresh();
  const r = step(s, { kind: 'leave' }, 5);
  const targets = sends(r.actions)
    .map((a) => a.to)
    .sort();
  t.same(targets, ['192.0.2.2:7946', '192.0.2.3:7946']);
  t.ok(sends(r.actions).every((a) => a.messages.some((m) => m.type === 'dead' && m.node === 'a' && m.from === 'a')));
  t.equal(s.status, 'left');
});

t.test('fast takeover: missed heartbeats, a quick probe, then a claim; a refutation ends it', async (t) => {
  const s = fresh();
  step(s, { kind: 'set-pairs', heartbeatTo: [], watch: ['b'] }, 0);
  step(s, packet('b', [{ type: 'heartbeat', incarnation: 5 }]), 100);
  let probeAt: number | undefined;
  let claimAt: number | undefined;
  for (let now = 101; now < 1000 && claimAt === undefined; now++) {
    const r = step(s, { kind: 'tick' }, now);
    if (probeAt === undefined && s.watches.get('b')?.phase === 'probing') {
      probeAt = now;
      t.ok(
        sends(r.actions).some((a) => a.to === '192.0.2.2:7946' && a.messages[0]?.type === 'ping'),
        'the quick probe is a direct ping',
      );
    }
    if (r.actions.some((a) => a.kind === 'claim' && a.owner === 'b')) claimAt = now;
  }
  t.equal(probeAt, 100 + 3 * 100 + 10, 'probe after three missed heartbeats (plus 10 % slack)');
  t.equal(claimAt, (probeAt ?? 0) + 50, 'claim when the quick probe times out');
  t.equal(s.members.get('b')?.status, 'suspect', 'SWIM suspicion starts with the claim');
  const r = step(s, packet('b', [{ type: 'alive', node: 'b', addr: '192.0.2.2:7946', incarnation: 6, flags: 0 }]), 500);
  t.ok(
    r.actions.some((a) => a.kind === 'claim-ended' && a.owner === 'b' && a.reason === 'refuted'),
    'released on refutation',
  );
  t.equal(s.watches.get('b')?.phase, 'disarmed', 'no new claim until a heartbeat is heard again');
  step(s, packet('b', [{ type: 'heartbeat', incarnation: 6 }]), 600);
  t.equal(s.watches.get('b')?.phase, 'watching');
});

t.test('a heartbeat-answering owner is never claimed', async (t) => {
  const s = fresh();
  step(s, { kind: 'set-pairs', heartbeatTo: [], watch: ['b'] }, 0);
  let claims = 0;
  for (let now = 1; now < 5000; now++) {
    if (now % 100 === 0) step(s, packet('b', [{ type: 'heartbeat', incarnation: 5 }]), now);
    const r = step(s, { kind: 'tick' }, now);
    claims += r.actions.filter((a) => a.kind === 'claim').length;
  }
  t.equal(claims, 0);
});

t.test('event-loop lag above the probe timeout raises the local health score', async (t) => {
  const s = fresh();
  step(s, { kind: 'local-health', lagMs: 20 }, 1);
  t.equal(s.awareness, 0, 'small lag ignored');
  step(s, { kind: 'local-health', lagMs: 250 }, 2);
  t.equal(s.awareness, 1);
  for (let i = 0; i < 20; i++) step(s, { kind: 'local-health', lagMs: 250 }, 3 + i);
  t.equal(s.awareness, 7, 'capped at awarenessMax − 1');
  t.equal(s.counters['loop-lag'], 21);
});
