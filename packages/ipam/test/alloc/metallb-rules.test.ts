// One named case (or more) per row 1–32 of reference/metallb.md §10, plus §3's rules.
import t from 'tap';
import {
  createAllocator,
  IpamConfigError,
  IpamRequestError,
  PoolOverlapError,
  type Allocator,
  type IpamConfig,
  type PoolConfig,
} from '../../src/index.js';
import { pool, service } from '../../src/testing/index.js';
import { thrown } from '../fixtures/thrown.js';

function alloc(pools: PoolConfig[], init: { reuseCooldownMs?: number } = {}): Allocator {
  return createAllocator({ config: { pools }, ...init });
}

function ips(a: Allocator, key: string): readonly string[] | undefined {
  return a.lookup(key)?.ips;
}

t.test('row 1: pools are cluster-wide; a pool without serviceAllocation serves every namespace', async (t) => {
  const a = alloc([pool('p', '192.0.2.0/30')]);
  for (const ns of ['default', 'kube-system', 'team-a']) t.ok(a.allocate(service(`${ns}/svc`)).ok, ns);
});

t.test('row 2: pool address syntax', async (t) => {
  const cases: Array<
    { name: string; addresses: string[]; want: bigint } | { name: string; addresses: string[]; error: string }
  > = [
    { name: 'IPv4 CIDR', addresses: ['192.0.2.0/24'], want: 256n },
    { name: 'range', addresses: ['192.0.2.10-192.0.2.20'], want: 11n },
    { name: 'range with spaces around the dash', addresses: ['192.0.2.10 - 192.0.2.20'], want: 11n },
    { name: 'single address as /32', addresses: ['192.0.2.7/32'], want: 1n },
    { name: 'single address as a-a', addresses: ['192.0.2.7-192.0.2.7'], want: 1n },
    { name: 'range not on a power of two, stored natively', addresses: ['192.0.2.1-192.0.2.6'], want: 6n },
    { name: 'host bits set are rejected (MetalLB masks silently)', addresses: ['192.0.2.5/24'], error: 'addresses[0]' },
    { name: 'reversed range', addresses: ['192.0.2.20-192.0.2.10'], error: 'addresses[0]' },
    { name: 'mixed-family range', addresses: ['192.0.2.1-2001:db8::1'], error: 'addresses[0]' },
    { name: 'garbage', addresses: ['not-an-ip'], error: 'addresses[0]' },
    { name: 'bad prefix length', addresses: ['192.0.2.0/33'], error: 'addresses[0]' },
    { name: 'empty list', addresses: [], error: 'addresses' },
  ];
  for (const c of cases) {
    if ('want' in c) {
      const a = alloc([pool('p', c.addresses)]);
      t.equal(a.counts()[0]?.ipv4.capacity, c.want, c.name);
    } else {
      const err = t.throws(
        () => alloc([pool('p', c.addresses)]),
        IpamConfigError,
        c.name,
      ) as unknown as IpamConfigError;
      t.equal(err.pool, 'p', `${c.name}: names the pool`);
      t.equal(err.field, c.error, `${c.name}: names the field`);
      t.equal(err.code, 'ERR_IPAM_CONFIG');
    }
  }
});

t.test('row 3: overlapping pools are rejected, naming both pools and the overlap', async (t) => {
  const cases = [
    {
      name: 'across pools',
      pools: [pool('a', '192.0.2.0/25'), pool('b', '192.0.2.100-192.0.2.130')],
      overlap: '192.0.2.100-192.0.2.127',
    },
    {
      name: 'within one pool',
      pools: [pool('a', ['2001:db8::/64', '2001:db8::5'.concat('/128')])],
      overlap: '2001:db8::5',
    },
    {
      name: 'identical blocks',
      pools: [pool('a', '198.51.100.0/30'), pool('b', '198.51.100.0/30')],
      overlap: '198.51.100.0-198.51.100.3',
    },
  ];
  for (const c of cases) {
    const err = t.throws(() => alloc(c.pools), PoolOverlapError, c.name) as unknown as PoolOverlapError;
    t.equal(err.overlap, c.overlap, `${c.name}: overlap`);
    t.ok(
      c.pools.some((p) => p.name === err.pool) && c.pools.some((p) => p.name === err.otherPool),
      `${c.name}: both pools named`,
    );
    t.match(err.message, /overlaps pool/);
  }
  t.doesNotThrow(
    () => alloc([pool('a', '192.0.2.0/25'), pool('b', '192.0.2.128/25')]),
    'adjacent blocks do not overlap',
  );
  t.doesNotThrow(
    () => alloc([pool('a', '192.0.2.0/24'), pool('b', '2001:db8::/120')]),
    'different families never overlap',
  );
});

