/**
 * Our CustomResourceDefinitions for MetalLB's `metallb.io` kinds, built as data. `crds/*.yaml` in this
 * package is generated from {@link metallbCrds} (`npm run crds`), and a test keeps the two in step.
 */
import { METALLB_GROUP, METALLB_KINDS, type MetalLBKind } from '../api/metallb.js';
import { arr, bool, int, nameList, obj, selectorList, str, labelSelector, type JSONSchemaProps } from './schema.js';

/** An apiextensions.k8s.io/v1 CustomResourceDefinition (the fields we write). */
export interface CustomResourceDefinition {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: { name: string; labels?: Record<string, string> };
  spec: {
    group: string;
    names: { kind: string; listKind: string; plural: string; singular: string; shortNames?: string[] };
    scope: 'Namespaced' | 'Cluster';
    conversion?: { strategy: 'None' };
    versions: CrdVersion[];
  };
}

/** One served version of a CRD. */
export interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  deprecated?: boolean;
  deprecationWarning?: string;
  schema: { openAPIV3Schema: JSONSchemaProps };
  subresources?: { status?: Record<string, never> };
  additionalPrinterColumns?: {
    name: string;
    type: string;
    jsonPath: string;
    priority?: number;
    description?: string;
  }[];
}

const immutable = (what: string) => ({ rule: 'self == oldSelf', message: `${what} is immutable` });

const poolSpec = obj(
  'Addresses the controller hands out to LoadBalancer Services.',
  {
    addresses: arr('CIDRs (192.0.2.0/24) or inclusive ranges (192.0.2.10-192.0.2.20); IPv4 and IPv6 may be mixed.', {
      type: 'string',
    }),
    autoAssign: bool('When false, the pool is used only for explicit requests.', { default: true }),
    avoidBuggyIPs: bool('Skip IPv4 addresses ending in .0 or .255.', { default: false }),
    serviceAllocation: obj('Which Services may use the pool, and its priority.', {
      priority: int('Lower positive values are tried first; 0 is tried last.'),
      namespaces: nameList('Namespaces whose Services may use the pool.'),
      namespaceSelectors: selectorList('Namespaces, by label, whose Services may use the pool.'),
      serviceSelectors: selectorList('Services, by label, that may use the pool.'),
    }),
  },
  { required: ['addresses'] },
);

const poolStatus = obj('Address counts written by the controller.', {
  assignedIPv4: int('IPv4 addresses in use.', { format: 'int64' }),
  assignedIPv6: int('IPv6 addresses in use.', { format: 'int64' }),
  availableIPv4: int('IPv4 addresses still free.', { format: 'int64' }),
  availableIPv6: int('IPv6 addresses still free.', { format: 'int64' }),
});

const l2Spec = obj('Which pools are announced by ARP/NDP, from which nodes and interfaces.', {
  ipAddressPools: nameList('Pools by name; with ipAddressPoolSelectors empty too, all pools.'),
  ipAddressPoolSelectors: selectorList('Pools by label.'),
  nodeSelectors: selectorList('Nodes that may announce; empty means all.'),
  interfaces: nameList('Interfaces to announce on; empty means all.'),
  serviceSelectors: selectorList('Services this advertisement applies to; empty means all.'),
  preferredNodeSelectors: arr(
    'Weighted soft preferences among the eligible nodes.',
    obj(
      'A weighted preference.',
      {
        weight: int('Added to the score of every matching node.', { format: 'int32', minimum: 1, maximum: 100 }),
        preference: labelSelector('Nodes this preference applies to.'),
      },
      { required: ['weight', 'preference'] },
    ),
  ),
});

const bgpAdvSpec = obj(
  'How the addresses of pools are advertised to BGP peers.',
  {
    aggregationLength: int('IPv4 prefix length advertised for each address.', {
      format: 'int32',
      minimum: 1,
      default: 32,
    }),
    aggregationLengthV6: int('IPv6 prefix length advertised for each address.', { format: 'int32', default: 128 }),
    localPref: int('LOCAL_PREF sent to iBGP peers.', { minimum: 0, maximum: 4294967295 }),
    communities: nameList('Standard (AA:NN), large (large:G:L1:L2) communities or Community alias names.'),
    ipAddressPools: nameList('Pools by name; with ipAddressPoolSelectors empty too, all pools.'),
    ipAddressPoolSelectors: selectorList('Pools by label.'),
    nodeSelectors: selectorList('Nodes that advertise; empty means all.'),
    peers: nameList('BGPPeer names to advertise to; empty means all.'),
    serviceSelectors: selectorList('Services this advertisement applies to; empty means all.'),
  },
  {
    'x-kubernetes-validations': [
      {
        rule: '!has(self.serviceSelectors) || size(self.serviceSelectors) == 0 || ((!has(self.aggregationLength) || self.aggregationLength == 32) && (!has(self.aggregationLengthV6) || self.aggregationLengthV6 == 128))',
        message: 'serviceSelectors can only be used with the default aggregation lengths',
      },
    ],
  },
);

