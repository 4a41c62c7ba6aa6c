import t from 'tap';
import { ManualClock } from '@lbkit/core';
import { rig, timeline } from '../fixtures/rig.js';

t.test('default burst: a round at once, then every 1000 ms, five rounds, both ARP forms', async (t) => {
  const r = await rig({ rescanIntervalMs: 0 });
  await r.announcer.announce('192.0.2.10');
  r.clock.advance(10_000);
  const round = (ms: number): string[] => [
    `${ms} arp-request 192.0.2.10>192.0.2.10`,
    `${ms} arp-reply 192.0.2.10>192.0.2.10`,
  ];
  t.same(timeline(r.net, 'b:eth0'), [...round(0), ...round(1000), ...round(2000), ...round(3000), ...round(4000)]);
  t.same(
    r.events.filter((e) => e.kind === 'burst-completed'),
    [{ time: 4000, kind: 'burst-completed', event: { vip: '192.0.2.10', rounds: 5 } }],
  );
  t.equal(r.received.length, 10, 'the client heard every frame');
  t.same(r.announcer.stats().sent, {
    reply: 0,
    'gratuitous-request': 5,
    'gratuitous-reply': 5,
    'unsolicited-na': 0,
    probe: 0,
  });
  t.same(r.announcer.stats().vips, { '192.0.2.10': { requests: 0, replies: 0, announcements: 10 } });
  t.equal(r.clock.pending, 0, 'no timer left after the burst');
});

t.test('configured burst timing is exact to the millisecond', async (t) => {
  const r = await rig({
    rescanIntervalMs: 0,
    burstInitialDelayMs: 100,
    burstCount: 3,
    burstIntervalMs: 500,
    gratuitousArpForms: ['reply'],
  });
  r.clock.advance(7);
  await r.announcer.announce('2001:db8::10');
  await r.announcer.announce('192.0.2.10');
  r.clock.advance(5_000);
  t.same(timeline(r.net, 'b:eth0'), [
    '107 na O ..0:10',
    '107 arp-reply 192.0.2.10>192.0.2.10',
    '607 na O ..0:10',
    '607 arp-reply 192.0.2.10>192.0.2.10',
    '1107 na O ..0:10',
    '1107 arp-reply 192.0.2.10>192.0.2.10',
  ]);
});

t.test('verify-before-send cancels a burst when ownership is lost', async (t) => {
  const r = await rig({ rescanIntervalMs: 0 }, { verify: true });
  await r.announcer.announce('192.0.2.10');
  r.clock.advance(1_500);
  r.owned.value = false;
  r.clock.advance(10_000);
  t.same(
    timeline(r.net, 'b:eth0').map((l) => l.split(' ')[0]),
    ['0', '0', '1000', '1000'],
    'rounds at 0 and 1000 only',
  );
  t.same(
    r.events.filter((e) => e.kind.startsWith('burst')),
    [{ time: 2000, kind: 'burst-cancelled', event: { vip: '192.0.2.10', reason: 'verify-failed', roundsSent: 2 } }],
  );
  t.equal(r.clock.pending, 0);
});

t.test('verify-before-send off: the burst runs whatever verifyOwnership says', async (t) => {
  const r = await rig({ rescanIntervalMs: 0, verifyBeforeSend: false, burstCount: 2 }, { verify: true });
  r.owned.value = false;
  await r.announcer.announce('192.0.2.10');
  r.clock.advance(5_000);
  t.equal(r.net.sentBy('b:eth0').length, 4);
});

t.test('withdraw mid-burst: no more announcements, no more answers', async (t) => {
  const r = await rig({ rescanIntervalMs: 0 });
  await r.announcer.announce('192.0.2.10');
  r.clock.advance(1_200);
  await r.announcer.withdraw('192.0.2.10');
  r.clock.advance(10_000);
  t.equal(r.net.sentBy('b:eth0').length, 4);
  t.same(
    r.events.filter((e) => e.kind.startsWith('burst')),
    [{ time: 1200, kind: 'burst-cancelled', event: { vip: '192.0.2.10', reason: 'withdrawn', roundsSent: 2 } }],
  );
  t.same(r.announcer.owned(), []);
  t.equal(r.announcer.interfacesOf('192.0.2.10'), undefined);
  await r.announcer.withdraw('192.0.2.10');
  t.pass('withdrawing twice does nothing');
});

t.test('periodic refresh after the burst, stopped by withdraw', async (t) => {
  const r = await rig({
    rescanIntervalMs: 0,
    burstCount: 2,
    refreshIntervalMs: 30_000,
    gratuitousArpForms: ['request'],
  });
  await r.announcer.announce('192.0.2.10');
  r.clock.advance(70_000);
  t.same(
    timeline(r.net, 'b:eth0').map((l) => Number(l.split(' ')[0])),
    [0, 1000, 31000, 61000],
  );
  await r.announcer.withdraw('192.0.2.10');
  r.clock.advance(100_000);
  t.equal(r.net.sentBy('b:eth0').length, 4);
  t.equal(r.clock.pending, 0);
});

t.test('announcing an owned VIP again re-asserts only when no burst is running', async (t) => {
  const r = await rig({ rescanIntervalMs: 0, burstCount: 2, gratuitousArpForms: ['request'] });
  await r.announcer.announce('192.0.2.10');
  r.clock.advance(500);
  await r.announcer.announce('192.0.2.10');
  r.clock.advance(5_000);
  t.same(
    timeline(r.net, 'b:eth0').map((l) => Number(l.split(' ')[0])),
    [0, 1000],
    'a repeat during a burst changes nothing',
  );
  await r.announcer.announce('192.0.2.10');
  r.clock.advance(5_000);
  t.same(
    timeline(r.net, 'b:eth0').map((l) => Number(l.split(' ')[0])),
    [0, 1000, 5500, 6500],
    'a repeat after it starts a new burst',
  );
});

t.test('announce before start: recorded, announced on start', async (t) => {
  const r = await rig({ rescanIntervalMs: 0, burstCount: 1, gratuitousArpForms: ['request'] }, { start: false });
  await r.announcer.announce('192.0.2.10');
  r.clock.advance(1000);
  t.equal(r.net.sent.length, 0);
  await r.announcer.start();
  await r.announcer.start();
  r.clock.advance(0);
  t.same(timeline(r.net, 'b:eth0'), ['1000 arp-request 192.0.2.10>192.0.2.10']);
  await r.announcer.stop();
  await r.announcer.stop();
  t.notOk(r.announcer.isStarted());
  t.ok(r.net.port('b:eth0') === undefined, 'connection closed');
  t.same(r.announcer.owned(), ['192.0.2.10'], 'ownership survives a stop');
  await ManualClock.flush();
});
