import t from 'tap';
import { ManualClock, ipToBytes, parseIp, parseMac } from '@lbkit/core';
import { buildNeighborSolicitation, createAnnouncer, decodeArp, decodeEthernet } from '../../src/index.js';
import { MemoryInterfaces, MemoryNetwork, ethernetInterface } from '../../src/testing/index.js';
import { golden } from '../fixtures/frames.js';
import { MAC_B, MAC_CLIENT, describe, rig } from '../fixtures/rig.js';

const ip = (s: string): Uint8Array => ipToBytes(parseIp(s));

t.test('answers ARP and NS for owned VIPs through the connection, in the same millisecond', async (t) => {
  const r = await rig({ rescanIntervalMs: 0, burstCount: 0 });
  await r.announcer.announce('192.0.2.2');
  await r.announcer.announce('2001:db8::2');
  r.clock.advance(250);
  await r.client.send(golden('arp-request-1'));
  await r.client.send(golden('ndp-ns-na-1'));
  t.same(
    r.received.map((f) => `${f.time} ${describe(f.data)}`),
    ['250 arp-reply 192.0.2.2>192.0.2.1', '250 na S O ..0:2'],
  );
  const reply = decodeArp(decodeEthernet(r.received[0]!.data).payload);
  t.same(reply.senderHardwareAddress, parseMac(MAC_B));
  t.same(reply.targetHardwareAddress, parseMac(MAC_CLIENT));
  t.equal(r.announcer.stats().frames.reply, 2);
  t.same(r.announcer.stats().vips, {
    '192.0.2.2': { requests: 1, replies: 1, announcements: 0 },
    '2001:db8::2': { requests: 1, replies: 1, announcements: 0 },
  });
  t.equal(r.announcer.stats().sent.reply, 2);
  await r.announcer.withdraw('192.0.2.2');
  await r.client.send(golden('arp-request-1'));
  t.equal(r.received.length, 2, 'no answer after withdraw');
  t.equal(r.announcer.stats().frames['not-ours'], 1);
});

t.test('solicited-node groups are joined per VIP, reference-counted, and left on withdraw', async (t) => {
  const r = await rig({ rescanIntervalMs: 0, burstCount: 0 });
  const groups = (): Readonly<Record<string, number>> =>
    r.announcer.interfaceStates().find((s) => s.name === 'eth0')!.groups;
  t.same(groups(), { '33:33:00:00:00:01': 1 }, 'all-nodes joined on an NDP interface, to see unsolicited NAs');
  // 2001:db8::10 and 2001:db8:1::10 share their low 24 bits: one group, two references.
  await r.announcer.announce('2001:db8::10');
  await r.announcer.announce('2001:db8:1::10');
  await r.announcer.announce('2001:db8::20');
  await r.announcer.announce('192.0.2.10');
  t.same(groups(), { '33:33:00:00:00:01': 1, '33:33:ff:00:00:10': 2, '33:33:ff:00:00:20': 1 });
  t.same(r.net.port('b:eth0')!.groups.sort(), ['33:33:00:00:00:01', '33:33:ff:00:00:10', '33:33:ff:00:00:20']);
  await r.announcer.withdraw('2001:db8::10');
  t.same(groups(), { '33:33:00:00:00:01': 1, '33:33:ff:00:00:10': 1, '33:33:ff:00:00:20': 1 });
  t.ok(r.net.port('b:eth0')!.groups.includes('33:33:ff:00:00:10'), 'still joined for the other VIP');
  await r.announcer.withdraw('2001:db8:1::10');
  await r.announcer.withdraw('2001:db8::20');
  t.same(groups(), { '33:33:00:00:00:01': 1 });
  t.same(r.net.port('b:eth0')!.groups, ['33:33:00:00:00:01']);
  // A multicast NS is only delivered while the group is joined: the joins are what make answers possible.
  await r.announcer.announce('2001:db8::2');
  await r.client.send(buildNeighborSolicitation(parseMac(MAC_CLIENT), ip('fe80::a'), ip('2001:db8::2')));
  t.equal(r.received.length, 1);
});

t.test('a duplicate announcer is detected by both sides, with both MACs, throttled', async (t) => {
  const clock = new ManualClock();
  const net = new MemoryNetwork({}, { clock });
  const mk = (node: string, mac: string) => {
    const a = createAnnouncer(
      { rescanIntervalMs: 0, burstCount: 1 },
      { clock, openConn: net.opener(node), interfaces: new MemoryInterfaces([ethernetInterface('eth0', 2, mac)]) },
    );
    const seen: unknown[] = [];
    a.on('conflict-detected', (c) => seen.push({ time: clock.now(), ...c }));
    return { a, seen };
  };
  const b = mk('b', MAC_B);
  const c = mk('c', '02:00:00:00:00:0c');
  await b.a.start();
  await c.a.start();
  await b.a.announce('192.0.2.10');
  await b.a.announce('2001:db8::10');
  clock.advance(0);
  await c.a.announce('192.0.2.10');
  await c.a.announce('2001:db8::10');
  clock.advance(0);
  t.same(b.seen, [
    { time: 0, vip: '192.0.2.10', interface: 'eth0', theirMac: '02:00:00:00:00:0c', ourMac: MAC_B, via: 'arp-request' },
    {
      time: 0,
      vip: '2001:db8::10',
      interface: 'eth0',
      theirMac: '02:00:00:00:00:0c',
      ourMac: MAC_B,
      via: 'neighbor-advertisement',
    },
  ]);
  t.equal(c.seen.length, 0, 'c was not owning the VIPs when b announced');
  await c.a.withdraw('192.0.2.10');
  await c.a.announce('192.0.2.10');
  clock.advance(5_000);
  t.equal(b.seen.length, 2, 'a second claim within 10 s is not reported again');
  clock.advance(5_000);
  await c.a.withdraw('192.0.2.10');
  await c.a.announce('192.0.2.10');
  clock.advance(0);
  t.equal(b.seen.length, 3, 'reported again after the interval');
  t.ok(b.a.stats().frames.conflict >= 3);
});

