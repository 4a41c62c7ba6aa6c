import t from 'tap';
import { DEFAULT_EXCLUDE_PATTERNS, checkInterface, compileInterfacePolicy } from '../../src/index.js';
import { ethernetInterface } from '../../src/testing/index.js';

const metallb = compileInterfacePolicy([], DEFAULT_EXCLUDE_PATTERNS);
const nic = (name: string, over = {}, ll: string | null = 'fe80::1') =>
  ethernetInterface(name, 2, '02:00:00:00:00:01', ll, over);

t.test('eligibility, reason by reason (metallb.md §4.3)', async (t) => {
  const cases = [
    { name: 'plain NIC', info: nic('eth0'), want: { reason: 'eligible', arp: true, ndp: true } },
    {
      name: 'no link-local: ARP only',
      info: nic('eth0', {}, null),
      want: { reason: 'eligible', arp: true, ndp: false },
    },
    {
      name: 'no BROADCAST: NDP only',
      info: nic('eth0', { broadcast: false }),
      want: { reason: 'eligible', arp: false, ndp: true },
    },
    {
      name: 'no carrier still eligible (reported as link loss instead)',
      info: nic('eth0', { carrier: false }),
      want: { reason: 'eligible', arp: true, ndp: true },
    },
    { name: 'down', info: nic('eth0', { up: false }), want: { reason: 'down', arp: false, ndp: false } },
    {
      name: 'loopback by flag',
      info: nic('lo0', { loopback: true }),
      want: { reason: 'loopback', arp: false, ndp: false },
    },
    {
      name: 'not Ethernet (WireGuard)',
      info: nic('wg0', { hardwareType: 65534 }),
      want: { reason: 'not-ethernet', arp: false, ndp: false },
    },
    {
      name: 'no MAC',
      info: { ...nic('eth0'), mac: new Uint8Array(6) },
      want: { reason: 'no-mac', arp: false, ndp: false },
    },
    {
      name: 'enslaved to a bond',
      info: nic('eth0', { master: 'bond0' }),
      want: { reason: 'enslaved', arp: false, ndp: false },
    },
    { name: 'NOARP', info: nic('eth0', { noarp: true }), want: { reason: 'noarp', arp: false, ndp: false } },
  ];
  for (const c of cases) t.same(checkInterface(c.info, metallb), c.want, c.name);
});

t.test('MetalLB’s default exclusions, and an allow-list', async (t) => {
  for (const name of [
    'docker0',
    'cbr0',
    'dummy0',
    'virbr0',
    'lxcbr0',
    'veth1234',
    'lo',
    'cali123',
    'tunl0',
    'flannel.1',
    'kube-ipvs0',
    'cni0',
    'nodelocaldns',
    'lxc_health',
  ]) {
    t.equal(checkInterface(nic(name), metallb).reason, 'excluded-by-name', name);
  }
  for (const name of ['eth0', 'ens3', 'enp0s31f6', 'bond0', 'br-lan', 'lo1'])
    t.equal(checkInterface(nic(name), metallb).reason, 'eligible', name);
  const allow = compileInterfacePolicy(['^eth', '^bond0$'], ['^eth9$']);
  t.equal(checkInterface(nic('eth1'), allow).reason, 'eligible');
  t.equal(checkInterface(nic('bond0'), allow).reason, 'eligible');
  t.equal(checkInterface(nic('ens3'), allow).reason, 'not-in-allow-list');
  t.equal(checkInterface(nic('eth9'), allow).reason, 'excluded-by-name', 'exclusion wins');
});
