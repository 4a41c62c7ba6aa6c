import t from 'tap';
import { mapService, type ServiceAllocationRequest } from '../../src/mapping/service.js';
import type { Service } from '../../src/api/core.js';

const base = (extra: Partial<NonNullable<Service['spec']>> = {}, annotations?: Record<string, string>): Service => ({
  metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' }, ...(annotations ? { annotations } : {}) },
  spec: {
    type: 'LoadBalancer',
    clusterIP: '240.0.0.10',
    clusterIPs: ['240.0.0.10'],
    ipFamilies: ['IPv4'],
    ipFamilyPolicy: 'SingleStack',
    ports: [
      { port: 80, protocol: 'TCP' },
      { port: 53, protocol: 'UDP' },
    ],
    ...extra,
  },
});

type Want = Partial<ServiceAllocationRequest> & { problems?: { reason: string; message: string }[] };

const cases: { name: string; svc: Service; lbClass?: string; ignored?: string; want?: Want }[] = [
  { name: 'ClusterIP service is ignored', svc: base({ type: 'ClusterIP' }), ignored: 'not-load-balancer' },
  {
    name: 'foreign class is ignored',
    svc: base({ loadBalancerClass: 'other' }),
    ignored: 'load-balancer-class-mismatch',
  },
  {
    name: 'class-less service ignored when a class is configured',
    svc: base(),
    lbClass: 'lbkit',
    ignored: 'load-balancer-class-mismatch',
  },
  {
    name: 'matching class is handled',
    svc: base({ loadBalancerClass: 'lbkit' }),
    lbClass: 'lbkit',
    want: { problems: [] },
  },
  {
    name: 'plain service',
    svc: base(),
    want: {
      key: 'shop/web',
      clusterIpFamilies: [4],
      ipFamilyPolicy: 'SingleStack',
      preferredFamily: 4,
      requestedIps: [],
      pool: undefined,
      sharingKey: '',
      backendKey: '',
      ports: [
        { protocol: 'TCP', port: 80 },
        { protocol: 'UDP', port: 53 },
      ],
      externalTrafficPolicy: 'Cluster',
      deprecatedAnnotations: [],
      problems: [],
    },
  },
  {
    name: 'new annotations',
    svc: base(
      {},
      {
        'metallb.io/loadBalancerIPs': ' 192.0.2.10 ',
        'metallb.io/address-pool': 'public',
        'metallb.io/allow-shared-ip': 'k1',
      },
    ),
    want: {
      requestedIps: ['192.0.2.10'],
      requestedIpsFrom: 'annotation',
      pool: 'public',
      sharingKey: 'k1',
      deprecatedAnnotations: [],
      problems: [],
    },
  },
  {
    name: 'deprecated annotations are read and reported',
    svc: base({}, { 'metallb.universe.tf/address-pool': 'old', 'metallb.universe.tf/allow-shared-ip': 'k' }),
    want: {
      pool: 'old',
      sharingKey: 'k',
      deprecatedAnnotations: ['metallb.universe.tf/address-pool', 'metallb.universe.tf/allow-shared-ip'],
    },
  },
  {
    name: 'new prefix wins over the old one; an empty new sharing key overrides',
    svc: base(
      {},
      {
        'metallb.universe.tf/address-pool': 'old',
        'metallb.io/address-pool': 'new',
        'metallb.universe.tf/allow-shared-ip': 'k',
        'metallb.io/allow-shared-ip': '',
      },
    ),
    want: {
      pool: 'new',
      sharingKey: '',
      deprecatedAnnotations: ['metallb.universe.tf/address-pool', 'metallb.universe.tf/allow-shared-ip'],
    },
  },
  {
    name: 'spec.loadBalancerIP',
    svc: base({ loadBalancerIP: '192.0.2.20' }),
    want: { requestedIps: ['192.0.2.20'], requestedIpsFrom: 'spec', problems: [] },
  },
  {
    name: 'loadBalancerIP and annotation together',
    svc: base({ loadBalancerIP: '192.0.2.20' }, { 'metallb.io/loadBalancerIPs': '192.0.2.21' }),
    want: {
      requestedIps: [],
      problems: [
        {
          reason: 'LoadBalancerFailed',
          message: 'service can not have both metallb.io/loadBalancerIPs and svc.Spec.LoadBalancerIP',
        },
      ],
    },
  },
  {
    name: 'invalid requested IP',
    svc: base({}, { 'metallb.io/loadBalancerIPs': '192.0.2.300' }),
    want: {
      problems: [
        { reason: 'LoadBalancerFailed', message: 'invalid IP "192.0.2.300" in the loadBalancerIPs annotation' },
      ],
    },
  },
  {
    name: 'two IPs of one family',
    svc: base({}, { 'metallb.io/loadBalancerIPs': '192.0.2.1,192.0.2.2' }),
    want: {
      problems: [
        {
          reason: 'LoadBalancerFailed',
          message: 'the loadBalancerIPs annotation takes one IP, or two IPs of different families',
        },
      ],
    },
  },
  {
    name: 'requested family differs from the cluster IP',
    svc: base({}, { 'metallb.io/loadBalancerIPs': '2001:db8::1' }),
    want: {
      problems: [
        {
          reason: 'nolbIPsIPFamily',
          message: "requested IPs 2001:db8::1 do not match the service's IP families (IPv4)",
        },
      ],
    },
  },
  {
    name: 'dual-stack request, canonical IPv6 text',
    svc: base(
      {
        clusterIPs: ['240.0.0.10', '2001:db8:fd00::10'],
        ipFamilies: ['IPv4', 'IPv6'],
        ipFamilyPolicy: 'RequireDualStack',
      },
      { 'metallb.io/loadBalancerIPs': '192.0.2.1, 2001:DB8:0::1' },
    ),
    want: { clusterIpFamilies: [4, 6], requestedIps: ['192.0.2.1', '2001:db8::1'], problems: [] },
  },
  {
    name: 'RequireDualStack with one cluster IP',
    svc: base({ ipFamilyPolicy: 'RequireDualStack' }),
    want: { problems: [{ reason: 'not enough clusterips', message: 'RequireDualStack needs two cluster IPs' }] },
  },
  {
    name: 'PreferDualStack prefers IPv6 first',
    svc: base({
      clusterIPs: ['2001:db8:fd00::10', '240.0.0.10'],
      ipFamilies: ['IPv6', 'IPv4'],
      ipFamilyPolicy: 'PreferDualStack',
    }),
    want: { clusterIpFamilies: [6, 4], preferredFamily: 6, ipFamilyPolicy: 'PreferDualStack', problems: [] },
  },
  {
    name: 'no cluster IP',
    svc: base({ clusterIP: 'None', clusterIPs: ['None'] }),
    want: {
      clusterIpFamilies: [],
      problems: [{ reason: 'noclusterIPsIPFamily', message: 'the service has no cluster IP' }],
    },
  },
  {
    name: 'Local policy backend key is the canonical selector',
    svc: base({ externalTrafficPolicy: 'Local', selector: { tier: 'web', app: 'shop' } }),
    want: { externalTrafficPolicy: 'Local', backendKey: 'app=shop,tier=web' },
  },
  {
    name: 'current IPs from status',
    svc: { ...base(), status: { loadBalancer: { ingress: [{ ip: '2001:DB8::5' }, { hostname: 'x.example' }] } } },
    want: { currentIps: ['2001:db8::5'] },
  },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    const m = mapService(c.svc, c.lbClass === undefined ? {} : { loadBalancerClass: c.lbClass });
    if (c.ignored !== undefined) {
      t.same(m, { handled: false, reason: c.ignored });
      return;
    }
    if (!m.handled) throw new Error(`ignored: ${m.reason}`);
    t.match(m.request, c.want ?? {});
    if (c.want?.problems !== undefined) t.same(m.request.problems, c.want.problems);
  });
}