t.test('self-probe counts the other MACs answering for our VIP', async (t) => {
  const clock = new ManualClock();
  const net = new MemoryNetwork({}, { clock });
  const probing = createAnnouncer(
    { rescanIntervalMs: 0, burstCount: 0, selfProbeIntervalMs: 10_000, selfProbeWaitMs: 1_000 },
    { clock, openConn: net.opener('b'), interfaces: new MemoryInterfaces([ethernetInterface('eth0', 2, MAC_B)]) },
  );
  const rogue = createAnnouncer(
    { rescanIntervalMs: 0, burstCount: 0 },
    {
      clock,
      openConn: net.opener('c'),
      interfaces: new MemoryInterfaces([ethernetInterface('eth0', 2, '02:00:00:00:00:0c')]),
    },
  );
  const results: unknown[] = [];
  probing.on('self-probe-completed', (e) => results.push({ time: clock.now(), ...e }));
  await probing.start();
  await rogue.start();
  await probing.announce('192.0.2.10');
  await probing.announce('2001:db8::10');
  clock.advance(11_000);
  t.same(results, [
    { time: 11_000, vip: '192.0.2.10', interface: 'eth0', responders: [] },
    { time: 11_000, vip: '2001:db8::10', interface: 'eth0', responders: [] },
  ]);
  await rogue.announce('192.0.2.10');
  await rogue.announce('2001:db8::10');
  clock.advance(10_000);
  t.same(results.slice(2), [
    { time: 21_000, vip: '192.0.2.10', interface: 'eth0', responders: ['02:00:00:00:00:0c'] },
    { time: 21_000, vip: '2001:db8::10', interface: 'eth0', responders: ['02:00:00:00:00:0c'] },
  ]);
  t.equal(probing.stats().sent.probe, 4);
  await probing.stop();
  await rogue.stop();
  t.equal(clock.pending, 0, 'stop cancels the probe timers');
});

t.test('loss and delay knobs of the in-memory segment', async (t) => {
  const clock = new ManualClock();
  let n = 0;
  // Every other delivery is dropped; the rest arrive 3 ms late.
  const net = new MemoryNetwork({ delayMs: 3, loss: 0.5 }, { clock, random: () => (n++ % 2 === 0 ? 0.1 : 0.9) });
  const a = createAnnouncer(
    { rescanIntervalMs: 0, burstCount: 4, gratuitousArpForms: ['request'] },
    { clock, openConn: net.opener('b'), interfaces: new MemoryInterfaces([ethernetInterface('eth0', 2, MAC_B)]) },
  );
  const client = net.connect({ name: 'client', index: 1, mac: parseMac(MAC_CLIENT) });
  const got: number[] = [];
  client.onFrame(() => got.push(clock.now()));
  await a.start();
  await a.announce('192.0.2.10');
  clock.advance(10_000);
  t.same(got, [1003, 3003], 'two of four rounds survive, each 3 ms late');
  client.cut = true;
  await a.announce('192.0.2.11');
  clock.advance(10_000);
  t.equal(got.length, 2, 'a cut port hears nothing');
});

t.test('createAnnouncer validates its input, naming the field', async (t) => {
  const clock = new ManualClock();
  const comps = { clock, openConn: new MemoryNetwork({}, { clock }).opener(), interfaces: new MemoryInterfaces() };
  const bad: Array<[string, Record<string, unknown>]> = [
    ['burstCount', { burstCount: -1 }],
    ['burstCount', { burstCount: 1.5 }],
    ['burstIntervalMs', { burstIntervalMs: 0 }],
    ['burstInitialDelayMs', { burstInitialDelayMs: Number.NaN }],
    ['gratuitousArpForms', { gratuitousArpForms: [] }],
    ['gratuitousArpForms', { gratuitousArpForms: ['announce'] }],
    ['selfProbeWaitMs', { selfProbeIntervalMs: 1000, selfProbeWaitMs: 1000 }],
    ['excludeInterfaces[0]', { excludeInterfaces: ['('] }],
  ];
  for (const [field, init] of bad)
    t.throws(() => createAnnouncer(init, comps), { code: 'ERR_INVALID_ARGUMENT', field }, field);
  t.throws(() => createAnnouncer({}, { ...comps, openConn: undefined as never }), {
    code: 'ERR_INVALID_ARGUMENT',
    field: 'components.openConn',
  });
  const a = createAnnouncer({}, comps);
  await t.rejects(a.announce('192.0.2.300'), { code: 'ERR_INVALID_ARGUMENT', field: 'vip' });
  await t.rejects(a.announce('224.0.0.1'), { code: 'ERR_INVALID_ARGUMENT', field: 'vip' });
  await t.rejects(a.announce('ff02::1'), { code: 'ERR_INVALID_ARGUMENT', field: 'vip' });
  await t.rejects(a.announce('::'), { code: 'ERR_INVALID_ARGUMENT', field: 'vip' });
  await t.rejects(a.announce('192.0.2.1', []), { code: 'ERR_INVALID_ARGUMENT', field: 'iface' });
});
