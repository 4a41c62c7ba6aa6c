// The README's examples, verbatim (only the import path differs: the README imports '@lbkit/ipam').
import t from 'tap';
import { createAllocator, type IpamConfig } from '../src/index.js';

t.test('README: minimal example', async (t) => {
  const ipam = createAllocator({
    config: {
      pools: [
        { name: 'public', addresses: ['192.0.2.0/28', '2001:db8::/120'] },
        {
          name: 'payments',
          addresses: ['198.51.100.10-198.51.100.20'],
          serviceAllocation: { namespaces: ['payments'] },
        },
      ],
    },
  });
  const r = ipam.allocate({ key: 'payments/api', namespace: 'payments', families: [4] });
  t.same(r.ok && r.assignment, { key: 'payments/api', pool: 'payments', ips: ['198.51.100.10'] });
});

// --- README: "Unit-testing your pool configuration" -------------------------------------------------------
// Load the same pool objects you apply to the cluster (here inline; in a real repository, parse the YAML of
// your IPAddressPool manifests and pass their `metadata.name` + `spec`).
const pools: IpamConfig = {
  pools: [
    {
      name: 'internet',
      addresses: ['203.0.113.0/29'],
      serviceAllocation: { priority: 10, serviceSelectors: [{ matchLabels: { exposure: 'public' } }] },
    },
    { name: 'payments', addresses: ['198.51.100.0/30'], serviceAllocation: { priority: 5, namespaces: ['payments'] } },
    { name: 'default', addresses: ['192.0.2.0/28'], avoidBuggyIPs: true },
  ],
};

t.test('payments services stay in the payments pool', async (t) => {
  const ipam = createAllocator({ config: pools });
  const r = ipam.allocate({ key: 'payments/api', namespace: 'payments', families: [4] });
  t.equal(r.ok && r.assignment.pool, 'payments');
});

t.test('nothing else can take a payments address, and explain says why', async (t) => {
  const ipam = createAllocator({ config: pools });
  const r = ipam.allocate({ key: 'shop/web', namespace: 'shop', families: [4], requestedIPs: ['198.51.100.1'] });
  t.equal(r.ok, false);
  const why = ipam.explain({ key: 'shop/web', namespace: 'shop', families: [4], requestedIPs: ['198.51.100.1'] });
  const payments = why.pools.find((p) => p.pool === 'payments');
  t.equal(payments?.reasons[0]?.code, 'namespace-fence');
});

t.test('public services get internet addresses; when those run out they fall back, never to payments', async (t) => {
  const ipam = createAllocator({ config: pools });
  const got = new Set<string>();
  for (let i = 0; i < 10; i++) {
    const r = ipam.allocate({ key: `shop/web-${i}`, namespace: 'shop', labels: { exposure: 'public' }, families: [4] });
    if (r.ok) got.add(r.assignment.pool);
  }
  t.same([...got].sort(), ['default', 'internet']);
});

t.test('a pool edit that would move a running service is caught before it ships', async (t) => {
  const ipam = createAllocator({ config: pools });
  ipam.allocate({ key: 'payments/api', namespace: 'payments', families: [4] });
  const shrunk: IpamConfig = {
    pools: pools.pools.map((p) => (p.name === 'payments' ? { ...p, addresses: ['198.51.100.2/31'] } : p)),
  };
  const plan = ipam.plan(shrunk);
  t.same(
    plan.changes.map((c) => [c.key, c.kind, c.before?.ips, c.after?.ips]),
    [['payments/api', 'changed', ['198.51.100.0'], ['198.51.100.2']]],
  );
});
