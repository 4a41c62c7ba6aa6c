import t from 'tap';
import { createAllocator } from '@lbkit/ipam';
import { parseConfig } from '../../src/config/parse-config.js';
import { mapService } from '../../src/mapping/service.js';
import { poolStatusFromCounts, toIpamConfig, toIpamRequest, toRestoreEntry } from '../../src/mapping/ipam.js';
import type { Service } from '../../src/api/core.js';
import { NS, namespace, pool } from '../config/helpers.js';

const svc = (name: string, ns: string, annotations: Record<string, string> = {}, status?: string[]): Service => ({
  metadata: { name, namespace: ns, annotations },
  spec: {
    type: 'LoadBalancer',
    clusterIPs: ['240.0.0.1'],
    ipFamilies: ['IPv4'],
    ipFamilyPolicy: 'SingleStack',
    ports: [{ port: 80, protocol: 'TCP' }],
  },
  ...(status === undefined ? {} : { status: { loadBalancer: { ingress: status.map((ip) => ({ ip })) } } }),
});

function config() {
  const r = parseConfig(
    {
      ipAddressPools: [
        pool('public', { addresses: ['192.0.2.5/30'] }),
        pool('team', {
          addresses: ['198.51.100.10-198.51.100.12'],
          serviceAllocation: { namespaceSelectors: [{ matchLabels: { team: 'a' } }] },
        }),
      ],
      namespaces: [namespace('a-ns', { team: 'a' }), namespace('other')],
    },
    { namespace: NS },
  );
  if (!r.ok) throw new Error(r.errors[0]!.message);
  return r.config;
}

t.test('pools map onto ipam config (host bits masked, ranges kept)', async (t) => {
  t.same(toIpamConfig(config()), {
    pools: [
      { name: 'public', addresses: ['192.0.2.4/30'], autoAssign: true, avoidBuggyIPs: false },
      {
        name: 'team',
        addresses: ['198.51.100.10-198.51.100.12'],
        autoAssign: true,
        avoidBuggyIPs: false,
        serviceAllocation: { namespaceSelectors: [{ matchLabels: { team: 'a' } }] },
      },
    ],
  });
});

t.test('requests allocate through the real allocator', async (t) => {
  const ns = [namespace('a-ns', { team: 'a' }), namespace('other')];
  const ipam = createAllocator({ config: toIpamConfig(config()) });
  const m1 = mapService(svc('web', 'a-ns'));
  const m2 = mapService(svc('db', 'other', { 'metallb.io/address-pool': 'public' }));
  if (!m1.handled || !m2.handled) throw new Error('not handled');
  const r1 = ipam.allocate(toIpamRequest(m1.request, ns));
  const r2 = ipam.allocate(toIpamRequest(m2.request, ns));
  t.match(
    r1,
    { ok: true, assignment: { pool: 'team', ips: ['198.51.100.10'] } },
    'namespace selector resolved via namespace labels',
  );
  t.match(r2, { ok: true, assignment: { pool: 'public', ips: ['192.0.2.4'] } });
  const counts = ipam.counts().find((c) => c.pool === 'public')!;
  t.same(poolStatusFromCounts(counts), { assignedIPv4: 1, assignedIPv6: 0, availableIPv4: 3, availableIPv6: 0 });
});

t.test('restore keeps the IPs services show', async (t) => {
  const ns = [namespace('other')];
  const ipam = createAllocator({ config: toIpamConfig(config()) });
  const held = mapService(svc('b', 'other', {}, ['192.0.2.6']));
  const fresh = mapService(svc('a', 'other'));
  if (!held.handled || !fresh.handled) throw new Error('not handled');
  const results = ipam.restore([toRestoreEntry(fresh.request, ns), toRestoreEntry(held.request, ns)]);
  t.match(results[1], { ok: true, assignment: { ips: ['192.0.2.6'] } }, 'held IP kept');
  t.match(results[0], { ok: true, assignment: { ips: ['192.0.2.4'] } }, 'the newcomer cannot take it');
});