t.test('row 4: a mixed-family pool serves both families', async (t) => {
  const a = alloc([pool('dual', ['192.0.2.0/30', '2001:db8::/126'])]);
  t.same(a.allocate(service('n/v4')).ok && ips(a, 'n/v4'), ['192.0.2.0']);
  t.same(a.allocate(service('n/v6', { families: [6] })).ok && ips(a, 'n/v6'), ['2001:db8::']);
});

t.test('row 5: autoAssign=false pools serve only explicit requests', async (t) => {
  const a = alloc([pool('manual', '192.0.2.0/30', { autoAssign: false })]);
  const r = a.allocate(service('n/auto'));
  t.equal(r.ok, false);
  t.equal(!r.ok && r.reason, 'no-available-ips');
  t.same(a.allocate(service('n/bypool', { requestedPool: 'manual' })).ok && ips(a, 'n/bypool'), ['192.0.2.0']);
  t.same(a.allocate(service('n/byip', { requestedIPs: ['192.0.2.3'] })).ok && ips(a, 'n/byip'), ['192.0.2.3']);
});

t.test('row 6: avoidBuggyIPs skips .0 and .255, refuses them on request, and counts them out', async (t) => {
  const a = alloc([pool('p', '192.0.2.254-192.0.3.1', { avoidBuggyIPs: true })]);
  t.equal(a.counts()[0]?.ipv4.capacity, 2n, '.254 and .1 remain');
  t.same(a.allocate(service('n/a')).ok && ips(a, 'n/a'), ['192.0.2.254']);
  t.same(a.allocate(service('n/b')).ok && ips(a, 'n/b'), ['192.0.3.1'], 'skips .255 and .0');
  const r = a.allocate(service('n/c', { requestedIPs: ['192.0.2.255'] }));
  t.equal(!r.ok && r.reason, 'requested-ip-not-in-pool');
  const b = alloc([pool('p', '192.0.2.0/24', { avoidBuggyIPs: true })]);
  t.equal(b.counts()[0]?.ipv4.capacity, 254n);
  const c = alloc([pool('p', '192.0.2.32/27', { avoidBuggyIPs: true })]);
  t.equal(c.counts()[0]?.ipv4.capacity, 32n, 'only .0/.255 are buggy, not the ends of a smaller CIDR');
  t.same(c.allocate(service('n/x')).ok && ips(c, 'n/x'), ['192.0.2.32']);
  const v6 = alloc([pool('p', '2001:db8::/127', { avoidBuggyIPs: true })]);
  t.equal(v6.counts()[0]?.ipv6.capacity, 2n, 'IPv6 is unaffected');
});

t.test('row 7: namespaces and namespaceSelectors fence a pool (union)', async (t) => {
  const pools = [
    pool('fenced', '192.0.2.0/30', {
      serviceAllocation: { namespaces: ['team-a'], namespaceSelectors: [{ matchLabels: { tier: 'gold' } }] },
    }),
  ];
  const a = alloc(pools);
  t.ok(a.allocate(service('team-a/s')).ok, 'listed namespace');
  t.ok(a.allocate(service('other/s', { namespaceLabels: { tier: 'gold' } })).ok, 'namespace selected by label');
  const r = a.allocate(service('other/t', { namespaceLabels: { tier: 'silver' } }));
  t.equal(!r.ok && r.reason, 'no-available-ips', 'outside the fence');
  const r2 = a.allocate(service('other/u', { requestedPool: 'fenced' }));
  t.equal(!r2.ok && r2.reason, 'pool-not-allowed', 'naming the pool does not cross the fence');
  const r3 = a.allocate(service('other/v', { requestedIPs: ['192.0.2.3'] }));
  t.equal(!r3.ok && r3.reason, 'pool-not-allowed', 'requesting its IP does not cross the fence');
});

t.test('row 8: serviceSelectors are OR-ed and AND-ed with the namespace fence', async (t) => {
  const a = alloc([
    pool('sel', '192.0.2.0/29', {
      serviceAllocation: {
        namespaces: ['prod'],
        serviceSelectors: [
          { matchLabels: { app: 'web' } },
          { matchExpressions: [{ key: 'tier', operator: 'In', values: ['edge', 'dmz'] }] },
        ],
      },
    }),
  ]);
  t.ok(a.allocate(service('prod/a', { labels: { app: 'web' } })).ok, 'first selector');
  t.ok(a.allocate(service('prod/b', { labels: { tier: 'dmz' } })).ok, 'second selector');
  t.notOk(a.allocate(service('prod/c', { labels: { app: 'db' } })).ok, 'no selector matches');
  t.notOk(a.allocate(service('dev/d', { labels: { app: 'web' } })).ok, 'selector matches but namespace fenced out');
});