const secretRef = obj(
  'A Secret of type kubernetes.io/basic-auth holding the key "password".',
  {
    name: str('Secret name.'),
    namespace: str('Secret namespace.'),
  },
  { 'x-kubernetes-map-type': 'atomic' },
);

const peerCommon = {
  myASN: int('Local AS number.', { minimum: 0, maximum: 4294967295 }),
  sourceAddress: str('Local address to connect from.'),
  holdTime: str('BGP hold time (Go duration).'),
  keepaliveTime: str('BGP keepalive time (Go duration).'),
  routerID: str('BGP router ID.'),
  password: str('TCP-MD5 password.'),
  passwordSecret: secretRef,
  bfdProfile: str('BFDProfile name.'),
  ebgpMultiHop: bool('The peer is several hops away.'),
  vrf: str('VRF to peer in.'),
};

const peerV1beta2 = obj(
  'A BGP session opened by the selected nodes.',
  {
    ...peerCommon,
    peerASN: int('Peer AS number.', { minimum: 0, maximum: 4294967295 }),
    dynamicASN: str('Accept any peer ASN, equal to (internal) or different from (external) myASN.', {
      enum: ['internal', 'external'],
    }),
    localASN: int('Per-session local AS override.', { minimum: 1, maximum: 4294967295 }),
    peerAddress: str('Peer address.'),
    interface: str('Interface for unnumbered BGP.'),
    peerPort: int('Peer TCP port.', { minimum: 1, maximum: 16384, default: 179 }),
    connectTime: str('Interval between connection attempts (whole seconds, 1..65535).', {
      'x-kubernetes-validations': [
        {
          rule: 'duration(self).getSeconds() >= 1 && duration(self).getSeconds() <= 65535',
          message: 'connect time should be between 1 seconds to 65535',
        },
        {
          rule: 'duration(self).getMilliseconds() % 1000 == 0',
          message: 'connect time should contain a whole number of seconds',
        },
      ],
    }),
    nodeSelectors: selectorList('Nodes that open this session; empty means all.'),
    enableGracefulRestart: bool('Negotiate graceful restart (RFC 4724).', {
      'x-kubernetes-validations': [immutable('EnableGracefulRestart')],
    }),
    disableMP: bool('Deprecated; has no effect.', { default: false }),
    dualStackAddressFamily: bool('Activate both address families on the session.', { default: false }),
  },
  { required: ['myASN'] },
);

const peerV1beta1 = obj(
  'A BGP session (deprecated v1beta1 shape).',
  {
    ...peerCommon,
    peerASN: int('Peer AS number.', { minimum: 0, maximum: 4294967295 }),
    peerAddress: str('Peer address.'),
    peerPort: int('Peer TCP port.', { minimum: 0, maximum: 16384 }),
    nodeSelectors: selectorList('Nodes that open this session; empty means all.', 1),
  },
  { required: ['myASN', 'peerASN', 'peerAddress'] },
);

const bfdSpec = obj('BFD timers and modes (applied only with FRR-based BGP).', {
  receiveInterval: int('Minimum receive interval, ms.', { format: 'int32', minimum: 10, maximum: 60000 }),
  transmitInterval: int('Minimum transmit interval, ms.', { format: 'int32', minimum: 10, maximum: 60000 }),
  detectMultiplier: int('Detection multiplier.', { format: 'int32', minimum: 2, maximum: 255 }),
  echoInterval: int('Echo interval, ms.', { format: 'int32', minimum: 10, maximum: 60000 }),
  echoMode: bool('Enable echo mode.'),
  passiveMode: bool('Wait for the peer to start.'),
  minimumTtl: int('Minimum TTL of incoming packets (multi-hop).', { format: 'int32', minimum: 1, maximum: 254 }),
});

