import t from 'tap';
import type { ManualClock } from '@lbkit/core';
import { createMember, encodePacket, sealFrame, Keyring } from '../../src/index.js';
import { SimNetwork } from '../../src/testing/index.js';

t.test('the factory validates its input field by field', async (t) => {
  const bad = [
    { init: { name: '' }, field: 'name' },
    { init: { name: 'x'.repeat(300) }, field: 'name' },
    { init: { name: 'a', port: 70000 }, field: 'port' },
    { init: { name: 'a', seeds: ['no-port'] }, field: 'seeds[0]' },
    { init: { name: 'a', overrides: { probeIntervalMs: -1 } }, field: 'profile.probeIntervalMs' },
    { init: { name: 'a', secrets: [] }, field: 'keyring.secrets' },
  ];
  for (const b of bad) t.throws(() => createMember(b.init), { code: 'ERR_INVALID_ARGUMENT', field: b.field }, b.field);
});

t.test('garbage, forged and replayed packets are dropped and counted; the member keeps working', async (t) => {
  const net = new SimNetwork({ seed: 9 });
  const clock = net.clock as ManualClock;
  const mk = (name: string, addr: string, seeds: string[]) =>
    createMember(
      { name, seeds, secrets: ['s'], label: 'c', addresses: [{ ip: '203.0.113.1' }] },
      {
        clock: net.clockFor(addr),
        transport: net.transport(addr),
        random: net.randomFor(),
        randomBytes: net.randomBytesFor(),
      },
    );
  const a = mk('a', '192.0.2.1:7946', []);
  const b = mk('b', '192.0.2.2:7946', ['192.0.2.1:7946']);
  await a.start();
  await b.start();
  clock.advance(2000);
  t.equal(a.members().filter((m) => m.status === 'alive').length, 2, 'joined');

  // Capture one authentic packet from b to a, to replay it.
  const captured: Uint8Array[] = [];
  const evil = net.transport('192.0.2.66:7946');
  evil.listen({ onPacket: () => undefined, onExchange: () => undefined });
  const ringB = new Keyring({ secrets: ['s'], label: 'c' }, () => new Uint8Array([1, 2, 3, 4]));
  const authentic = sealFrame(
    'packet',
    encodePacket({ sender: 'b', epoch: 1, seq: 1, messages: [{ type: 'heartbeat', incarnation: 1 }] }),
    ringB,
  );
  captured.push(authentic);
  const wrongKey = sealFrame(
    'packet',
    encodePacket({ sender: 'b', epoch: 1, seq: 2, messages: [] }),
    new Keyring({ secrets: ['other'], label: 'c' }, () => new Uint8Array(4)),
  );
  for (const bytes of [
    new Uint8Array([1, 2, 3]),
    new Uint8Array(0),
    wrongKey,
    sealFrame('state', new Uint8Array([0]), ringB),
    authentic,
    authentic,
  ]) {
    evil.send('192.0.2.1:7946', bytes);
  }
  clock.advance(10);
  const d = a.stats().dropped;
  t.equal(d.decode, 2, 'malformed counted');
  t.equal(d.auth, 1, 'unauthenticated counted');
  t.equal(d['wrong-kind'], 1, 'a state frame on the datagram socket counted');
  // b's real epoch is its start incarnation (wall clock seconds), so a packet claiming epoch 1 is stale.
  t.equal(d.replay, 2, 'old-epoch and duplicate packets counted as replays');
  clock.advance(3000);
  t.equal(a.members().filter((m) => m.status === 'alive').length, 2, 'still healthy');
  t.ok(a.stats().packetsOut > 0 && a.stats().counters.probe! > 0, 'still probing');
  await a.stop();
  await b.stop();
});

t.test('graceful leave moves the leaver’s IPs within one round trip', async (t) => {
  const net = new SimNetwork({ seed: 10 });
  const ips = Array.from({ length: 30 }, (_, i) => ({ ip: `203.0.113.${i + 1}` }));
  const mk = (name: string, addr: string, seeds: string[]) =>
    createMember(
      { name, seeds, addresses: ips },
      {
        clock: net.clockFor(addr),
        transport: net.transport(addr),
        random: net.randomFor(),
        randomBytes: net.randomBytesFor(),
      },
    );
  const a = mk('a', '192.0.2.1:7946', []);
  const b = mk('b', '192.0.2.2:7946', ['192.0.2.1:7946']);
  await a.start();
  await b.start();
  net.clock.advance(2000);
  const bIps = [...a.ownersFor(ips.map((e) => e.ip)).values()].filter((o) => o.owner === 'b').map((o) => o.ip);
  t.ok(bIps.length > 0);
  const t0 = net.clock.now();
  let movedAt: number | undefined;
  a.on('member-left', () => (movedAt = net.clock.now() - t0));
  const leaving = b.leave(300);
  net.clock.advance(5);
  t.ok(movedAt !== undefined && movedAt < 5, `left seen after ${movedAt} ms`);
  t.ok(
    bIps.every((ip) => a.ownersFor([ip]).get(ip)?.local === true),
    'a announces every IP b had',
  );
  net.clock.advance(400);
  await leaving;
  t.notOk(b.isStarted());
  await a.stop();
});

t.test('strict mode announces only while the lease is held, and never claims on the fast path', async (t) => {
  const net = new SimNetwork({ seed: 11 });
  const ips = [{ ip: '203.0.113.1' }];
  const m = createMember(
    { name: 'solo', strict: true, addresses: ips },
    {
      clock: net.clockFor('192.0.2.1:7946'),
      transport: net.transport('192.0.2.1:7946'),
      random: net.randomFor(),
      randomBytes: net.randomBytesFor(),
    },
  );
  await m.start();
  t.equal(m.profile.takeoverIntervalMs, 0, 'fast path off');
  t.same(m.ownersFor(['203.0.113.1']).get('203.0.113.1'), {
    ip: '203.0.113.1',
    owner: 'solo',
    standby: undefined,
    reason: 'only-candidate',
    local: false,
    localReason: 'no-lease',
  });
  m.setLeaseHeld(true);
  t.equal(m.ownersFor(['203.0.113.1']).get('203.0.113.1')?.local, true);
  m.setLeaseHeld(false);
  t.equal(m.ownersFor(['203.0.113.1']).get('203.0.113.1')?.localReason, 'no-lease');
  t.equal(m.stats().heartbeatsPerSecond, 0);
  await m.stop();
});
