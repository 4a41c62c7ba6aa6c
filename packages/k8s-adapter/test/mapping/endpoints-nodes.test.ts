import t from 'tap';
import { canServe, mapEndpoints } from '../../src/mapping/endpoints.js';
import { canAnnounce, mapNode } from '../../src/mapping/nodes.js';

t.test('endpoint readiness', async (t) => {
  const table: { cond: Parameters<typeof canServe>[0]; want: boolean }[] = [
    { cond: undefined, want: true },
    { cond: {}, want: true },
    { cond: { ready: null }, want: true },
    { cond: { ready: true }, want: true },
    { cond: { ready: false }, want: false },
    { cond: { ready: false, serving: true, terminating: true }, want: true },
    { cond: { ready: false, serving: false }, want: false },
  ];
  for (const c of table) t.equal(canServe(c.cond), c.want, JSON.stringify(c.cond));
});

t.test('slices fold into per-node serving state', async (t) => {
  const r = mapEndpoints([
    {
      endpoints: [
        { addresses: ['10.0.0.1'], nodeName: 'n1', conditions: { ready: true } },
        { addresses: ['10.0.0.2'], nodeName: 'n2', conditions: { ready: false } },
      ],
    },
    {
      endpoints: [
        {
          addresses: ['10.0.0.3'],
          topology: { 'kubernetes.io/hostname': 'n3' },
          conditions: { ready: false, serving: true },
        },
      ],
    },
    { endpoints: null },
  ]);
  t.same([...r.servingNodes].sort(), ['n1', 'n3'], 'v1beta1 topology node name honoured');
  t.equal(r.servingAnywhere, true);
  t.equal(r.endpoints.length, 3);
  t.equal(
    mapEndpoints([{ endpoints: [{ addresses: ['10.0.0.2'], nodeName: 'n2', conditions: { ready: false } }] }])
      .servingAnywhere,
    false,
  );
});

t.test('nodes', async (t) => {
  const n = mapNode({
    metadata: { name: 'n1', labels: { 'node.kubernetes.io/exclude-from-external-load-balancers': '' } },
    status: {
      conditions: [
        { type: 'Ready', status: 'False' },
        { type: 'NetworkUnavailable', status: 'False' },
      ],
    },
  });
  t.equal(n.excludedFromLoadBalancers, true, 'presence with any value excludes');
  t.equal(n.networkUnavailable, false);
  t.equal(canAnnounce(n), false);
  t.equal(canAnnounce(n, true), true, '--ignore-exclude-lb');
  const down = mapNode({
    metadata: { name: 'n2' },
    status: { conditions: [{ type: 'NetworkUnavailable', status: 'True' }] },
  });
  t.equal(canAnnounce(down, true), false);
  t.equal(
    canAnnounce(mapNode({ metadata: { name: 'n3' }, status: { conditions: [{ type: 'Ready', status: 'False' }] } })),
    true,
    'NotReady is not considered',
  );
});
