import t from 'tap';
import { parseConfig, type ConfigInput, type ParseOptions } from '../../src/config/parse-config.js';
import { bfd, bgpAd, community, l2, namespace, node, NS, peer, pool, secret } from './helpers.js';

const v4 = pool('v4', { addresses: ['192.0.2.0/24'] });

interface Case {
  name: string;
  input: ConfigInput;
  options?: Partial<ParseOptions>;
  /** Exact error messages, in order; empty means the input is valid. */
  want: string[];
  /** Messages that must be transient. */
  transient?: string[];
}

const cases: Case[] = [
  // IPAddressPool
  { name: 'valid v4 pool', input: { ipAddressPools: [v4] }, want: [] },
  {
    name: 'pool without addresses',
    input: { ipAddressPools: [pool('p', { addresses: [] })] },
    want: ['IPAddressPool p: spec.addresses []: pool has no prefixes defined'],
  },
  {
    name: 'pool address that is neither CIDR nor range',
    input: { ipAddressPools: [pool('p', { addresses: ['192.0.2.7'] })] },
    want: [
      'IPAddressPool p: spec.addresses[0] "192.0.2.7": not a CIDR (192.0.2.0/24) or an address range (192.0.2.10-192.0.2.20)',
    ],
  },
  {
    name: 'pool CIDR with a bad length',
    input: { ipAddressPools: [pool('p', { addresses: ['192.0.2.0/33'] })] },
    want: [
      'IPAddressPool p: spec.addresses[0] "192.0.2.0/33": not a CIDR (192.0.2.0/24) or an address range (192.0.2.10-192.0.2.20)',
    ],
  },
  {
    name: 'range with spaces',
    input: { ipAddressPools: [pool('p', { addresses: ['192.0.2.10 - 192.0.2.20'] })] },
    want: [],
  },
  {
    name: 'range backwards',
    input: { ipAddressPools: [pool('p', { addresses: ['192.0.2.20-192.0.2.10'] })] },
    want: ['IPAddressPool p: spec.addresses[0] "192.0.2.20-192.0.2.10": range start is after its end'],
  },
  {
    name: 'range across families',
    input: { ipAddressPools: [pool('p', { addresses: ['192.0.2.1-2001:db8::1'] })] },
    want: ['IPAddressPool p: spec.addresses[0] "192.0.2.1-2001:db8::1": range mixes IPv4 and IPv6'],
  },
  {
    name: 'overlap inside a pool',
    input: { ipAddressPools: [pool('p', { addresses: ['192.0.2.0/24', '192.0.2.128/25'] })] },
    want: ['IPAddressPool p: spec.addresses[1] "192.0.2.128/25": overlaps "192.0.2.0/24" of the same pool'],
  },
  {
    name: 'overlap across pools (range against CIDR)',
    input: { ipAddressPools: [v4, pool('w', { addresses: ['192.0.2.250-192.0.3.5'] })] },
    want: ['IPAddressPool w: spec.addresses[0] "192.0.2.250-192.0.3.5": overlaps "192.0.2.0/24" of IPAddressPool v4'],
  },
  {
    name: 'dual-stack pool',
    input: { ipAddressPools: [pool('d', { addresses: ['192.0.2.0/24', '2001:db8::/120'] })] },
    want: [],
  },
  {
    name: 'duplicate namespace in serviceAllocation',
    input: {
      ipAddressPools: [pool('p', { addresses: ['192.0.2.0/24'], serviceAllocation: { namespaces: ['a', 'a'] } })],
    },
    want: ['IPAddressPool p: spec.serviceAllocation.namespaces[1] "a": duplicate namespace'],
  },
  {
    name: 'duplicate selectors in a list',
    input: {
      ipAddressPools: [
        pool('p', {
          addresses: ['192.0.2.0/24'],
          serviceAllocation: { serviceSelectors: [{ matchLabels: { a: 'b' } }, { matchLabels: { a: 'b' } }] },
        }),
      ],
    },
    want: ['IPAddressPool p: spec.serviceAllocation.serviceSelectors[1] {"matchLabels":{"a":"b"}}: duplicate selector'],
  },
  {
    name: 'duplicate match expressions',
    input: {
      ipAddressPools: [
        pool('p', {
          addresses: ['192.0.2.0/24'],
          serviceAllocation: {
            namespaceSelectors: [
              {
                matchExpressions: [
                  { key: 'a', operator: 'Exists' },
                  { key: 'a', operator: 'Exists' },
                ],
              },
            ],
          },
        }),
      ],
    },
    want: [
      'IPAddressPool p: spec.serviceAllocation.namespaceSelectors[0].matchExpressions[1] {"key":"a","operator":"Exists"}: duplicate match expression',
    ],
  },
  {
    name: 'duplicate values in one expression',
    input: {
      ipAddressPools: [
        pool('p', {
          addresses: ['192.0.2.0/24'],
          serviceAllocation: {
            serviceSelectors: [{ matchExpressions: [{ key: 'a', operator: 'In', values: ['x', 'x'] }] }],
          },
        }),
      ],
    },
    want: [
      'IPAddressPool p: spec.serviceAllocation.serviceSelectors[0].matchExpressions[0].values ["x","x"]: duplicate values',
    ],
  },
  {
    name: 'bad selector operator',
    input: {
      l2Advertisements: [
        l2('a', { nodeSelectors: [{ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] }] }),
      ],
    },
    want: [
      'L2Advertisement a: spec.nodeSelectors[0].matchExpressions[0].operator "Gt": operator must be In, NotIn, Exists or DoesNotExist',
    ],
  },
  {
    name: 'In without values',
    input: {
      l2Advertisements: [
        l2('a', { serviceSelectors: [{ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }] }),
      ],
    },
    want: [
      'L2Advertisement a: spec.serviceSelectors[0].matchExpressions[0].values []: operator In needs at least one value',
    ],
  },
  {
    name: 'Exists with values',
    input: {
      l2Advertisements: [
        l2('a', { serviceSelectors: [{ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }] }),
      ],
    },
    want: [
      'L2Advertisement a: spec.serviceSelectors[0].matchExpressions[0].values ["x"]: operator Exists takes no values',
    ],
  },
  {
    name: 'bad label key',
    input: { l2Advertisements: [l2('a', { nodeSelectors: [{ matchLabels: { '-bad': 'x' } }] })] },
    want: [
      'L2Advertisement a: spec.nodeSelectors[0].matchLabels "-bad": label key name must be 1-63 alphanumerics, "-", "_" or ".", starting and ending with an alphanumeric',
    ],
  },
  // L2Advertisement
  {
    name: 'L2 duplicate pool names',
    input: { ipAddressPools: [v4], l2Advertisements: [l2('a', { ipAddressPools: ['v4', 'v4'] })] },
    want: ['L2Advertisement a: spec.ipAddressPools[1] "v4": duplicate pool name'],
  },
  {
    name: 'L2 preference weight out of range',
    input: { l2Advertisements: [l2('a', { preferredNodeSelectors: [{ weight: 101, preference: {} }] })] },
    want: ['L2Advertisement a: spec.preferredNodeSelectors[0].weight 101: weight must be an integer in 1..100'],
  },
  // BGPAdvertisement
  {
    name: 'aggregation length out of range',
    input: { bgpAdvertisements: [bgpAd('a', { aggregationLength: 33 })] },
    want: ['BGPAdvertisement a: spec.aggregationLength 33: aggregation length must be an integer in 1..32'],
  },
  {
    name: 'aggregation length v6 out of range',
    input: { bgpAdvertisements: [bgpAd('a', { aggregationLengthV6: 129 })] },
    want: ['BGPAdvertisement a: spec.aggregationLengthV6 129: aggregation length must be an integer in 1..128'],
  },
  {
    name: 'aggregation wider than the pool',
    input: { ipAddressPools: [v4], bgpAdvertisements: [bgpAd('a', { aggregationLength: 16 })] },
    want: [
      'BGPAdvertisement a: spec.aggregationLength 16: aggregation length is shorter than prefix length 24 of addresses "192.0.2.0/24" of IPAddressPool v4',
    ],
  },
  {
    name: 'aggregation of a range pool uses the widest prefix of the range',
    input: {
      ipAddressPools: [pool('r', { addresses: ['192.0.2.0-192.0.2.5'] })],
      bgpAdvertisements: [bgpAd('a', { aggregationLength: 29 })],
    },
    want: [
      'BGPAdvertisement a: spec.aggregationLength 29: aggregation length is shorter than prefix length 30 of addresses "192.0.2.0-192.0.2.5" of IPAddressPool r',
    ],
  },
  {
    name: 'serviceSelectors with non-default aggregation',
    input: {
      bgpAdvertisements: [bgpAd('a', { aggregationLength: 30, serviceSelectors: [{ matchLabels: { a: 'b' } }] })],
    },
    want: [
      'BGPAdvertisement a: spec.serviceSelectors [{"matchLabels":{"a":"b"}}]: serviceSelectors can only be used with the default aggregation lengths (32 and 128)',
    ],
  },
  {
    name: 'community duplicates',
    input: { bgpAdvertisements: [bgpAd('a', { communities: ['65000:1', '65000:1'] })] },
    want: ['BGPAdvertisement a: spec.communities[1] "65000:1": duplicate community'],
  },
  {
    name: 'community out of range is a hard error',
    input: { bgpAdvertisements: [bgpAd('a', { communities: ['65536:1'] })] },
    want: ['BGPAdvertisement a: spec.communities[0] "65536:1": standard community parts must be integers in 0..65535'],
  },
  {
    name: 'four-part community not starting with large',
    input: { bgpAdvertisements: [bgpAd('a', { communities: ['big:1:2:3'] })] },
    want: ['BGPAdvertisement a: spec.communities[0] "big:1:2:3": a four-part community must start with "large"'],
  },
  {
    name: 'unknown alias is transient',
    input: { bgpAdvertisements: [bgpAd('a', { communities: ['no-export-ish'] })] },
    want: [
      'BGPAdvertisement a: spec.communities[0] "no-export-ish": not a community alias, a standard community (AA:NN) or a large community (large:G:L1:L2)',
    ],
    transient: [
      'BGPAdvertisement a: spec.communities[0] "no-export-ish": not a community alias, a standard community (AA:NN) or a large community (large:G:L1:L2)',
    ],
  },
  {
    name: 'alias resolves',
    input: {
      communities: [community('c', [{ name: 'edge', value: '65000:100' }])],
      bgpAdvertisements: [bgpAd('a', { communities: ['edge'] })],
    },
    want: [],
  },
  {
    name: 'large community in native mode',
    input: { bgpAdvertisements: [bgpAd('a', { communities: ['large:1:2:3'] })] },
    want: [
      'BGPAdvertisement a: spec.communities[0] "large:1:2:3": large communities are not supported in native BGP mode',
    ],
  },
  {
    name: 'large community in frr mode',
    input: { bgpAdvertisements: [bgpAd('a', { communities: ['large:1:2:3'] })] },
    options: { bgpMode: 'frr' },
    want: [],
  },
  {
    name: 'native BGP rejects IPv6 pools',
    input: { ipAddressPools: [pool('six', { addresses: ['2001:db8::/120'] })], bgpAdvertisements: [bgpAd('a')] },
    want: [
      'BGPAdvertisement a: spec.ipAddressPools "six": native BGP mode does not support IPv6: IPAddressPool six has IPv6 addresses',
    ],
  },
  {
    name: 'duplicate peer names in an advertisement',
    input: { bgpAdvertisements: [bgpAd('a', { peers: ['p', 'p'] })] },
    want: ['BGPAdvertisement a: spec.peers[1] "p": duplicate peer name'],
  },
  {
    name: 'localPref conflict',
    input: {
      ipAddressPools: [v4],
      nodes: [node('n1')],
      bgpAdvertisements: [bgpAd('a', { localPref: 100 }), bgpAd('b', { localPref: 200 })],
    },
    want: [
      'BGPAdvertisement b: spec.localPref 200: conflicts with localPref 100 of BGPAdvertisement a for IPAddressPool v4',
    ],
  },
  {
    name: 'localPref differs on disjoint peers',
    input: {
      ipAddressPools: [v4],
      nodes: [node('n1')],
      bgpAdvertisements: [bgpAd('a', { localPref: 100, peers: ['x'] }), bgpAd('b', { localPref: 200, peers: ['y'] })],
    },
    want: [],
  },
  {
    name: 'localPref differs with different aggregation',
    input: {
      ipAddressPools: [v4],
      nodes: [node('n1')],
      bgpAdvertisements: [bgpAd('a', { localPref: 100 }), bgpAd('b', { localPref: 200, aggregationLength: 30 })],
    },
    want: [],
  },
  // BGPPeer
  { name: 'valid peer', input: { bgpPeers: [peer('p', {})] }, want: [] },
  {
    name: 'missing local ASN',
    input: { bgpPeers: [peer('p', { myASN: 0 })] },
    want: ['BGPPeer p: spec.myASN 0: missing local ASN'],
  },
  {
    name: 'neither peerASN nor dynamicASN',
    input: { bgpPeers: [peer('p', { peerASN: 0 })] },
    want: ['BGPPeer p: spec.peerASN 0: one of peerASN and dynamicASN must be set'],
  },
  {
    name: 'both peerASN and dynamicASN',
    input: { bgpPeers: [peer('p', { dynamicASN: 'external' })] },
    options: { bgpMode: 'frr' },
    want: ['BGPPeer p: spec.dynamicASN "external": peerASN and dynamicASN are mutually exclusive'],
  },
  {
    name: 'bad dynamicASN',
    input: { bgpPeers: [peer('p', { peerASN: 0, dynamicASN: 'sideways' })] },
    want: ['BGPPeer p: spec.dynamicASN "sideways": dynamicASN must be "internal" or "external"'],
  },
  {
    name: 'bad peer address',
    input: { bgpPeers: [peer('p', { peerAddress: '192.0.2.300' })] },
    want: ['BGPPeer p: spec.peerAddress "192.0.2.300": not an IP address'],
  },
  {
    name: 'address and interface',
    input: { bgpPeers: [peer('p', { interface: 'eth0' })] },
    options: { bgpMode: 'frr' },
    want: ['BGPPeer p: spec.interface "eth0": peerAddress and interface are mutually exclusive'],
  },
  {
    name: 'no address and no interface',
    input: { bgpPeers: [peer('p', { peerAddress: '' })] },
    want: ['BGPPeer p: spec.peerAddress "": one of peerAddress and interface must be set'],
  },
  {
    name: 'bad source address',
    input: { bgpPeers: [peer('p', { sourceAddress: 'x' })] },
    want: ['BGPPeer p: spec.sourceAddress "x": not an IP address'],
  },
  {
    name: 'port out of range',
    input: { bgpPeers: [peer('p', { peerPort: 16385 })] },
    want: ['BGPPeer p: spec.peerPort 16385: port must be an integer in 1..16384'],
  },
  {
    name: 'bad hold time text',
    input: { bgpPeers: [peer('p', { holdTime: 'ninety' })] },
    want: ['BGPPeer p: spec.holdTime "ninety": not a duration (such as "90s")'],
  },
  {
    name: 'hold time too short',
    input: { bgpPeers: [peer('p', { holdTime: '2s' })] },
    want: ['BGPPeer p: spec.holdTime "2s": hold time must be 0 or at least 3s (RFC 4271 §4.2)'],
  },
  { name: 'hold time zero', input: { bgpPeers: [peer('p', { holdTime: '0s' })] }, want: [] },
  {
    name: 'keepalive rejected in native mode',
    input: { bgpPeers: [peer('p', { keepaliveTime: '10s' })] },
    want: ['BGPPeer p: spec.keepaliveTime "10s": not supported in native BGP mode (needs an FRR-based BGP mode)'],
  },
  {
    name: 'keepalive above hold',
    input: { bgpPeers: [peer('p', { holdTime: '9s', keepaliveTime: '10s' })] },
    options: { bgpMode: 'frr' },
    want: ['BGPPeer p: spec.keepaliveTime "10s": keepalive time must not exceed the hold time'],
  },
  {
    name: 'connect time with a fraction',
    input: { bgpPeers: [peer('p', { connectTime: '1500ms' })] },
    options: { bgpMode: 'frr' },
    want: ['BGPPeer p: spec.connectTime "1500ms": connect time must be a whole number of seconds in 1..65535'],
  },
  {
    name: 'connect time too long',
    input: { bgpPeers: [peer('p', { connectTime: '65536s' })] },
    options: { bgpMode: 'frr' },
    want: ['BGPPeer p: spec.connectTime "65536s": connect time must be a whole number of seconds in 1..65535'],
  },
  {
    name: 'router ID not an IP',
    input: { bgpPeers: [peer('p', { routerID: 'r1' })] },
    want: ['BGPPeer p: spec.routerID "r1": not an IP address'],
  },
  {
    name: 'IPv6 router ID',
    input: { bgpPeers: [peer('p', { routerID: '2001:db8::1' })] },
    want: ['BGPPeer p: spec.routerID "2001:db8::1": router ID must be an IPv4 address (RFC 6286)'],
  },
  {
    name: 'password and secret',
    input: { bgpPeers: [peer('p', { password: 'x', passwordSecret: { name: 's' } })] },
    want: ['BGPPeer p: spec.passwordSecret "s": password and passwordSecret are mutually exclusive'],
  },
  {
    name: 'missing secret is transient',
    input: { bgpPeers: [peer('p', { passwordSecret: { name: 's' } })] },
    want: ['BGPPeer p: spec.passwordSecret "metallb-system/s": Secret not found'],
    transient: ['BGPPeer p: spec.passwordSecret "metallb-system/s": Secret not found'],
  },
  {
    name: 'secret of the wrong type',
    input: {
      bgpPeers: [peer('p', { passwordSecret: { name: 's' } })],
      secrets: [secret('s', 'Opaque', { password: 'x' })],
    },
    want: [
      'BGPPeer p: spec.passwordSecret "metallb-system/s": Secret type must be kubernetes.io/basic-auth, not "Opaque"',
    ],
  },
  {
    name: 'secret without password key',
    input: {
      bgpPeers: [peer('p', { passwordSecret: { name: 's' } })],
      secrets: [secret('s', 'kubernetes.io/basic-auth', { username: 'x' })],
    },
    want: ['BGPPeer p: spec.passwordSecret "metallb-system/s": Secret has no "password" key'],
  },
  {
    name: 'missing BFD profile is transient',
    input: { bgpPeers: [peer('p', { bfdProfile: 'fast' })] },
    options: { bgpMode: 'frr' },
    want: ['BGPPeer p: spec.bfdProfile "fast": BFDProfile not found'],
    transient: ['BGPPeer p: spec.bfdProfile "fast": BFDProfile not found'],
  },
  {
    name: 'BFD profile in native mode',
    input: { bgpPeers: [peer('p', { bfdProfile: 'fast' })], bfdProfiles: [bfd('fast')] },
    want: [
      'BFDProfile fast: spec: BFD profiles are not supported in native BGP mode (needs an FRR-based BGP mode)',
      'BGPPeer p: spec.bfdProfile "fast": not supported in native BGP mode (needs an FRR-based BGP mode)',
    ],
  },
  {
    name: 'FRR-only fields in native mode',
    input: {
      bgpPeers: [peer('p', { vrf: 'red', enableGracefulRestart: true, dualStackAddressFamily: true, localASN: 64600 })],
    },
    want: [
      'BGPPeer p: spec.localASN 64600: not supported in native BGP mode (needs an FRR-based BGP mode)',
      'BGPPeer p: spec.enableGracefulRestart true: not supported in native BGP mode (needs an FRR-based BGP mode)',
      'BGPPeer p: spec.vrf "red": not supported in native BGP mode (needs an FRR-based BGP mode)',
      'BGPPeer p: spec.dualStackAddressFamily true: not supported in native BGP mode (needs an FRR-based BGP mode)',
    ],
  },
  {
    name: 'disableMP in native mode',
    input: { bgpPeers: [peer('p', { disableMP: true })] },
    want: ['BGPPeer p: spec.disableMP true: not supported in native BGP mode (needs an FRR-based BGP mode)'],
  },
  {
    name: 'disableMP in frr mode is only a warning',
    input: { bgpPeers: [peer('p', { disableMP: true })] },
    options: { bgpMode: 'frr' },
    want: [],
  },
  {
    name: 'ebgpMultiHop on iBGP',
    input: { bgpPeers: [peer('p', { peerASN: 64512, ebgpMultiHop: true })] },
    want: ['BGPPeer p: spec.ebgpMultiHop true: ebgpMultiHop is only valid for eBGP peers (peerASN differs from myASN)'],
  },
  {
    name: 'duplicate peer address on a common node',
    input: { nodes: [node('n1')], bgpPeers: [peer('a', {}), peer('b', {})] },
    want: ['BGPPeer b: spec.peerAddress "192.0.2.1": duplicate peer: BGPPeer a has the same address on a common node'],
  },
  {
    name: 'same address on disjoint nodes',
    input: {
      nodes: [node('n1', { rack: '1' }), node('n2', { rack: '2' })],
      bgpPeers: [
        peer('a', { nodeSelectors: [{ matchLabels: { rack: '1' } }] }),
        peer('b', { nodeSelectors: [{ matchLabels: { rack: '2' } }] }),
      ],
    },
    want: [],
  },
  {
    name: 'FRR: router IDs must agree on a node',
    input: {
      nodes: [node('n1')],
      bgpPeers: [peer('a', { routerID: '192.0.2.9' }), peer('b', { peerAddress: '192.0.2.2', routerID: '192.0.2.8' })],
    },
    options: { bgpMode: 'frr' },
    want: ['BGPPeer b: spec.routerID "192.0.2.8": router ID differs from "192.0.2.9" of BGPPeer a on a common node'],
  },
  {
    name: 'FRR: local ASN must agree within a VRF',
    input: { nodes: [node('n1')], bgpPeers: [peer('a', {}), peer('b', { peerAddress: '192.0.2.2', myASN: 64600 })] },
    options: { bgpMode: 'frr' },
    want: ['BGPPeer b: spec.myASN 64600: local ASN differs from 64512 of BGPPeer a in the same VRF on a common node'],
  },
  {
    name: 'BFD echo with IPv6 advertisement',
    input: {
      ipAddressPools: [pool('six', { addresses: ['2001:db8::/120'] })],
      bgpAdvertisements: [bgpAd('a')],
      bfdProfiles: [bfd('echo', { echoMode: true })],
      bgpPeers: [peer('p', { bfdProfile: 'echo' })],
    },
    options: { bgpMode: 'frr' },
    want: [
      'BGPPeer p: spec.bfdProfile "echo": BFD echo mode cannot be used with IPv6: BGPAdvertisement a sends IPAddressPool six to this peer',
    ],
  },
  // BFDProfile
  {
    name: 'BFD ranges',
    input: { bfdProfiles: [bfd('b', { receiveInterval: 5, detectMultiplier: 256, minimumTtl: 0 })] },
    options: { bgpMode: 'frr' },
    want: [
      'BFDProfile b: spec.receiveInterval 5: must be an integer in 10..60000',
      'BFDProfile b: spec.detectMultiplier 256: must be an integer in 2..255',
      'BFDProfile b: spec.minimumTtl 0: must be an integer in 1..254',
    ],
  },
  // Community
  {
    name: 'duplicate alias across Community objects',
    input: {
      communities: [community('a', [{ name: 'x', value: '1:1' }]), community('b', [{ name: 'x', value: '1:2' }])],
    },
    want: ['Community b: spec.communities[0].name "x": duplicate alias name, already defined by Community a'],
  },
  {
    name: 'invalid alias value',
    input: { communities: [community('a', [{ name: 'x', value: 'one:two' }])] },
    want: ['Community a: spec.communities[0].value "one:two": standard community parts must be integers in 0..65535'],
  },
  {
    name: 'large alias in native mode',
    input: { communities: [community('a', [{ name: 'x', value: 'large:1:2:3' }])] },
    want: [
      'Community a: spec.communities[0].value "large:1:2:3": large communities are not supported in native BGP mode',
    ],
  },
  // namespace scoping and speaker filtering
  {
    name: 'objects outside the namespace are ignored',
    input: { ipAddressPools: [{ ...pool('x', {}), metadata: { name: 'x', namespace: 'other' } }] },
    want: [],
  },
  {
    name: 'speaker skips peers that do not select its node',
    input: {
      nodes: [node('n1', { a: '1' })],
      bgpPeers: [peer('p', { myASN: 0, nodeSelectors: [{ matchLabels: { a: '2' } }] })],
    },
    options: { nodeName: 'n1' },
    want: [],
  },
  {
    name: 'speaker parses peers that select its node',
    input: {
      nodes: [node('n1', { a: '1' })],
      bgpPeers: [peer('p', { myASN: 0, nodeSelectors: [{ matchLabels: { a: '1' } }] })],
    },
    options: { nodeName: 'n1' },
    want: ['BGPPeer p: spec.myASN 0: missing local ASN'],
  },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    const r = parseConfig(c.input, { namespace: NS, ...c.options });
    const got = r.ok ? [] : r.errors.map((e) => e.message);
    t.same(got, c.want);
    if (!r.ok) {
      const transient = r.errors.filter((e) => e.transient).map((e) => e.message);
      t.same(transient, c.transient ?? []);
      for (const e of r.errors) t.equal(e.namespace, NS, 'errors name the namespace');
    }
  });
}