t.test('row 9: priority: lower positive first, 0 last, ties by name', async (t) => {
  const sa = (priority?: number) => ({ serviceAllocation: priority === undefined ? {} : { priority } });
  const a = alloc([
    pool('zero', '192.0.2.0/32', sa(0)),
    pool('p20', '192.0.2.1/32', sa(20)),
    pool('p10-b', '192.0.2.2/32', sa(10)),
    pool('p10-a', '192.0.2.3/32', sa(10)),
    pool('unset', '192.0.2.4/32', sa()),
  ]);
  const order = ['s1', 's2', 's3', 's4', 's5'].map((s) => {
    const r = a.allocate(service(`n/${s}`));
    return r.ok ? r.assignment.pool : r.reason;
  });
  t.same(order, ['p10-a', 'p10-b', 'p20', 'unset', 'zero']);
  t.throws(
    () => alloc([pool('neg', '192.0.2.0/32', { serviceAllocation: { priority: -1 } })]),
    IpamConfigError,
    'negative priority is rejected',
  );
});

t.test('row 10: a priority-only pool matches every service but is not a generic fallback', async (t) => {
  const a = alloc([
    pool('generic', '192.0.2.0/32'),
    pool('prio', '198.51.100.0/32', { serviceAllocation: { priority: 5 } }),
  ]);
  t.equal(a.allocate(service('x/a')).ok && a.lookup('x/a')?.pool, 'prio', 'pinned pools before generic ones');
  t.equal(a.allocate(service('y/b')).ok && a.lookup('y/b')?.pool, 'generic');
  // A pool whose fence excludes the service is neither pinned nor generic for it.
  const b = alloc([
    pool('fenced', '192.0.2.0/32', { serviceAllocation: { namespaceSelectors: [{ matchLabels: { none: 'x' } }] } }),
  ]);
  t.notOk(b.allocate(service('x/c')).ok);
});

t.test('row 11: generic pools are tried in name order', async (t) => {
  const a = alloc([pool('c', '203.0.113.0/32'), pool('a', '192.0.2.0/32'), pool('b', '198.51.100.0/32')]);
  t.same(
    ['1', '2', '3'].map((s) => a.allocate(service(`n/${s}`)).ok && a.lookup(`n/${s}`)?.pool),
    ['a', 'b', 'c'],
  );
});

t.test('row 12: first free lowest address, blocks in configuration order', async (t) => {
  const a = alloc([pool('p', ['192.0.2.10-192.0.2.11', '192.0.2.0/31'])]);
  t.same(
    ['1', '2', '3', '4'].map((s) => a.allocate(service(`n/${s}`)).ok && ips(a, `n/${s}`)?.[0]),
    ['192.0.2.10', '192.0.2.11', '192.0.2.0', '192.0.2.1'],
  );
  a.release('n/1');
  t.same(
    a.allocate(service('n/5')).ok && ips(a, 'n/5'),
    ['192.0.2.10'],
    'a freed address is handed out next (no cooldown by default)',
  );
});

t.test('row 13: re-allocation is idempotent while still valid', async (t) => {
  const a = alloc([pool('p', '192.0.2.0/30')]);
  const first = a.allocate(service('n/a'));
  for (let i = 0; i < 3; i++) {
    const again = a.allocate(service('n/a'));
    t.equal(again.ok && again.action, 'kept');
    t.same(again.ok && again.assignment, first.ok && first.assignment);
  }
  t.equal(a.counts()[0]?.ipv4.assigned, 1n);
});

