import t from 'tap';
import { parseConfig, type ConfigInput } from '../../src/config/parse-config.js';
import { bgpIntents, l2Intents, l2Interfaces, poolOfAddress } from '../../src/mapping/announce.js';
import { mapEndpoints, type ServiceEndpoints } from '../../src/mapping/endpoints.js';
import { mapNode } from '../../src/mapping/nodes.js';
import type { EndpointSlice, Node, Service } from '../../src/api/core.js';
import { NS, bgpAd, l2, node, pool } from '../config/helpers.js';

const nodes: Node[] = [
  node('n1', { zone: 'a', rack: 'r1' }),
  node('n2', { zone: 'a' }),
  node('n3', { zone: 'b', 'node.kubernetes.io/exclude-from-external-load-balancers': '' }),
  {
    metadata: { name: 'n4', labels: { zone: 'a' } },
    status: { conditions: [{ type: 'NetworkUnavailable', status: 'True' }] },
  },
];

function cfg(extra: ConfigInput) {
  const r = parseConfig(
    {
      ipAddressPools: [
        pool('public', { addresses: ['192.0.2.0/28', '2001:db8::/124'] }),
        pool('other', { addresses: ['198.51.100.0/28'] }),
      ],
      nodes,
      ...extra,
    },
    { namespace: NS, bgpMode: 'lbkit' },
  );
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('; '));
  return r.config;
}

const svc = (
  name: string,
  ips: string[],
  extra: { local?: boolean; labels?: Record<string, string>; share?: string } = {},
): Service => ({
  metadata: {
    name,
    namespace: 'shop',
    labels: extra.labels ?? {},
    annotations: extra.share === undefined ? {} : { 'metallb.io/allow-shared-ip': extra.share },
  },
  spec: {
    type: 'LoadBalancer',
    externalTrafficPolicy: extra.local === true ? 'Local' : 'Cluster',
    ports: [{ port: 80, protocol: 'TCP' }],
  },
  status: { loadBalancer: { ingress: ips.map((ip) => ({ ip })) } },
});

const slice = (service: string, eps: Array<{ node: string; ready?: boolean }>): EndpointSlice => ({
  metadata: { name: `${service}-x`, namespace: 'shop', labels: { 'kubernetes.io/service-name': service } },
  addressType: 'IPv4',
  endpoints: eps.map((e, i) => ({
    addresses: [`10.0.0.${i + 1}`],
    nodeName: e.node,
    conditions: { ready: e.ready ?? true },
  })),
});

const endpointsOf = (entries: Record<string, EndpointSlice[]>): Map<string, ServiceEndpoints> =>
  new Map(Object.entries(entries).map(([k, v]) => [`shop/${k}`, mapEndpoints(v)]));

const infos = nodes.map(mapNode);

t.test('layer 2: eligible nodes, preferences and skip reasons (metallb.md §4.1)', async (t) => {
  const config = cfg({
    l2Advertisements: [
      l2('all', { ipAddressPools: ['public'] }),
      l2('zone-a-pref', {
        ipAddressPools: ['public'],
        nodeSelectors: [{ matchLabels: { zone: 'a' } }],
        interfaces: ['eth1'],
      }),
    ],
  });
  const services = [
    svc('web', ['2001:db8::3', '192.0.2.3']),
    svc('local', ['192.0.2.4'], { local: true }),
    svc('idle', ['192.0.2.5']),
    svc('unadvertised', ['198.51.100.1']),
    svc('pending', []),
    svc('stray', ['203.0.113.9']),
  ];
  const eps = endpointsOf({
    web: [slice('web', [{ node: 'n9' }])],
    local: [slice('local', [{ node: 'n2' }, { node: 'n1', ready: false }])],
    idle: [slice('idle', [{ node: 'n1', ready: false }])],
    unadvertised: [slice('unadvertised', [{ node: 'n1' }])],
  });
  const got = new Map(l2Intents(config, services, eps, infos).map((i) => [i.key, i]));
  const web = got.get('shop/web');
  t.same(web?.nodes, ['n1', 'n2'], 'excluded-label and NetworkUnavailable nodes never announce');
  t.equal(web?.hashIp, '2001:db8::3', 'the first status address is the hash key for every address');
  t.same(web?.ips, ['2001:db8::3', '192.0.2.3']);
  t.equal(web?.pool, 'public');
  t.same(web?.advertisements, ['all', 'zone-a-pref']);
  t.equal(web?.skip, undefined);
  t.same(web?.excludedNodes, { n3: 'excluded', n4: 'network-unavailable' }, 'every node left out, with why');
  t.same(got.get('shop/local')?.nodes, ['n2'], 'Local: only nodes with a serving endpoint');
  t.same(
    got.get('shop/local')?.excludedNodes,
    { n1: 'no-local-endpoint', n3: 'excluded', n4: 'network-unavailable' },
    'Local: a node without a serving endpoint says so',
  );
  t.same(
    l2Intents(config, services, eps, infos, { ignoreExcludeLabel: true }).find((i) => i.key === 'shop/web')?.nodes,
    ['n1', 'n2', 'n3'],
    'ignoreExcludeLabel lets the labelled node announce',
  );
  t.equal(got.get('shop/idle')?.skip, 'no-serving-endpoint');
  t.equal(got.get('shop/unadvertised')?.skip, 'no-advertisement');
  t.equal(got.get('shop/pending')?.skip, 'no-address');
  t.equal(got.get('shop/stray')?.skip, 'no-pool');
  t.same(l2Interfaces(config, web!, 'n1'), 'all', 'one advertisement with no interface list means every interface');

  const narrow = cfg({
    l2Advertisements: [l2('eth1-only', { ipAddressPools: ['public'], interfaces: ['eth1', 'eth0'] })],
  });
  const w2 = l2Intents(narrow, [svc('web', ['192.0.2.3'])], eps, infos)[0]!;
  t.same(l2Interfaces(narrow, w2, 'n1'), ['eth0', 'eth1']);
});