const communitySpec = obj('Named community values usable in BGPAdvertisements.', {
  communities: arr(
    'Aliases.',
    obj('An alias.', { name: str('Alias name.'), value: str('Community value (AA:NN or large:G:L1:L2).') }),
  ),
});

const statusIdentity = {
  node: str('Node name.', { 'x-kubernetes-validations': [immutable('Value')] }),
  serviceName: str('Service name.', { 'x-kubernetes-validations': [immutable('Value')] }),
  serviceNamespace: str('Service namespace.', { 'x-kubernetes-validations': [immutable('Value')] }),
};

const l2Status = obj('Which node announces the Service, and on which interfaces.', {
  ...statusIdentity,
  interfaces: arr(
    'Interfaces announced on; empty means all.',
    obj('An interface.', { name: str('Interface name.') }, { required: ['name'] }),
  ),
});

const bgpStatus = obj('Which peers a node intends to advertise the Service to.', {
  ...statusIdentity,
  peers: nameList('BGPPeer names, sorted.'),
});

const condition = obj(
  'A status condition.',
  {
    type: str('Condition type.', { maxLength: 316 }),
    status: str('True, False or Unknown.', { enum: ['True', 'False', 'Unknown'] }),
    reason: str('Reason in CamelCase.', { maxLength: 1024, minLength: 1 }),
    message: str('Human-readable detail.', { maxLength: 32768 }),
    lastTransitionTime: str('When the condition last changed.', { format: 'date-time' }),
    observedGeneration: int('Generation the condition was computed from.', { format: 'int64', minimum: 0 }),
  },
  { required: ['type', 'status', 'reason', 'message', 'lastTransitionTime'] },
);

const configStateStatus = obj('Whether the component runs on a valid configuration.', {
  conditions: arr('Reconciler conditions.', condition, {
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': ['type'],
  }),
  result: str('Valid, Invalid or Unknown.', { enum: ['Valid', 'Invalid', 'Unknown'] }),
  errorSummary: str('Newline-joined configuration errors.'),
});

function root(
  spec: JSONSchemaProps | undefined,
  status: JSONSchemaProps | undefined,
  description: string,
): JSONSchemaProps {
  const properties: Record<string, JSONSchemaProps> = {
    apiVersion: str('API version of this object.'),
    kind: str('Kind of this object.'),
    metadata: { type: 'object' },
  };
  if (spec !== undefined) properties['spec'] = spec;
  if (status !== undefined) properties['status'] = status;
  return { type: 'object', description, properties };
}

const col = (name: string, type: string, jsonPath: string, priority?: number) =>
  priority === undefined ? { name, type, jsonPath } : { name, type, jsonPath, priority };