t.test('row 14: requested IPs', async (t) => {
  const a = alloc([pool('p', ['192.0.2.0/29', '2001:db8::/125'])]);
  t.same(
    a.allocate(service('n/one', { requestedIPs: [' 192.0.2.5 '] })).ok && ips(a, 'n/one'),
    ['192.0.2.5'],
    'whitespace trimmed',
  );
  t.same(
    a.allocate(
      service('n/dual', {
        families: [4, 6],
        ipFamilyPolicy: 'RequireDualStack',
        requestedIPs: ['2001:db8::3', '192.0.2.6'],
      }),
    ).ok && ips(a, 'n/dual'),
    ['192.0.2.6', '2001:db8::3'],
  );
  const before = a.assignments();
  const err = t.throws(
    () => a.allocate(service('n/wrong', { requestedIPs: ['2001:db8::1'] })),
    IpamRequestError,
  ) as unknown as IpamRequestError;
  t.equal(err.service, 'n/wrong');
  t.equal(err.field, 'requestedIPs');
  t.same(a.assignments(), before, 'state unchanged after a rejected call');
  t.throws(
    () =>
      a.allocate(
        service('n/two4', {
          families: [4, 6],
          ipFamilyPolicy: 'RequireDualStack',
          requestedIPs: ['192.0.2.1', '192.0.2.2'],
        }),
      ),
    IpamRequestError,
  );
  t.match(
    thrown(() => a.allocate(service('n/bad', { requestedIPs: ['192.0.2.300'] }))),
    { code: 'ERR_IPAM_REQUEST', field: 'requestedIPs[0]' },
  );
  const out = a.allocate(service('n/out', { requestedIPs: ['203.0.113.1'] }));
  t.equal(!out.ok && out.reason, 'requested-ip-not-in-pool');
  const taken = a.allocate(service('n/taken', { requestedIPs: ['192.0.2.5'] }));
  t.equal(!taken.ok && taken.reason, 'requested-ip-in-use');
  t.match(!taken.ok && taken.message, /n\/one/, 'names the holder');
  // Changing the requested IP moves the service.
  const moved = a.allocate(service('n/one', { requestedIPs: ['192.0.2.7'] }));
  t.equal(moved.ok && moved.action, 'changed');
  t.same(moved.ok && moved.previous?.ips, ['192.0.2.5']);
});

t.test('row 14b: requested IPs must come from one pool', async (t) => {
  const a = alloc([pool('v4', '192.0.2.0/30'), pool('v6', '2001:db8::/126')]);
  const r = a.allocate(
    service('n/d', {
      families: [4, 6],
      ipFamilyPolicy: 'RequireDualStack',
      requestedIPs: ['192.0.2.1', '2001:db8::1'],
    }),
  );
  t.equal(!r.ok && r.reason, 'requested-ip-wrong-pool');
});

t.test('row 15: requested pool ignores autoAssign, honours the fence, rejects unknown pools', async (t) => {
  const a = alloc([
    pool('auto', '192.0.2.0/30'),
    pool('manual', '198.51.100.0/30', { autoAssign: false }),
    pool('fenced', '203.0.113.0/30', { autoAssign: false, serviceAllocation: { namespaces: ['ops'] } }),
  ]);
  t.equal(a.allocate(service('n/a', { requestedPool: 'manual' })).ok && a.lookup('n/a')?.pool, 'manual');
  const unknown = a.allocate(service('n/b', { requestedPool: 'nope' }));
  t.equal(!unknown.ok && unknown.reason, 'unknown-pool');
  const fenced = a.allocate(service('n/c', { requestedPool: 'fenced' }));
  t.equal(!fenced.ok && fenced.reason, 'pool-not-allowed');
  const wrong = a.allocate(service('n/d', { requestedPool: 'manual', requestedIPs: ['192.0.2.1'] }));
  t.equal(!wrong.ok && wrong.reason, 'requested-ip-wrong-pool', 'requested IPs must be in the requested pool');
  const moved = a.allocate(service('n/a', { requestedPool: 'auto' }));
  t.equal(moved.ok && moved.action, 'changed', 'changing the pool reallocates');
  t.equal(moved.ok && moved.assignment.pool, 'auto');
});

t.test(
  'row 16: deprecated annotation prefixes',
  {
    skip: 'annotation names are read by @lbkit/k8s-adapter; the allocator receives one requestedPool/sharingKey/requestedIPs field',
  },
  async () => {},
);

t.test(
  'row 17: the result names the pool (for metallb.io/ip-allocated-from-pool); restore does not need it',
  async (t) => {
    const a = alloc([pool('p1', '192.0.2.0/30'), pool('p2', '198.51.100.0/30')]);
    const r = a.allocate(service('n/a', { requestedIPs: ['198.51.100.2'] }));
    t.equal(r.ok && r.assignment.pool, 'p2');
    const b = alloc([pool('p1', '192.0.2.0/30'), pool('p2', '198.51.100.0/30')]);
    const [restored] = b.restore([{ request: service('n/a'), ips: ['198.51.100.2'] }]);
    t.equal(restored?.ok && restored.assignment.pool, 'p2', 'pool found from the address');
  },
);