t.test('typed output: defaults and resolution', async (t) => {
  const r = parseConfig(
    {
      ipAddressPools: [
        pool(
          'a',
          {
            addresses: ['192.0.2.5/24', '2001:db8::10-2001:db8::1f'],
            serviceAllocation: { priority: 5, namespaceSelectors: [{ matchLabels: { team: 'x' } }] },
          },
          { tier: 'gold' },
        ),
        pool('b', { addresses: ['198.51.100.0/25'], autoAssign: false, avoidBuggyIPs: true }),
      ],
      l2Advertisements: [
        l2('l', {
          ipAddressPoolSelectors: [{ matchLabels: { tier: 'gold' } }],
          nodeSelectors: [{ matchLabels: { zone: 'a' } }],
          preferredNodeSelectors: [{ weight: 10, preference: { matchLabels: { fast: 'yes' } } }],
        }),
      ],
      bgpAdvertisements: [bgpAd('g', { communities: ['edge', '65000:7'], localPref: 50 })],
      communities: [community('c', [{ name: 'edge', value: '65000:100' }])],
      bgpPeers: [peer('p', { holdTime: '30s', passwordSecret: { name: 'pw' } })],
      namespaces: [namespace('ns1', { team: 'x' }), namespace('ns2', { team: 'y' })],
      nodes: [node('n1', { zone: 'a', fast: 'yes' }), node('n2', { zone: 'a' }), node('n3', { zone: 'b' })],
      secrets: [secret('pw', 'kubernetes.io/basic-auth', { password: 's3cret' })],
    },
    { namespace: NS, bgpMode: 'frr' },
  );
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
  const { config } = r;
  const a = config.pools.get('a')!;
  t.equal(a.autoAssign, true);
  t.equal(a.avoidBuggyIPs, false);
  t.equal(a.ranges[0]!.first, 0xc0000200n, 'host bits are masked');
  t.equal(a.ranges[1]!.prefixes.length, 1, '::10-::1f is one /124');
  t.same([...a.serviceAllocation!.namespaces], ['ns1']);
  t.equal(a.serviceAllocation!.priority, 5);
  t.equal(config.pools.get('b')!.autoAssign, false);
  t.match(
    r.warnings.map((w) => w.message),
    ['IPAddressPool a: spec.addresses[0] "192.0.2.5/24": host bits set; the whole network 192.0.2.0/24 is used'],
  );
  const l = config.l2Advertisements[0]!;
  t.same(l.pools, ['a']);
  t.same([...l.nodes].sort(), ['n1', 'n2']);
  t.same([...l.preferences[0]!.nodes], ['n1']);
  const g = config.bgpAdvertisements[0]!;
  t.same(g.pools, ['a', 'b'], 'no pool fields means all pools');
  t.equal(g.aggregationLength, 32);
  t.equal(g.aggregationLengthV6, 128);
  t.same(g.communities, [
    { type: 'standard', value: 65000 * 65536 + 100 },
    { type: 'standard', value: 65000 * 65536 + 7 },
  ]);
  const p = config.peers[0]!;
  t.equal(p.port, 179);
  t.equal(p.holdTimeS, 30);
  t.equal(p.keepaliveTimeS, 10);
  t.equal(p.password, 's3cret');
  t.same([...p.nodes].sort(), ['n1', 'n2', 'n3']);
});

