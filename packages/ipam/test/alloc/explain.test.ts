import t from 'tap';
import { createAllocator, type Explanation, type PoolReasonCode } from '../../src/index.js';
import { pool, service } from '../../src/testing/index.js';

function codes(e: Explanation, name: string): PoolReasonCode[] {
  return e.pools.find((p) => p.pool === name)?.reasons.map((r) => r.code) ?? [];
}

t.test('every pool gets a verdict and named reasons', async (t) => {
  const a = createAllocator({
    config: {
      pools: [
        pool('a-full', '192.0.2.0/32'),
        pool('b-free', '198.51.100.0/30'),
        pool('c-manual', '203.0.113.0/30', { autoAssign: false }),
        pool('d-team', '203.0.113.8/30', { serviceAllocation: { namespaces: ['team'] } }),
        pool('e-labels', '203.0.113.16/30', {
          serviceAllocation: { serviceSelectors: [{ matchLabels: { app: 'x' } }] },
        }),
        pool('f-v6', '2001:db8::/126'),
      ],
    },
  });
  a.allocate(service('n/holder'));
  const before = a.assignments();
  const e = a.explain(service('n/new'));
  t.same(a.assignments(), before, 'explain changes nothing');
  t.equal(e.mode, 'automatic');
  t.same(e.decision.ok && e.decision.assignment, { key: 'n/new', pool: 'b-free', ips: ['198.51.100.0'] });
  t.same(codes(e, 'a-full'), ['exhausted', 'sharing-key-conflict']);
  t.same(codes(e, 'b-free'), []);
  t.equal(e.pools.find((p) => p.pool === 'b-free')?.verdict, 'chosen');
  t.same(codes(e, 'c-manual'), ['auto-assign-off']);
  t.same(codes(e, 'd-team'), ['namespace-fence']);
  t.same(codes(e, 'e-labels'), ['service-selector-mismatch']);
  t.same(codes(e, 'f-v6'), ['family-missing']);
  t.same(
    e.pools.slice(0, 3).map((p) => p.pool),
    ['a-full', 'b-free', 'f-v6'],
    'automatic order first',
  );
  // What allocate then does agrees with explain.
  const r = a.allocate(service('n/new'));
  t.same(r, e.decision);
});

t.test('requested IPs: outside every pool, held by another service (named), port clash', async (t) => {
  const a = createAllocator({ config: { pools: [pool('p', '192.0.2.0/30')] } });
  a.allocate(service('n/a', { sharingKey: 'k', ports: [{ port: 80 }] }));
  const out = a.explain(service('n/x', { requestedIPs: ['203.0.113.5'] }));
  t.equal(out.mode, 'requested-ips');
  t.same(
    out.notes.map((n) => [n.code, n.ip]),
    [['requested-ip-outside-pool', '203.0.113.5']],
  );
  t.equal(!out.decision.ok && out.decision.reason, 'requested-ip-not-in-pool');
  const held = a.explain(service('n/y', { requestedIPs: ['192.0.2.0'] }));
  const reason = held.pools[0]?.reasons[0];
  t.same([reason?.code, reason?.heldBy], ['sharing-key-conflict', ['n/a']]);
  const clash = a.explain(service('n/z', { requestedIPs: ['192.0.2.0'], sharingKey: 'k', ports: [{ port: 80 }] }));
  t.equal(clash.pools[0]?.reasons[0]?.code, 'port-clash');
  const backend = a.explain(
    service('n/w', {
      requestedIPs: ['192.0.2.0'],
      sharingKey: 'k',
      externalTrafficPolicy: 'Local',
      selector: { app: 'w' },
    }),
  );
  t.equal(backend.pools[0]?.reasons[0]?.code, 'backend-mismatch');
});

t.test('exhausted by sharing conflicts names the holders', async (t) => {
  const a = createAllocator({ config: { pools: [pool('p', '192.0.2.0/32')] } });
  a.allocate(service('n/a', { sharingKey: 'k', ports: [{ port: 80 }] }));
  const e = a.explain(service('n/b', { sharingKey: 'k', ports: [{ port: 80 }] }));
  t.same(codes(e, 'p'), ['exhausted', 'port-clash']);
  t.same(e.pools[0]?.reasons[1]?.heldBy, ['n/a']);
});

t.test('current assignment, invalidated assignment, requested pool and earlier-pool ordering', async (t) => {
  const a = createAllocator({ config: { pools: [pool('a', '192.0.2.0/30'), pool('b', '198.51.100.0/30')] } });
  a.allocate(service('n/s'));
  const kept = a.explain(service('n/s'));
  t.equal(kept.mode, 'current');
  t.same(codes(kept, 'a'), ['current']);
  t.same(codes(kept, 'b'), ['earlier-pool-chosen']);
  const moved = a.explain(service('n/s', { requestedPool: 'b' }));
  t.equal(moved.mode, 'requested-pool');
  t.same(
    moved.notes.map((n) => n.code),
    ['current'],
  );
  t.match(moved.notes[0]?.message, /requested-pool-changed/);
  t.same(codes(moved, 'a'), ['not-requested-pool']);
  t.equal(moved.pools.find((p) => p.pool === 'b')?.verdict, 'chosen');
  const none = a.explain(service('n/t', { families: [] }));
  t.equal(none.mode, 'none');
  t.equal(!none.decision.ok && none.decision.reason, 'no-cluster-ip');
});

t.test('PreferDualStack partial pools are marked', async (t) => {
  const a = createAllocator({
    config: { pools: [pool('a', '192.0.2.0/30'), pool('b', ['198.51.100.0/30', '2001:db8::/126'])] },
  });
  const e = a.explain(service('n/s', { families: [4, 6], ipFamilyPolicy: 'PreferDualStack' }));
  t.same(codes(e, 'a'), ['family-missing', 'partial-family']);
  t.equal(e.pools.find((p) => p.pool === 'b')?.verdict, 'chosen');
  t.same(e.pools.find((p) => p.pool === 'b')?.candidates, ['198.51.100.0', '2001:db8::']);
});