t.test('row 18: RequireDualStack takes one IP of each family from the same pool', async (t) => {
  const a = alloc([
    pool('v4only', '192.0.2.0/30'),
    pool('v6only', '2001:db8::/126'),
    pool('z-dual', ['198.51.100.0/30', '2001:db8:1::/126']),
  ]);
  const r = a.allocate(service('n/d', { families: [4, 6], ipFamilyPolicy: 'RequireDualStack' }));
  t.same(r.ok && r.assignment, { key: 'n/d', pool: 'z-dual', ips: ['198.51.100.0', '2001:db8:1::'] });
  const single = a.allocate(service('n/e', { families: [4], ipFamilyPolicy: 'RequireDualStack' }));
  t.equal(!single.ok && single.reason, 'not-enough-cluster-ips');
  const b = alloc([pool('v4only', '192.0.2.0/30'), pool('v6only', '2001:db8::/126')]);
  const none = b.allocate(service('n/d', { families: [4, 6], ipFamilyPolicy: 'RequireDualStack' }));
  t.equal(!none.ok && none.reason, 'no-available-ips', 'never splits families across pools');
});

t.test(
  'row 19: PreferDualStack: dual from one pool, else the preferred family, extended later from the same pool',
  async (t) => {
    const a = alloc([pool('a-v4', '192.0.2.0/30'), pool('b-v6', '2001:db8::/126')]);
    const pref6 = a.allocate(service('n/p6', { families: [6, 4], ipFamilyPolicy: 'PreferDualStack' }));
    t.same(
      pref6.ok && pref6.assignment,
      { key: 'n/p6', pool: 'b-v6', ips: ['2001:db8::'] },
      'ipFamilies[0] = IPv6 is preferred',
    );
    t.equal(pref6.ok && pref6.partial, true);
    const pref4 = a.allocate(service('n/p4', { families: [4, 6], ipFamilyPolicy: 'PreferDualStack' }));
    t.same(pref4.ok && pref4.assignment.ips, ['192.0.2.0']);
    // The pool becomes dual-capable: the missing family is added from the same pool, never another.
    a.setConfig({ pools: [pool('a-v4', ['192.0.2.0/30', '2001:db8:2::/126']), pool('b-v6', '2001:db8::/126')] });
    t.same(a.lookup('n/p4')?.ips, ['192.0.2.0', '2001:db8:2::'], 'extended on the config change');
    t.same(a.lookup('n/p6')?.ips, ['2001:db8::'], 'b-v6 has no IPv4: stays single');
    const again = a.allocate(service('n/p6', { families: [6, 4], ipFamilyPolicy: 'PreferDualStack' }));
    t.equal(again.ok && again.action, 'kept');
    t.equal(again.ok && again.partial, true, 'AdditionalAssignFailed on every pass');
    // Appendix A #17: no extension for a single ClusterIP family.
    const b = alloc([pool('d', ['192.0.2.0/30', '2001:db8::/126'])]);
    const one = b.allocate(service('n/one', { families: [4], ipFamilyPolicy: 'PreferDualStack' }));
    t.same(one.ok && one.assignment.ips, ['192.0.2.0']);
    const one2 = b.allocate(service('n/one', { families: [4], ipFamilyPolicy: 'PreferDualStack' }));
    t.same(one2.ok && [one2.action, one2.assignment.ips], ['kept', ['192.0.2.0']], 'no flapping extra address');
  },
);

t.test('row 20: addresses of the wrong family are cleared and reallocated', async (t) => {
  const a = alloc([pool('p', ['192.0.2.0/30', '2001:db8::/126'])]);
  a.allocate(service('n/a'));
  const r = a.allocate(service('n/a', { families: [6] }));
  t.same(r.ok && [r.action, r.assignment.ips, r.previous?.ips], ['changed', ['2001:db8::'], ['192.0.2.0']]);
  t.equal(a.counts()[0]?.ipv4.assigned, 0n);
  const r2 = a.allocate(service('n/a', { families: [4, 6], ipFamilyPolicy: 'RequireDualStack' }));
  t.same(r2.ok && r2.assignment.ips, ['192.0.2.0', '2001:db8::'], 'single to RequireDualStack');
});

t.test('row 21: a service leaving the load-balancer class is released and its address reused', async (t) => {
  const a = alloc([pool('p', '192.0.2.0/32')]);
  a.allocate(service('n/a'));
  t.notOk(a.allocate(service('n/b')).ok);
  t.same(a.release('n/a')?.ips, ['192.0.2.0']);
  t.equal(a.release('n/a'), undefined, 'releasing twice is a no-op');
  t.ok(a.allocate(service('n/b')).ok);
});

const share = (key: string, extra: Parameters<typeof service>[1] = {}) => service(key, { sharingKey: 'k', ...extra });