t.test('layer 2: shared IP with service selectors announces nowhere; preferred nodes weigh in', async (t) => {
  const config = cfg({
    l2Advertisements: [
      l2('selective', {
        ipAddressPools: ['public'],
        serviceSelectors: [{ matchLabels: { app: 'web' } }],
        nodeSelectors: [{ matchLabels: { zone: 'a' } }],
      }),
    ],
  });
  const eps = endpointsOf({ web: [slice('web', [{ node: 'n1' }])] });
  const shared = l2Intents(config, [svc('web', ['192.0.2.3'], { labels: { app: 'web' }, share: 'k' })], eps, infos)[0]!;
  t.equal(shared.skip, 'shared-ip-with-service-selector');
  const plain = l2Intents(config, [svc('web', ['192.0.2.3'], { labels: { app: 'web' } })], eps, infos)[0]!;
  t.same(plain.nodes, ['n1', 'n2']);
  t.same(
    plain.excludedNodes,
    { n3: 'excluded', n4: 'network-unavailable' },
    'the exclusion label is named before the node selector',
  );
  const zoneB = l2Intents(
    cfg({
      l2Advertisements: [l2('b', { ipAddressPools: ['public'], nodeSelectors: [{ matchLabels: { zone: 'b' } }] })],
    }),
    [svc('web', ['192.0.2.3'])],
    eps,
    infos,
    { ignoreExcludeLabel: true },
  )[0]!;
  t.same(zoneB.excludedNodes, { n1: 'node-selector', n2: 'node-selector', n4: 'network-unavailable' });
  const mismatch = l2Intents(config, [svc('web', ['192.0.2.3'], { labels: { app: 'db' } })], eps, infos)[0]!;
  t.equal(mismatch.skip, 'no-advertisement');
});

t.test('bgp: prefixes per node with aggregation, communities unioned, peers and Local policy (§6.3)', async (t) => {
  const config = cfg({
    bgpAdvertisements: [
      bgpAd('host-routes', { ipAddressPools: ['public'], communities: ['64512:100'], localPref: 100 }),
      bgpAd('aggregate', {
        ipAddressPools: ['public'],
        aggregationLength: 28,
        aggregationLengthV6: 124,
        communities: ['large:4200000000:1:2'],
        peers: ['edge'],
        localPref: 100,
      }),
    ],
  });
  const services = [
    svc('web', ['192.0.2.3', '2001:db8::3']),
    svc('api', ['192.0.2.4']),
    svc('local', ['192.0.2.5'], { local: true }),
    svc('other', ['198.51.100.2']),
  ];
  const eps = endpointsOf({
    web: [slice('web', [{ node: 'n2' }])],
    api: [slice('api', [{ node: 'n2' }])],
    local: [slice('local', [{ node: 'n2' }])],
    other: [slice('other', [{ node: 'n1' }])],
  });
  const n1 = bgpIntents(config, services, eps, infos[0]!);
  t.same(
    n1.prefixes.map((p) => [p.prefix, p.localPref, p.communities.length, p.peers, p.services]),
    [
      ['192.0.2.0/28', 100, 1, ['edge'], ['shop/api', 'shop/web']],
      ['192.0.2.3/32', 100, 1, [], ['shop/web']],
      ['192.0.2.4/32', 100, 1, [], ['shop/api']],
      ['2001:db8::/124', 100, 1, ['edge'], ['shop/web']],
      ['2001:db8::3/128', 100, 1, [], ['shop/web']],
    ],
  );
  t.equal(n1.skipped.get('shop/local'), 'no-eligible-node', 'Local with no endpoint on this node');
  t.equal(n1.nodeSkips.get('shop/local'), 'no-local-endpoint', 'and why');
  t.equal(n1.skipped.get('shop/other'), 'no-advertisement');
  t.same(n1.servicePeers.get('shop/web'), [], 'an advertisement with no peer list goes to every peer');
  const n2 = bgpIntents(config, services, eps, infos[1]!);
  t.ok(
    n2.prefixes.some((p) => p.prefix === '192.0.2.5/32'),
    'the node with the endpoint advertises the Local service',
  );
  const n4 = bgpIntents(config, services, eps, infos[3]!);
  t.same(n4.prefixes, [], 'a NetworkUnavailable node advertises nothing');
  t.equal(n4.nodeSkips.get('shop/web'), 'network-unavailable');
  t.equal(bgpIntents(config, services, eps, infos[2]!).nodeSkips.get('shop/web'), 'excluded');
});

t.test('poolOfAddress prefers the annotated pool when it holds the address', async (t) => {
  const config = cfg({});
  t.equal(poolOfAddress(config, '198.51.100.3')?.name, 'other');
  t.equal(poolOfAddress(config, '198.51.100.3', 'public')?.name, 'other', 'a wrong hint is ignored');
  t.equal(poolOfAddress(config, '203.0.113.1'), undefined);
});