function crd(kind: MetalLBKind, versions: CrdVersion[]): CustomResourceDefinition {
  const info = METALLB_KINDS[kind];
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${info.plural}.${METALLB_GROUP}`, labels: { 'app.kubernetes.io/part-of': 'lbkit' } },
    spec: {
      group: METALLB_GROUP,
      names: { kind: info.kind, listKind: `${info.kind}List`, plural: info.plural, singular: info.singular },
      scope: 'Namespaced',
      versions,
    },
  };
}

function v1beta1(
  schema: JSONSchemaProps,
  status: boolean,
  columns: CrdVersion['additionalPrinterColumns'],
): CrdVersion {
  const v: CrdVersion = { name: 'v1beta1', served: true, storage: true, schema: { openAPIV3Schema: schema } };
  if (status) v.subresources = { status: {} };
  if (columns !== undefined && columns.length > 0) v.additionalPrinterColumns = columns;
  return v;
}

/** The CustomResourceDefinitions of every metallb.io kind, in a stable order. */
export function metallbCrds(): CustomResourceDefinition[] {
  const bgpPeer = crd('BGPPeer', [
    {
      name: 'v1beta1',
      served: true,
      storage: false,
      deprecated: true,
      deprecationWarning: 'metallb.io v1beta1 BGPPeer is deprecated, consider using v1beta2',
      schema: { openAPIV3Schema: root(peerV1beta1, obj('Unused.', {}), 'A BGP peer (deprecated shape).') },
      additionalPrinterColumns: [
        col('Address', 'string', '.spec.peerAddress'),
        col('ASN', 'string', '.spec.peerASN'),
        col('BFD Profile', 'string', '.spec.bfdProfile'),
        col('Multi Hops', 'string', '.spec.ebgpMultiHop'),
      ],
    },
    {
      name: 'v1beta2',
      served: true,
      storage: true,
      schema: { openAPIV3Schema: root(peerV1beta2, obj('Unused.', {}), 'A BGP peer.') },
      additionalPrinterColumns: [
        col('Address', 'string', '.spec.peerAddress'),
        col('ASN', 'string', '.spec.peerASN'),
        col('BFD Profile', 'string', '.spec.bfdProfile'),
        col('Multi Hops', 'string', '.spec.ebgpMultiHop'),
      ],
    },
  ]);
  // The two versions serialise the same JSON for every field both have (v1beta1's node selector type has
  // the LabelSelector shape), so no conversion webhook is needed: the API server passes objects through.
  bgpPeer.spec.conversion = { strategy: 'None' };
  return [
    crd('IPAddressPool', [
      v1beta1(root(poolSpec, poolStatus, 'An address pool.'), true, [
        col('Auto Assign', 'boolean', '.spec.autoAssign'),
        col('Avoid Buggy IPs', 'boolean', '.spec.avoidBuggyIPs'),
        col('Addresses', 'string', '.spec.addresses'),
      ]),
    ]),
    crd('L2Advertisement', [
      v1beta1(root(l2Spec, obj('Unused.', {}), 'A layer-2 advertisement.'), false, [
        col('IPAddressPools', 'string', '.spec.ipAddressPools'),
        col('IPAddressPool Selectors', 'string', '.spec.ipAddressPoolSelectors'),
        col('Interfaces', 'string', '.spec.interfaces'),
        col('Node Selectors', 'string', '.spec.nodeSelectors', 10),
      ]),
    ]),
    crd('BGPAdvertisement', [
      v1beta1(root(bgpAdvSpec, obj('Unused.', {}), 'A BGP advertisement.'), false, [
        col('IPAddressPools', 'string', '.spec.ipAddressPools'),
        col('IPAddressPool Selectors', 'string', '.spec.ipAddressPoolSelectors'),
        col('Peers', 'string', '.spec.peers'),
        col('Node Selectors', 'string', '.spec.nodeSelectors', 10),
      ]),
    ]),
    bgpPeer,
    crd('BFDProfile', [
      v1beta1(root(bfdSpec, obj('Unused.', {}), 'A BFD profile.'), false, [
        col('Passive Mode', 'boolean', '.spec.passiveMode'),
        col('Transmit Interval', 'integer', '.spec.transmitInterval'),
        col('Receive Interval', 'integer', '.spec.receiveInterval'),
        col('Multiplier', 'integer', '.spec.detectMultiplier'),
      ]),
    ]),
    crd('Community', [v1beta1(root(communitySpec, obj('Unused.', {}), 'Community aliases.'), false, [])]),
    crd('ServiceL2Status', [
      v1beta1(root(obj('Unused.', {}), l2Status, 'Layer-2 announcement state of a Service.'), true, [
        col('Allocated Node', 'string', '.status.node'),
        col('Service Name', 'string', '.status.serviceName'),
        col('Service Namespace', 'string', '.status.serviceNamespace'),
      ]),
    ]),
    crd('ServiceBGPStatus', [
      v1beta1(root(obj('Unused.', {}), bgpStatus, 'BGP advertisement intent of a Service on a node.'), true, [
        col('Node', 'string', '.status.node'),
        col('Service Name', 'string', '.status.serviceName'),
        col('Service Namespace', 'string', '.status.serviceNamespace'),
      ]),
    ]),
    crd('ConfigurationState', [
      v1beta1(root(obj('Unused.', {}), configStateStatus, 'Configuration result of one component.'), true, [
        col('Result', 'string', '.status.result'),
        col('ErrorSummary', 'string', '.status.errorSummary'),
        col('Age', 'date', '.metadata.creationTimestamp'),
      ]),
    ]),
  ];
}

/** File name under `crds/` of a CRD (`metallb.io_ipaddresspools.yaml`). */
export function crdFileName(crd: CustomResourceDefinition): string {
  return `${crd.spec.group}_${crd.spec.names.plural}.yaml`;
}
