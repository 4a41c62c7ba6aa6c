import t from 'tap';
import { ManualClock } from '@lbkit/core';
import { ethernetInterface } from '../../src/testing/index.js';
import { rig, timeline } from '../fixtures/rig.js';

const tick = async (r: { clock: ManualClock }, ms: number): Promise<void> => {
  r.clock.advance(ms);
  for (let i = 0; i < 5; i++) await ManualClock.flush();
};

t.test('only eligible interfaces are opened, each verdict visible', async (t) => {
  const r = await rig({ rescanIntervalMs: 0 }, { extraInterfaces: true });
  const states = Object.fromEntries(
    r.announcer.interfaceStates().map((s) => [s.name, `${s.reason} arp=${s.arp} ndp=${s.ndp} open=${s.open}`]),
  );
  t.same(states, {
    eth0: 'eligible arp=true ndp=true open=true',
    lo: 'excluded-by-name arp=false ndp=false open=false',
    veth12ab: 'excluded-by-name arp=false ndp=false open=false',
    docker0: 'excluded-by-name arp=false ndp=false open=false',
    eth1: 'eligible arp=true ndp=false open=true',
    bond0slave: 'enslaved arp=false ndp=false open=false',
    eth2: 'noarp arp=false ndp=false open=false',
    eth3: 'down arp=false ndp=false open=false',
    wg0: 'not-ethernet arp=false ndp=false open=false',
  });
  await r.announcer.announce('192.0.2.10');
  await r.announcer.announce('2001:db8::10');
  t.same(r.announcer.interfacesOf('192.0.2.10')?.sort(), ['eth0', 'eth1']);
  t.same(r.announcer.interfacesOf('2001:db8::10'), ['eth0'], 'IPv6 only where there is a link-local');
  await r.announcer.announce('192.0.2.11', 'eth1');
  t.same(r.announcer.interfacesOf('192.0.2.11'), ['eth1']);
});

t.test('announce-failed when no interface matches; the VIP goes live when one appears', async (t) => {
  const r = await rig({ rescanIntervalMs: 1000, burstCount: 1, gratuitousArpForms: ['request'] });
  await r.announcer.announce('192.0.2.10', 'eth5');
  t.same(
    r.events.filter((e) => e.kind === 'announce-failed').map((e) => e.event),
    [{ vip: '192.0.2.10', reason: 'no-eligible-interface', interfaces: ['eth5'] }],
  );
  t.same(r.announcer.interfacesOf('192.0.2.10'), []);
  await tick(r, 500);
  r.ifaces.set(ethernetInterface('eth5', 11, '02:00:00:00:11:0b'));
  await tick(r, 500);
  t.same(r.announcer.interfacesOf('192.0.2.10'), ['eth5']);
  t.same(
    timeline(r.net, 'b:eth5'),
    ['1000 arp-request 192.0.2.10>192.0.2.10'],
    'burst on the new interface as soon as it is seen',
  );
});

t.test('interface down, then up: link lost and restored, group re-joined, burst re-sent', async (t) => {
  const r = await rig({ rescanIntervalMs: 1000, burstCount: 1 });
  await r.announcer.announce('2001:db8::10');
  await tick(r, 0);
  const first = r.net.port('b:eth0')!;
  t.ok(first.groups.includes('33:33:ff:00:00:10'));
  r.ifaces.update('eth0', { up: false });
  await tick(r, 1000);
  t.ok(first.closed, 'the connection is closed');
  t.same(
    r.events.filter((e) => e.kind === 'link-lost'),
    [
      {
        time: 1000,
        kind: 'link-lost',
        event: { interface: 'eth0', reason: 'ineligible', detail: 'down', vips: ['2001:db8::10'] },
      },
    ],
  );
  t.same(r.announcer.interfacesOf('2001:db8::10'), []);
  r.ifaces.update('eth0', { up: true });
  await tick(r, 1000);
  const second = r.net.port('b:eth0')!;
  t.not(second, first, 'a fresh connection');
  t.same(second.groups.sort(), ['33:33:00:00:00:01', '33:33:ff:00:00:10'], 'solicited-node group joined again');
  t.same(
    r.events.filter((e) => e.kind === 'link-restored'),
    [{ time: 2000, kind: 'link-restored', event: { interface: 'eth0', vips: ['2001:db8::10'] } }],
  );
  t.same(
    timeline(r.net, 'b:eth0').map((l) => l.split(' ')[0]),
    ['0', '2000'],
    'announced again on return',
  );
});

