import t from 'tap';
import { BirdPeer, FrrPeer, GobgpPeer, Lab, privilegedSkipWith, waitFor, type RealBgpPeer } from '../../src/index.js';

const skip = privilegedSkipWith('bird', 'birdc', 'gobgpd', 'gobgp', 'vtysh', '/usr/lib/frr/bgpd');

async function hasRoute(
  peer: RealBgpPeer,
  family: 4 | 6,
  prefix: string,
  check: (r: Awaited<ReturnType<RealBgpPeer['routes']>>[number]) => boolean,
): Promise<boolean> {
  const routes = await peer.routes(family);
  return routes.some((r) => r.prefix === prefix && check(r));
}

t.test('BIRD and GoBGP peer over IPv4 and exchange routes with communities', { skip }, async (t) => {
  const lab = Lab.create({ tag: 'peers' }, t);
  const a = await lab.namespace('bird');
  const b = await lab.namespace('gobgp');
  await lab.link(a, 'eth0', b, 'eth0', { addressA: '192.0.2.1/24', addressB: '192.0.2.2/24' });
  const bird = new BirdPeer(a, {
    asn: 64512,
    routerId: '192.0.2.1',
    neighbors: [{ address: '192.0.2.2', asn: 64513 }],
    routes: [{ prefix: '198.51.100.0/24', communities: ['64512:100'], largeCommunities: ['64512:1:2'] }],
  });
  const gobgp = new GobgpPeer(b, {
    asn: 64513,
    routerId: '192.0.2.2',
    neighbors: [{ address: '192.0.2.1', asn: 64512 }],
    routes: [{ prefix: '203.0.113.0/24', communities: ['64513:7'] }],
  });
  t.teardown(() => Promise.all([bird.stop(), gobgp.stop()]));
  await bird.start();
  await gobgp.start();
  t.match(await bird.version(), /BIRD version 2/);
  t.match(await gobgp.version(), /gobgpd version/);
  await bird.waitEstablished('192.0.2.2');
  await gobgp.waitEstablished('192.0.2.1');
  await waitFor(
    "GoBGP to learn BIRD's route",
    () =>
      hasRoute(
        gobgp,
        4,
        '198.51.100.0/24',
        (r) => r.communities.includes('64512:100') && r.largeCommunities.includes('64512:1:2') && r.asPath[0] === 64512,
      ),
    20_000,
  );
  await waitFor(
    "BIRD to learn GoBGP's route",
    () => hasRoute(bird, 4, '203.0.113.0/24', (r) => r.communities.includes('64513:7') && r.nextHop === '192.0.2.2'),
    20_000,
  );
  await gobgp.withdraw('203.0.113.0/24');
  await waitFor(
    'the withdrawal to reach BIRD',
    async () => !(await hasRoute(bird, 4, '203.0.113.0/24', () => true)),
    20_000,
  );
  t.pass('routes exchanged and withdrawn');
});

t.test('FRR and BIRD peer over IPv6 and exchange routes; a shutdown takes the session down', { skip }, async (t) => {
  const lab = Lab.create({ tag: 'peers6' }, t);
  const a = await lab.namespace('frr');
  const b = await lab.namespace('bird');
  await lab.link(a, 'eth0', b, 'eth0', { addressA: '2001:db8::1/64', addressB: '2001:db8::2/64' });
  const frr = new FrrPeer(a, {
    asn: 64520,
    routerId: '192.0.2.11',
    neighbors: [{ address: '2001:db8::2', asn: 64521 }],
    routes: [{ prefix: '2001:db8:100::/48', communities: ['64520:5'], largeCommunities: ['64520:0:9'] }],
  });
  const bird = new BirdPeer(b, {
    asn: 64521,
    routerId: '192.0.2.12',
    neighbors: [{ address: '2001:db8::1', asn: 64520 }],
    routes: [{ prefix: '2001:db8:200::/48' }],
  });
  t.teardown(() => Promise.all([frr.stop(), bird.stop()]));
  await frr.start();
  await bird.start();
  t.match(await frr.version(), /bgpd version 8/);
  await frr.waitEstablished('2001:db8::2');
  await bird.waitEstablished('2001:db8::1');
  await waitFor(
    "BIRD to learn FRR's route",
    () =>
      hasRoute(
        bird,
        6,
        '2001:db8:100::/48',
        (r) => r.communities.includes('64520:5') && r.largeCommunities.includes('64520:0:9') && r.asPath[0] === 64520,
      ),
    20_000,
  );
  await waitFor(
    "FRR to learn BIRD's route",
    () => hasRoute(frr, 6, '2001:db8:200::/48', (r) => r.asPath[0] === 64521),
    20_000,
  );
  await bird.shutdownNeighbor('2001:db8::1', 'maintenance');
  await waitFor(
    'FRR to see the session go down',
    async () => {
      const j = JSON.parse(await frr.vtysh(['show bgp neighbors 2001:db8::2 json'])) as Record<
        string,
        { bgpState?: string; lastNotificationReason?: string }
      >;
      return j['2001:db8::2']?.bgpState !== 'Established';
    },
    20_000,
  );
  t.pass('session shut down');
});
