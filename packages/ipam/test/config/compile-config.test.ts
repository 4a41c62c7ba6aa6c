import t from 'tap';
import { createAllocator, IpamConfigError, validateConfig, type IpamConfig } from '../../src/index.js';
import { pool } from '../../src/testing/index.js';
import { thrown } from '../fixtures/thrown.js';

t.test('bad configuration names the pool, the field and the value', async (t) => {
  const cases: Array<{ name: string; config: unknown; pool: string; field: string }> = [
    { name: 'not an object', config: null, pool: '', field: 'pools' },
    { name: 'pool not an object', config: { pools: [7] }, pool: '', field: 'pools[0]' },
    { name: 'missing name', config: { pools: [{ addresses: ['192.0.2.0/24'] }] }, pool: '', field: 'pools[0].name' },
    {
      name: 'duplicate name',
      config: { pools: [pool('a', '192.0.2.0/25'), pool('a', '192.0.2.128/25')] },
      pool: 'a',
      field: 'pools[1].name',
    },
    {
      name: 'autoAssign not boolean',
      config: { pools: [{ ...pool('a', '192.0.2.0/24'), autoAssign: 'yes' }] },
      pool: 'a',
      field: 'autoAssign',
    },
    {
      name: 'avoidBuggyIPs not boolean',
      config: { pools: [{ ...pool('a', '192.0.2.0/24'), avoidBuggyIPs: 1 }] },
      pool: 'a',
      field: 'avoidBuggyIPs',
    },
    {
      name: 'address not a string',
      config: { pools: [{ name: 'a', addresses: [42] }] },
      pool: 'a',
      field: 'addresses[0]',
    },
    {
      name: 'serviceAllocation not an object',
      config: { pools: [pool('a', '192.0.2.0/24', { serviceAllocation: [] as never })] },
      pool: 'a',
      field: 'serviceAllocation',
    },
    {
      name: 'fractional priority',
      config: { pools: [pool('a', '192.0.2.0/24', { serviceAllocation: { priority: 1.5 } })] },
      pool: 'a',
      field: 'serviceAllocation.priority',
    },
    {
      name: 'bad namespace',
      config: { pools: [pool('a', '192.0.2.0/24', { serviceAllocation: { namespaces: ['Bad_NS'] } })] },
      pool: 'a',
      field: 'serviceAllocation.namespaces[0]',
    },
    {
      name: 'duplicate namespace',
      config: { pools: [pool('a', '192.0.2.0/24', { serviceAllocation: { namespaces: ['x', 'x'] } })] },
      pool: 'a',
      field: 'serviceAllocation.namespaces[1]',
    },
    {
      name: 'malformed service selector',
      config: {
        pools: [
          pool('a', '192.0.2.0/24', {
            serviceAllocation: { serviceSelectors: [{ matchExpressions: [{ key: 'k', operator: 'Has' as 'In' }] }] },
          }),
        ],
      },
      pool: 'a',
      field: 'serviceAllocation.serviceSelectors[0].matchExpressions[0].operator',
    },
    {
      name: 'duplicate namespace selectors',
      config: {
        pools: [
          pool('a', '192.0.2.0/24', {
            serviceAllocation: { namespaceSelectors: [{ matchLabels: { a: '1' } }, { matchLabels: { a: '1' } }] },
          }),
        ],
      },
      pool: 'a',
      field: 'serviceAllocation.namespaceSelectors[1]',
    },
  ];
  for (const c of cases) {
    const err = thrown(() => validateConfig(c.config as IpamConfig));
    t.type(err, IpamConfigError, c.name);
    t.match(err, { pool: c.pool, field: c.field, code: 'ERR_IPAM_CONFIG' }, c.name);
  }
});

t.test('a rejected setConfig leaves the allocator as it was', async (t) => {
  const a = createAllocator({ config: { pools: [pool('a', '192.0.2.0/30')] } });
  a.allocate({ key: 'n/s', namespace: 'n', families: [4] });
  t.throws(() => a.setConfig({ pools: [pool('a', '192.0.2.0/30'), pool('b', '192.0.2.2/31')] }), {
    name: 'PoolOverlapError',
  });
  t.same(a.config, { pools: [pool('a', '192.0.2.0/30')] });
  t.same(a.lookup('n/s')?.ips, ['192.0.2.0']);
});

t.test('the configuration is copied, so later mutation by the caller changes nothing', async (t) => {
  const addresses = ['192.0.2.0/30'];
  const a = createAllocator({ config: { pools: [{ name: 'a', addresses }] } });
  addresses[0] = '198.51.100.0/30';
  t.same(a.config.pools[0]?.addresses, ['192.0.2.0/30']);
  t.same(a.allocate({ key: 'n/s', namespace: 'n', families: [4] }).ok && a.lookup('n/s')?.ips, ['192.0.2.0']);
});

t.test('malformed requests name the service and the field', async (t) => {
  const a = createAllocator({ config: { pools: [pool('a', '192.0.2.0/30')] } });
  const cases: Array<{ name: string; req: unknown; field: string }> = [
    { name: 'no key', req: { namespace: 'n', families: [4] }, field: 'key' },
    { name: 'families not an array', req: { key: 'n/s', namespace: 'n', families: 4 }, field: 'families' },
    { name: 'bad family', req: { key: 'n/s', namespace: 'n', families: [5] }, field: 'families' },
    {
      name: 'duplicate family',
      req: { key: 'n/s', namespace: 'n', families: [4, 4], ipFamilyPolicy: 'RequireDualStack' },
      field: 'families',
    },
    {
      name: 'bad policy',
      req: { key: 'n/s', namespace: 'n', families: [4], ipFamilyPolicy: 'Dual' },
      field: 'ipFamilyPolicy',
    },
    {
      name: 'three IPs',
      req: { key: 'n/s', namespace: 'n', families: [4], requestedIPs: ['192.0.2.1', '192.0.2.2', '192.0.2.3'] },
      field: 'requestedIPs',
    },
    {
      name: 'bad port',
      req: { key: 'n/s', namespace: 'n', families: [4], ports: [{ port: 70000 }] },
      field: 'ports[0].port',
    },
    {
      name: 'bad protocol',
      req: { key: 'n/s', namespace: 'n', families: [4], ports: [{ protocol: 'ICMP', port: 1 }] },
      field: 'ports[0].protocol',
    },
    {
      name: 'bad traffic policy',
      req: { key: 'n/s', namespace: 'n', families: [4], externalTrafficPolicy: 'Node' },
      field: 'externalTrafficPolicy',
    },
    {
      name: 'label not a string',
      req: { key: 'n/s', namespace: 'n', families: [4], labels: { a: 1 } },
      field: 'labels["a"]',
    },
    {
      name: 'empty requested pool',
      req: { key: 'n/s', namespace: 'n', families: [4], requestedPool: '' },
      field: 'requestedPool',
    },
  ];
  for (const c of cases) {
    const err = thrown(() => a.allocate(c.req as never));
    t.match(err, { name: 'IpamRequestError', code: 'ERR_IPAM_REQUEST', field: c.field }, c.name);
  }
  t.same(a.assignments(), [], 'nothing was allocated');
  t.same(a.pending(), [], 'nothing was remembered');
});
