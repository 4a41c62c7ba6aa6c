// Sticky allocation with a reuse cooldown (beyond MetalLB; peers.md §5 gap 7, metallb#2723).
import t from 'tap';
import { ManualClock } from '@lbkit/core';
import { createAllocator } from '../../src/index.js';
import { pool, service } from '../../src/testing/index.js';

const cfg = { pools: [pool('p', '192.0.2.0/30')] };

t.test('a released address is quarantined from other services for the cooldown', async (t) => {
  const clock = new ManualClock();
  const a = createAllocator({ config: cfg, reuseCooldownMs: 60_000 }, { clock });
  a.allocate(service('n/a'));
  a.release('n/a');
  t.equal(a.counts()[0]?.ipv4.quarantined, 1n);
  t.same(a.allocate(service('n/b')).ok && a.lookup('n/b')?.ips, ['192.0.2.1'], 'the quarantined .0 is skipped');
  clock.advance(60_000);
  t.same(a.allocate(service('n/c')).ok && a.lookup('n/c')?.ips, ['192.0.2.0'], 'after the cooldown it is free again');
  t.equal(a.counts()[0]?.ipv4.quarantined, 0n);
});

t.test('a service recreated within the cooldown gets its old address back', async (t) => {
  const clock = new ManualClock();
  const a = createAllocator({ config: cfg, reuseCooldownMs: 60_000 }, { clock });
  a.allocate(service('n/a'));
  a.allocate(service('n/b'));
  a.release('n/a');
  a.release('n/b');
  clock.advance(30_000);
  const b = a.allocate(service('n/b'));
  t.same(b.ok && b.assignment.ips, ['192.0.2.1'], 'n/b gets .1 back, not the lower .0');
  clock.advance(30_000);
  const a2 = a.allocate(service('n/a'));
  t.same(a2.ok && a2.assignment.ips, ['192.0.2.0'], 'expired: plain first-fit');
});

t.test('explicit time instead of a clock; missing time is an error', async (t) => {
  const a = createAllocator({ config: cfg, reuseCooldownMs: 10 });
  t.throws(() => a.allocate(service('n/a')), { name: 'InvalidArgumentError' });
  a.allocate(service('n/a'), { now: 0 });
  a.release('n/a', { now: 5 });
  t.same(a.allocate(service('n/b'), { now: 14 }).ok && a.lookup('n/b')?.ips, ['192.0.2.1']);
  t.same(a.allocate(service('n/c'), { now: 15 }).ok && a.lookup('n/c')?.ips, ['192.0.2.0']);
});

t.test('explicit requests override the quarantine', async (t) => {
  const a = createAllocator({ config: cfg, reuseCooldownMs: 1000 });
  a.allocate(service('n/a'), { now: 0 });
  a.release('n/a', { now: 0 });
  const r = a.allocate(service('n/b', { requestedIPs: ['192.0.2.0'] }), { now: 1 });
  t.same(r.ok && r.assignment.ips, ['192.0.2.0']);
  t.same([a.counts()[0]?.ipv4.quarantined, a.counts()[0]?.ipv4.assigned], [0n, 1n]);
  a.release('n/b', { now: 2 });
  const sticky = a.allocate(service('n/a'), { now: 3 });
  t.same(sticky.ok && sticky.assignment.ips, ['192.0.2.1'], 'n/a cannot take the address n/b quarantined');
});

t.test('quarantine and tombstones survive a config change', async (t) => {
  const a = createAllocator({ config: cfg, reuseCooldownMs: 1000 });
  a.allocate(service('n/a'), { now: 0 });
  a.release('n/a', { now: 0 });
  a.setConfig({ pools: [pool('q', '192.0.2.0/29')] }, { now: 1 });
  t.equal(a.counts()[0]?.ipv4.quarantined, 1n);
  t.same(a.allocate(service('n/x'), { now: 2 }).ok && a.lookup('n/x')?.ips, ['192.0.2.1']);
  t.same(a.allocate(service('n/a'), { now: 3 }).ok && a.lookup('n/a')?.ips, ['192.0.2.0'], 'sticky across the change');
});

t.test('the cooldown is validated', async (t) => {
  t.throws(() => createAllocator({ reuseCooldownMs: -1 }), { name: 'InvalidArgumentError' });
  t.throws(() => createAllocator({ configChangePolicy: 'maybe' as 'reject' }), { name: 'InvalidArgumentError' });
});