t.test('row 22: only equal non-empty sharing keys share an address', async (t) => {
  const cases = [
    { name: 'equal keys', a: { sharingKey: 'k' }, b: { sharingKey: 'k' }, shared: true },
    { name: 'different keys', a: { sharingKey: 'k' }, b: { sharingKey: 'j' }, shared: false },
    { name: 'both empty', a: {}, b: {}, shared: false },
    { name: 'one empty', a: { sharingKey: 'k' }, b: {}, shared: false },
    { name: 'explicit empty strings', a: { sharingKey: '' }, b: { sharingKey: '' }, shared: false },
  ];
  for (const c of cases) {
    const a = alloc([pool('p', '192.0.2.0/31')]);
    a.allocate(service('n/a', { ...c.a, ports: [{ port: 80 }] }));
    const r = a.allocate(service('n/b', { ...c.b, requestedIPs: ['192.0.2.0'], ports: [{ port: 443 }] }));
    t.equal(r.ok, c.shared, c.name);
    if (!c.shared) t.equal(!r.ok && r.reason, 'requested-ip-in-use', `${c.name}: reason`);
  }
});

t.test(
  'row 23: backend key: Cluster+Cluster share, Local+Local need identical selectors, Local+Cluster never',
  async (t) => {
    const local = (sel: Record<string, string>) => ({ externalTrafficPolicy: 'Local' as const, selector: sel });
    const cases = [
      { name: 'Cluster + Cluster', a: {}, b: {}, shared: true },
      {
        name: 'Local + Local, same selector (any order)',
        a: local({ app: 'x', tier: 'y' }),
        b: local({ tier: 'y', app: 'x' }),
        shared: true,
      },
      { name: 'Local + Local, different selectors', a: local({ app: 'x' }), b: local({ app: 'y' }), shared: false },
      { name: 'Local + Cluster', a: local({ app: 'x' }), b: {}, shared: false },
      { name: 'Local with empty selector + Cluster', a: local({}), b: {}, shared: true },
    ];
    for (const c of cases) {
      const a = alloc([pool('p', '192.0.2.0/31')]);
      a.allocate(share('n/a', { ...c.a, ports: [{ port: 80 }] }));
      const r = a.allocate(share('n/b', { ...c.b, requestedIPs: ['192.0.2.0'], ports: [{ port: 443 }] }));
      t.equal(r.ok, c.shared, c.name);
    }
  },
);

t.test('row 24: the same protocol and port on one address is a clash; TCP and UDP are distinct', async (t) => {
  const cases = [
    {
      name: 'TCP/53 + UDP/53',
      a: [{ protocol: 'TCP' as const, port: 53 }],
      b: [{ protocol: 'UDP' as const, port: 53 }],
      shared: true,
    },
    {
      name: 'TCP/80 + TCP/80 (protocol defaults to TCP)',
      a: [{ port: 80 }],
      b: [{ protocol: 'TCP' as const, port: 80 }],
      shared: false,
    },
    { name: 'TCP/80,443 + TCP/443', a: [{ port: 80 }, { port: 443 }], b: [{ port: 443 }], shared: false },
    { name: 'no ports', a: [], b: [], shared: true },
  ];
  for (const c of cases) {
    const a = alloc([pool('p', '192.0.2.0/31')]);
    a.allocate(share('n/a', { ports: c.a }));
    const r = a.allocate(share('n/b', { ports: c.b, requestedIPs: ['192.0.2.0'] }));
    t.equal(r.ok, c.shared, c.name);
  }
});

t.test('row 25: a sole user may change its sharing key in place; not when shared', async (t) => {
  const a = alloc([pool('p', '192.0.2.0/30')]);
  a.allocate(share('n/a', { ports: [{ port: 80 }] }));
  const r = a.allocate(service('n/a', { sharingKey: 'other', ports: [{ port: 80 }] }));
  t.same(r.ok && [r.action, r.assignment.ips], ['kept', ['192.0.2.0']]);
  t.equal(a.owners('192.0.2.0')?.sharingKey, 'other');
  a.allocate(service('n/b', { sharingKey: 'other', ports: [{ port: 81 }], requestedIPs: ['192.0.2.0'] }));
  const moved = a.allocate(service('n/a', { sharingKey: 'third', ports: [{ port: 80 }] }));
  t.same(
    moved.ok && [moved.action, moved.assignment.ips],
    ['changed', ['192.0.2.1']],
    'shared: key change moves the service',
  );
  t.same(a.owners('192.0.2.0')?.services, ['n/b']);
});

