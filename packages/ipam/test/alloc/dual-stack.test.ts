// The dual-stack matrix (metallb.md §2 spec.ipFamilyPolicy, §3.2 step 2, rows 18–20): every policy × ClusterIP
// families × pool shape.
import t from 'tap';
import type { IpFamily } from '@lbkit/core';
import { createAllocator, type IpFamilyPolicy, type PoolConfig } from '../../src/index.js';
import { pool, service } from '../../src/testing/index.js';

const shapes: Record<string, PoolConfig[]> = {
  v4: [pool('v4', '192.0.2.0/30')],
  v6: [pool('v6', '2001:db8::/126')],
  dual: [pool('dual', ['198.51.100.0/30', '2001:db8:1::/126'])],
  split: [pool('v4', '192.0.2.0/30'), pool('v6', '2001:db8::/126')],
  'split+dual': [
    pool('a-v4', '192.0.2.0/30'),
    pool('b-v6', '2001:db8::/126'),
    pool('c-dual', ['198.51.100.0/30', '2001:db8:1::/126']),
  ],
};

const V4 = '192.0.2.0';
const V6 = '2001:db8::';
const D4 = '198.51.100.0';
const D6 = '2001:db8:1::';

type Want = { pool: string; ips: string[]; partial?: boolean } | { fail: string };
const cases: Array<{ policy: IpFamilyPolicy; families: IpFamily[]; shape: keyof typeof shapes; want: Want }> = [
  { policy: 'SingleStack', families: [4], shape: 'v4', want: { pool: 'v4', ips: [V4] } },
  { policy: 'SingleStack', families: [4], shape: 'v6', want: { fail: 'no-available-ips' } },
  { policy: 'SingleStack', families: [4], shape: 'dual', want: { pool: 'dual', ips: [D4] } },
  { policy: 'SingleStack', families: [6], shape: 'v4', want: { fail: 'no-available-ips' } },
  { policy: 'SingleStack', families: [6], shape: 'v6', want: { pool: 'v6', ips: [V6] } },
  { policy: 'SingleStack', families: [6], shape: 'dual', want: { pool: 'dual', ips: [D6] } },
  { policy: 'SingleStack', families: [6], shape: 'split', want: { pool: 'v6', ips: [V6] } },
  { policy: 'PreferDualStack', families: [4], shape: 'dual', want: { pool: 'dual', ips: [D4] } },
  { policy: 'PreferDualStack', families: [4, 6], shape: 'v4', want: { pool: 'v4', ips: [V4], partial: true } },
  { policy: 'PreferDualStack', families: [4, 6], shape: 'v6', want: { pool: 'v6', ips: [V6], partial: true } },
  { policy: 'PreferDualStack', families: [4, 6], shape: 'dual', want: { pool: 'dual', ips: [D4, D6] } },
  { policy: 'PreferDualStack', families: [4, 6], shape: 'split', want: { pool: 'v4', ips: [V4], partial: true } },
  { policy: 'PreferDualStack', families: [6, 4], shape: 'split', want: { pool: 'v6', ips: [V6], partial: true } },
  { policy: 'PreferDualStack', families: [4, 6], shape: 'split+dual', want: { pool: 'c-dual', ips: [D4, D6] } },
  { policy: 'PreferDualStack', families: [6, 4], shape: 'dual', want: { pool: 'dual', ips: [D6, D4] } },
  { policy: 'RequireDualStack', families: [4, 6], shape: 'v4', want: { fail: 'no-available-ips' } },
  { policy: 'RequireDualStack', families: [4, 6], shape: 'v6', want: { fail: 'no-available-ips' } },
  { policy: 'RequireDualStack', families: [4, 6], shape: 'dual', want: { pool: 'dual', ips: [D4, D6] } },
  { policy: 'RequireDualStack', families: [4, 6], shape: 'split', want: { fail: 'no-available-ips' } },
  { policy: 'RequireDualStack', families: [6, 4], shape: 'split+dual', want: { pool: 'c-dual', ips: [D6, D4] } },
  { policy: 'RequireDualStack', families: [4], shape: 'dual', want: { fail: 'not-enough-cluster-ips' } },
  { policy: 'RequireDualStack', families: [6], shape: 'dual', want: { fail: 'not-enough-cluster-ips' } },
];

for (const c of cases) {
  const name = `${c.policy} [${c.families.join(',')}] on ${c.shape}`;
  t.test(name, async (t) => {
    const a = createAllocator({ config: { pools: shapes[c.shape] as PoolConfig[] } });
    const r = a.allocate(service('n/s', { families: c.families, ipFamilyPolicy: c.policy }));
    if ('fail' in c.want) {
      t.equal(r.ok, false);
      t.equal(!r.ok && r.reason, c.want.fail);
      t.equal(a.lookup('n/s'), undefined);
    } else {
      t.same(r.ok && r.assignment, { key: 'n/s', pool: c.want.pool, ips: c.want.ips });
      t.equal(r.ok && (r.partial ?? false), c.want.partial ?? false, 'partial flag');
      const again = a.allocate(service('n/s', { families: c.families, ipFamilyPolicy: c.policy }));
      t.equal(again.ok && again.action, 'kept', 'idempotent');
    }
  });
}

t.test('SingleStack with two families is a malformed request', async (t) => {
  const a = createAllocator({ config: { pools: shapes.dual as PoolConfig[] } });
  t.throws(() => a.allocate(service('n/s', { families: [4, 6] })), { name: 'IpamRequestError' });
});

t.test('policy changes on a held service', async (t) => {
  const a = createAllocator({ config: { pools: shapes.dual as PoolConfig[] } });
  a.allocate(service('n/s', { families: [4] }));
  const up = a.allocate(service('n/s', { families: [4, 6], ipFamilyPolicy: 'PreferDualStack' }));
  t.same(
    up.ok && [up.action, up.assignment.ips],
    ['extended', [D4, D6]],
    'Single → PreferDual extends from the same pool',
  );
  const down = a.allocate(service('n/s', { families: [6] }));
  t.same(
    down.ok && [down.action, down.assignment.ips],
    ['changed', [D6]],
    'dual → single IPv6: family mismatch, reallocated',
  );
  const req = a.allocate(service('n/s', { families: [4, 6], ipFamilyPolicy: 'RequireDualStack' }));
  t.same(req.ok && req.assignment.ips, [D4, D6]);
  const c = a.counts()[0];
  t.same([c?.ipv4.assigned, c?.ipv6.assigned], [1n, 1n], 'nothing leaked');
});