t.test('hold and keepalive derivation', async (t) => {
  const one = (spec: object, mode: 'native' | 'frr' = 'frr') => {
    const r = parseConfig({ bgpPeers: [peer('p', spec)] }, { namespace: NS, bgpMode: mode });
    if (!r.ok) throw new Error(r.errors[0]!.message);
    return [r.config.peers[0]!.holdTimeS, r.config.peers[0]!.keepaliveTimeS];
  };
  t.same(one({}, 'native'), [90, 30]);
  t.same(one({ holdTime: '1m' }), [60, 20]);
  t.same(one({ keepaliveTime: '20s' }), [60, 20]);
  t.same(one({ holdTime: '3m', keepaliveTime: '1m' }), [180, 60]);
});

t.test('v1beta1 BGPPeer shape is accepted', async (t) => {
  const r = parseConfig(
    {
      nodes: [node('n1', { a: 'x' })],
      bgpPeers: [
        {
          apiVersion: 'metallb.io/v1beta1',
          kind: 'BGPPeer',
          metadata: { name: 'old', namespace: NS },
          spec: {
            myASN: 64512,
            peerASN: 64513,
            peerAddress: '192.0.2.1',
            peerPort: 0,
            nodeSelectors: [{ matchExpressions: [{ key: 'a', operator: 'In', values: ['x'] }] }],
          },
        },
      ],
    },
    { namespace: NS },
  );
  if (!r.ok) throw new Error(r.errors[0]!.message);
  t.equal(r.config.peers[0]!.port, 179, 'v1beta1 port 0 means the default');
  t.same([...r.config.peers[0]!.nodes], ['n1']);
});

t.test('errors are deterministic and object order does not matter', async (t) => {
  const input = {
    ipAddressPools: [pool('z', { addresses: ['192.0.2.0/25'] }), pool('a', { addresses: ['192.0.2.0/24'] })],
  };
  const r1 = parseConfig(input, { namespace: NS });
  const r2 = parseConfig({ ipAddressPools: [...input.ipAddressPools].reverse() }, { namespace: NS });
  t.same(r1, r2);
  t.same(r1.ok ? [] : r1.errors.map((e) => e.message), [
    'IPAddressPool z: spec.addresses[0] "192.0.2.0/25": overlaps "192.0.2.0/24" of IPAddressPool a',
  ]);
});