t.test('row 26: automatic allocation may co-locate on a compatible shared address (lowest first)', async (t) => {
  const a = alloc([pool('p', '192.0.2.0/30')]);
  a.allocate(service('n/plain'));
  a.allocate(share('n/a', { ports: [{ port: 80 }] }));
  t.same(ips(a, 'n/a'), ['192.0.2.1']);
  t.same(a.allocate(share('n/b', { ports: [{ port: 81 }] })).ok && ips(a, 'n/b'), ['192.0.2.1'], 'co-located');
  t.same(
    a.allocate(share('n/c', { ports: [{ port: 80 }] })).ok && ips(a, 'n/c'),
    ['192.0.2.2'],
    'port clash: next free',
  );
  a.release('n/plain');
  t.same(
    a.allocate(share('n/d', { ports: [{ port: 82 }] })).ok && ips(a, 'n/d'),
    ['192.0.2.0'],
    'a lower free address wins over a shared one',
  );
  t.same(a.owners('192.0.2.1')?.services, ['n/a', 'n/b']);
});

t.test('row 27: a pool removed or shrunk while in use: explicit report under the documented policy', async (t) => {
  const cfg = (addresses: string[]): IpamConfig => ({ pools: [pool('p', addresses), pool('q', '198.51.100.0/30')] });
  const a = alloc(cfg(['192.0.2.0/30']).pools as PoolConfig[]);
  a.allocate(service('n/a'));
  a.allocate(service('n/b'));
  const planned = a.plan(cfg(['192.0.2.0/31', '192.0.2.3/32']));
  t.same(a.lookup('n/b')?.ips, ['192.0.2.1'], 'plan changes nothing');
  const report = a.setConfig({ pools: [pool('p', '192.0.2.0/32'), pool('q', '198.51.100.0/30')] });
  t.same(report.changes, [
    {
      key: 'n/b',
      kind: 'changed',
      before: { key: 'n/b', pool: 'p', ips: ['192.0.2.1'] },
      after: { key: 'n/b', pool: 'q', ips: ['198.51.100.0'] },
      cause: 'ip-left-pool',
    },
  ]);
  t.equal(report.unchanged, 1);
  t.same(planned.changes, [], 'shrinking around used addresses affects nobody');
  const removed = a.setConfig({ pools: [pool('q2', ['192.0.2.0/31', '198.51.100.0/30'])] });
  t.same(
    removed.changes.map((c) => [c.key, c.kind, c.cause ?? '']),
    [
      ['n/a', 'rehomed', ''],
      ['n/b', 'rehomed', ''],
    ],
    'addresses now in another pool are re-homed, not changed',
  );
  const strict = createAllocator({ config: { pools: [pool('p', '192.0.2.0/30')] }, configChangePolicy: 'reject' });
  strict.allocate(service('n/a'));
  const err = t.throws(() => strict.setConfig({ pools: [pool('r', '198.51.100.0/30')] }), {
    code: 'ERR_IPAM_CONFIG_CONFLICT',
  }) as unknown as { changes: Array<{ key: string; kind: string; cause?: string }> };
  t.same(
    err.changes.map((c) => [c.key, c.kind, c.cause]),
    [['n/a', 'changed', 'pool-removed']],
  );
  t.same(strict.lookup('n/a')?.ips, ['192.0.2.0'], 'rejected change leaves state untouched');
  t.equal(strict.config.pools[0]?.name, 'p');
});

t.test('row 27b: autoAssign off keeps users; avoidBuggyIPs on evicts .0/.255; selector changes evict', async (t) => {
  const a = alloc([pool('p', '192.0.2.0/24')]);
  a.allocate(service('n/zero'));
  a.allocate(service('web/one', { labels: { app: 'web' } }));
  t.same(
    a.setConfig({ pools: [pool('p', '192.0.2.0/24', { autoAssign: false })] }).changes,
    [],
    'autoAssign off: nobody moves',
  );
  const r = a.setConfig({ pools: [pool('p', '192.0.2.0/24', { avoidBuggyIPs: true })] });
  t.same(
    r.changes.map((c) => [c.key, c.cause, c.after?.ips]),
    [['n/zero', 'buggy-ip', ['192.0.2.2']]],
  );
  const s = a.setConfig({
    pools: [
      pool('p', '192.0.2.0/24', {
        avoidBuggyIPs: true,
        serviceAllocation: { serviceSelectors: [{ matchLabels: { app: 'web' } }] },
      }),
    ],
  });
  t.same(
    s.changes.map((c) => [c.key, c.kind, c.cause, c.failure]),
    [['n/zero', 'pending', 'pool-not-allowed', 'no-available-ips']],
  );
});

