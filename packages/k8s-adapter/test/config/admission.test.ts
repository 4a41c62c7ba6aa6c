import t from 'tap';
import { admit, type AdmissionRequest } from '../../src/config/admission.js';
import type { ConfigInput } from '../../src/config/parse-config.js';
import { bfd, bgpAd, NS, peer, pool } from './helpers.js';

const v4 = pool('v4', { addresses: ['192.0.2.0/24'] });

interface Case {
  name: string;
  current: ConfigInput;
  request: AdmissionRequest;
  mode?: 'native' | 'frr';
  allowed: boolean;
  message?: string;
  warnings?: string[];
}

const cases: Case[] = [
  {
    name: 'valid pool',
    current: {},
    request: { operation: 'CREATE', kind: 'IPAddressPool', object: v4 },
    allowed: true,
  },
  {
    name: 'wrong namespace',
    current: {},
    request: {
      operation: 'CREATE',
      kind: 'IPAddressPool',
      object: { ...v4, metadata: { name: 'v4', namespace: 'default' } },
    },
    allowed: false,
    message: 'resource must be created in metallb-system namespace',
  },
  {
    name: 'overlapping pool',
    current: { ipAddressPools: [v4] },
    request: { operation: 'CREATE', kind: 'IPAddressPool', object: pool('w', { addresses: ['192.0.2.128/25'] }) },
    allowed: false,
    message: 'IPAddressPool w: spec.addresses[0] "192.0.2.128/25": overlaps "192.0.2.0/24" of IPAddressPool v4',
  },
  {
    name: 'update of the same pool does not overlap itself',
    current: { ipAddressPools: [v4] },
    request: {
      operation: 'UPDATE',
      kind: 'IPAddressPool',
      object: pool('v4', { addresses: ['192.0.2.0/25'] }),
      oldObject: v4,
    },
    allowed: true,
  },
  {
    name: 'IPv6 pool after a native BGPAdvertisement (cross-kind)',
    current: { ipAddressPools: [v4], bgpAdvertisements: [bgpAd('all')] },
    request: { operation: 'CREATE', kind: 'IPAddressPool', object: pool('six', { addresses: ['2001:db8::/120'] }) },
    allowed: false,
    message:
      'BGPAdvertisement all: spec.ipAddressPools "six": native BGP mode does not support IPv6: IPAddressPool six has IPv6 addresses',
  },
  {
    name: 'peer with a missing BFD profile is admitted (created later)',
    current: {},
    mode: 'frr',
    request: { operation: 'CREATE', kind: 'BGPPeer', object: peer('p', { bfdProfile: 'later' }) },
    allowed: true,
  },
  {
    name: 'existing errors elsewhere do not block unrelated objects',
    current: { ipAddressPools: [pool('broken', { addresses: ['x'] })] },
    request: { operation: 'CREATE', kind: 'IPAddressPool', object: v4 },
    allowed: true,
  },
  {
    name: 'disableMP warns and still validates',
    current: {},
    request: { operation: 'CREATE', kind: 'BGPPeer', object: peer('p', { disableMP: true, myASN: 0 }) },
    mode: 'frr',
    allowed: false,
    message: 'BGPPeer p: spec.myASN 0: missing local ASN',
    warnings: ["disable mp is deprecated and has no effect since it's the default behavior now"],
  },
  {
    name: 'graceful restart is immutable',
    current: {},
    mode: 'frr',
    request: {
      operation: 'UPDATE',
      kind: 'BGPPeer',
      object: peer('p', { enableGracefulRestart: true }),
      oldObject: peer('p', {}),
    },
    allowed: false,
    message: 'BGPPeer spec.enableGracefulRestart is immutable',
  },
  {
    name: 'BFD profile in use cannot be deleted',
    current: { bfdProfiles: [bfd('fast')], bgpPeers: [peer('p', { bfdProfile: 'fast' })] },
    request: { operation: 'DELETE', kind: 'BFDProfile', oldObject: bfd('fast') },
    allowed: false,
    message: 'failed to delete BFDProfile fast, used by BGPPeer p',
  },
  {
    name: 'unused BFD profile can be deleted',
    current: { bfdProfiles: [bfd('fast')] },
    request: { operation: 'DELETE', kind: 'BFDProfile', oldObject: bfd('fast') },
    allowed: true,
  },
  {
    name: 'pool deletes are never blocked',
    current: { ipAddressPools: [v4] },
    request: { operation: 'DELETE', kind: 'IPAddressPool', oldObject: v4 },
    allowed: true,
  },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    const r = admit(c.request, c.current, { namespace: NS, bgpMode: c.mode ?? 'native' });
    t.equal(r.allowed, c.allowed);
    t.equal(r.message, c.message);
    t.same(r.warnings, c.warnings ?? []);
  });
}