t.test('carrier loss is reported without closing; carrier return re-announces', async (t) => {
  const r = await rig({ rescanIntervalMs: 1000, burstCount: 1, gratuitousArpForms: ['request'] });
  await r.announcer.announce('192.0.2.10');
  await tick(r, 0);
  r.ifaces.update('eth0', { carrier: false });
  await tick(r, 1000);
  t.same(
    r.events.filter((e) => e.kind === 'link-lost').map((e) => e.event),
    [{ interface: 'eth0', reason: 'carrier-lost', vips: ['192.0.2.10'] }],
  );
  t.notOk(r.net.port('b:eth0')!.closed);
  await tick(r, 3000);
  t.equal(r.events.filter((e) => e.kind === 'link-lost').length, 1, 'reported once');
  r.ifaces.update('eth0', { carrier: true });
  await tick(r, 1000);
  t.same(
    r.events.filter((e) => e.kind === 'link-restored').map((e) => [e.time, e.event]),
    [[5000, { interface: 'eth0', vips: ['192.0.2.10'] }]],
  );
  t.same(
    timeline(r.net, 'b:eth0').map((l) => l.split(' ')[0]),
    ['0', '5000'],
  );
});

t.test('interface removed, and recreated with a new index', async (t) => {
  const r = await rig({ rescanIntervalMs: 1000, burstCount: 0 });
  await r.announcer.announce('192.0.2.10');
  r.ifaces.remove('eth0');
  await tick(r, 1000);
  t.same(
    r.events.filter((e) => e.kind === 'link-lost').map((e) => e.event),
    [{ interface: 'eth0', reason: 'removed', vips: ['192.0.2.10'] }],
  );
  t.same(
    r.events.filter((e) => e.kind === 'interface-removed').map((e) => e.event),
    [{ interface: 'eth0', reason: 'removed' }],
  );
  t.same(r.announcer.interfaceStates(), []);
  r.ifaces.set(ethernetInterface('eth0', 2, '02:00:00:00:00:0b', 'fe80::b'));
  await tick(r, 1000);
  t.same(r.announcer.interfacesOf('192.0.2.10'), ['eth0']);
  r.ifaces.set(ethernetInterface('eth0', 22, '02:00:00:00:00:0b', 'fe80::b'));
  await tick(r, 1000);
  t.equal(r.net.port('b:eth0')!.index, 22, 'reopened on the new index');
  t.same(
    r.events
      .filter((e) => e.kind === 'link-lost')
      .map((e) => e.event)
      .at(-1),
    { interface: 'eth0', reason: 'removed', vips: ['192.0.2.10'] },
  );
  t.same(r.announcer.interfacesOf('192.0.2.10'), ['eth0']);
  await r.announcer.stop();
  t.equal(r.clock.pending, 0, 'stop cancels the rescan');
});

t.test('a link-local appearing later enables NDP on the interface', async (t) => {
  const r = await rig({ rescanIntervalMs: 1000, burstCount: 0 });
  r.ifaces.set(ethernetInterface('eth0', 2, '02:00:00:00:00:0b', null));
  await r.announcer.rescan();
  await r.announcer.announce('2001:db8::10');
  t.same(r.announcer.interfacesOf('2001:db8::10'), []);
  r.ifaces.set(ethernetInterface('eth0', 2, '02:00:00:00:00:0b', 'fe80::b'));
  await r.announcer.rescan();
  t.same(r.announcer.interfacesOf('2001:db8::10'), ['eth0']);
  t.ok(r.net.port('b:eth0')!.groups.includes('33:33:ff:00:00:10'));
});

t.test('a connection that cannot be opened is reported and retried', async (t) => {
  const r = await rig({ rescanIntervalMs: 0 }, { start: false });
  let fail = true;
  const failing = await import('../../src/index.js').then((m) =>
    m.createAnnouncer(
      { rescanIntervalMs: 0 },
      {
        clock: r.clock,
        interfaces: r.ifaces,
        openConn: (target) => (fail ? Promise.reject(new Error('EPERM')) : r.net.opener('x')(target)),
      },
    ),
  );
  const errors: unknown[] = [];
  failing.on('send-failed', (e) => errors.push(e));
  await failing.start();
  t.equal(errors.length, 1);
  t.equal(failing.interfaceStates()[0]?.open, false);
  fail = false;
  await failing.rescan();
  t.equal(failing.interfaceStates()[0]?.open, true);
  await failing.stop();
});