t.test('row 28: release on delete frees the address and pending services get it on the next pass', async (t) => {
  const a = alloc([pool('p', '192.0.2.0/32')]);
  a.allocate(service('n/a'));
  t.notOk(a.allocate(service('n/b')).ok);
  t.same(a.pending(), ['n/b']);
  a.release('n/a');
  const again = a.allocate(service('n/b'));
  t.same(again.ok && again.assignment.ips, ['192.0.2.0']);
  t.same(a.pending(), []);
});

t.test('row 29: restart recovery: holders first, no theft, others after', async (t) => {
  const a = alloc([pool('p', '192.0.2.0/31')]);
  const results = a.restore([
    { request: service('n/new') },
    { request: service('n/old2'), ips: ['192.0.2.1'] },
    { request: service('n/old1'), ips: ['192.0.2.0'] },
  ]);
  t.same(
    results.map((r) => r.ok && r.assignment.ips),
    [false, ['192.0.2.1'], ['192.0.2.0']],
    'the new service cannot steal',
  );
  t.same(
    results.map((r) => (r.ok ? r.action : r.reason)),
    ['no-available-ips', 'kept', 'kept'],
  );
  const b = alloc([pool('p', '192.0.2.0/30')]);
  const r2 = b.restore([
    { request: service('n/x'), ips: ['192.0.2.2'] },
    { request: service('n/y'), ips: ['192.0.2.2'] },
    { request: service('n/gone'), ips: ['203.0.113.9'] },
  ]);
  // n/y's claim loses to n/x (input order); the two left without addresses converge in key order.
  t.same(
    r2.map((r) => r.ok && [r.action, r.assignment.ips]),
    [
      ['kept', ['192.0.2.2']],
      ['allocated', ['192.0.2.1']],
      ['allocated', ['192.0.2.0']],
    ],
  );
  t.throws(
    () => b.restore([{ request: service('n/z'), ips: ['nonsense'] }]),
    IpamRequestError,
    'malformed entries throw',
  );
  t.same(b.lookup('n/z'), undefined, 'and change nothing');
});

t.test('row 30: pending services are retried on config change', async (t) => {
  const a = alloc([pool('p', '192.0.2.0/32')]);
  a.allocate(service('n/a'));
  a.allocate(service('n/b'));
  const r = a.setConfig({ pools: [pool('p', '192.0.2.0/31')] });
  t.same(r.changes, [{ key: 'n/b', kind: 'satisfied', after: { key: 'n/b', pool: 'p', ips: ['192.0.2.1'] } }]);
});

t.test('row 31: exact bigint counts with a saturated number form', async (t) => {
  const a = alloc([pool('huge', ['2001:db8::/32', '2001:db9::/64', '192.0.2.0/24'])]);
  const c = a.counts()[0];
  t.equal(c?.ipv6.capacity, (1n << 96n) + (1n << 64n), 'no overflow when mixing huge ranges (Appendix A #5)');
  t.equal(c?.saturated.ipv6.capacity, Number.MAX_SAFE_INTEGER);
  t.equal(c?.saturated.ipv4.capacity, 256);
  a.allocate(service('n/a', { families: [6] }));
  t.equal(a.counts()[0]?.ipv6.available, (1n << 96n) + (1n << 64n) - 1n);
});

t.test('row 32: pool status counts distinct addresses (a shared address counts once)', async (t) => {
  const a = alloc([pool('p', ['192.0.2.0/30', '2001:db8::/126'])]);
  a.allocate(share('n/a', { ports: [{ port: 1 }] }));
  a.allocate(share('n/b', { ports: [{ port: 2 }] }));
  a.allocate(service('n/c', { families: [6] }));
  const c = a.counts()[0];
  t.same([c?.ipv4.assigned, c?.ipv4.available, c?.ipv6.assigned, c?.services], [1n, 3n, 1n, 3]);
});

t.test('§3.1: no ClusterIP and no pools are failures that clear the service', async (t) => {
  const a = alloc([pool('p', '192.0.2.0/30')]);
  a.allocate(service('n/a'));
  const r = a.allocate(service('n/a', { families: [] }));
  t.same(!r.ok && [r.reason, r.previous?.ips], ['no-cluster-ip', ['192.0.2.0']]);
  t.equal(a.counts()[0]?.ipv4.assigned, 0n);
  const empty = createAllocator();
  const n = empty.allocate(service('n/a'));
  t.equal(!n.ok && n.reason, 'no-pools');
});
