// Interop with GoBGP and FRR in network namespaces: eBGP with a 4-octet AS over IPv4 and IPv6, iBGP with a
// 2-octet AS and LOCAL_PREF, communities and large communities read back from each daemon's own table, a
// withdrawal, a route refresh from the daemon, and the daemon restarting.
import t from 'tap';
import {
  FrrPeer,
  GobgpPeer,
  Lab,
  privilegedSkipWith,
  waitFor,
  type Netns,
  type PeerInit,
  type RealBgpPeer,
} from '@lbkit/testkit';
import { SpeakerWorker } from './speaker-worker-client.js';

const US4 = '192.0.2.1';
const US_IBGP = '192.0.2.3';
const US6 = '2001:db8::1';
const PEER4 = '192.0.2.2';
const PEER6 = '2001:db8::2';
const OUR_AS = 4200000001;
const PEER_AS = 64513;

interface Daemon {
  readonly name: string;
  readonly programs: readonly string[];
  /** Why the daemon cannot be made to send ROUTE-REFRESH, when it cannot. */
  readonly noRouteRefresh?: string;
  create(ns: Netns, init: PeerInit): RealBgpPeer;
  localPref(peer: RealBgpPeer, prefix: string): Promise<number | undefined>;
}

const DAEMONS: readonly Daemon[] = [
  {
    name: 'GoBGP',
    programs: ['gobgpd', 'gobgp'],
    noRouteRefresh: 'GoBGP keeps its Adj-RIB-In and serves `softresetin` from it without sending ROUTE-REFRESH',
    create: (ns, init) => new GobgpPeer(ns, init),
    localPref: async (peer, prefix) => {
      const out = await (peer as GobgpPeer).gobgp(['global', 'rib', '-a', 'ipv4', '-j']);
      const data = JSON.parse(out === '' ? '{}' : out) as Record<
        string,
        { attrs?: { type: number; value?: unknown }[] }[]
      >;
      const attr = data[prefix]?.[0]?.attrs?.find((a) => a.type === 5);
      return typeof attr?.value === 'number' ? attr.value : undefined;
    },
  },
  {
    name: 'FRR',
    programs: ['/usr/lib/frr/bgpd', '/usr/lib/frr/zebra', 'vtysh'],
    create: (ns, init) => new FrrPeer(ns, init),
    localPref: async (peer, prefix) => {
      const j = JSON.parse(await (peer as FrrPeer).vtysh([`show bgp ipv4 unicast ${prefix} json`])) as {
        paths?: { locPrf?: number }[];
      };
      return j.paths?.[0]?.locPrf;
    },
  },
];

function init(): PeerInit {
  return {
    asn: PEER_AS,
    routerId: PEER4,
    neighbors: [
      { address: US4, asn: OUR_AS, holdTime: 9 },
      { address: US6, asn: OUR_AS, holdTime: 9 },
      { address: US_IBGP, asn: PEER_AS, holdTime: 9 },
    ],
  };
}

async function has(peer: RealBgpPeer, prefix: string): Promise<boolean> {
  return (await peer.routes(prefix.includes(':') ? 6 : 4)).some((r) => r.prefix === prefix);
}

for (const d of DAEMONS) {
  t.test(d.name, { skip: privilegedSkipWith(...d.programs) }, async (t) => {
    const lab = Lab.create({ tag: `bgp${d.name.toLowerCase()}` }, t);
    const us = await lab.namespace('us');
    const pns = await lab.namespace('peer');
    await lab.link(us, 'eth0', pns, 'eth0', {
      addressA: [`${US4}/24`, `${US_IBGP}/24`, `${US6}/64`],
      addressB: [`${PEER4}/24`, `${PEER6}/64`],
    });
    let peer = d.create(pns, init());
    t.teardown(() => peer.stop());
    await peer.start();
    t.comment(await peer.version());
    const common = { holdTime: 9, connectRetryTime: 1, idleHoldTime: 0.5, idleHoldMaxTime: 2 };
    const ebgp = await SpeakerWorker.spawn(us, {
      asn: OUR_AS,
      routerId: US4,
      peers: [
        { address: PEER4, asn: PEER_AS, localAddress: US4, families: ['ipv4-unicast'], ...common },
        { address: PEER6, asn: PEER_AS, localAddress: US6, families: ['ipv6-unicast'], ...common },
      ],
    });
    t.teardown(() => ebgp.close());
    const ibgp = await SpeakerWorker.spawn(us, {
      asn: PEER_AS,
      routerId: US_IBGP,
      peers: [{ address: PEER4, asn: PEER_AS, localAddress: US_IBGP, families: ['ipv4-unicast'], ...common }],
    });
    t.teardown(() => ibgp.close());
    await ebgp.call('announce', {
      prefixes: ['198.51.100.20/32', '198.51.100.21/32'],
      attributes: { communities: ['64512:20'], largeCommunities: ['4200000001:2:2'] },
    });
    await ebgp.call('announce', {
      prefix: '2001:db8:200::20/128',
      attributes: { communities: ['64512:62'], largeCommunities: ['4200000001:6:2'] },
    });
    await ibgp.call('announce', {
      prefix: '203.0.113.40/32',
      attributes: { localPref: 250, communities: ['64513:40'] },
    });
    await Promise.all([ebgp.call('start'), ibgp.call('start')]);

    await t.test('sessions establish', async () => {
      await Promise.all([peer.waitEstablished(US4), peer.waitEstablished(US6), peer.waitEstablished(US_IBGP)]);
      await Promise.all([ebgp.waitEstablished(PEER4), ebgp.waitEstablished(PEER6), ibgp.waitEstablished(PEER4)]);
    });

    await t.test('routes and attributes in the daemon', async (t) => {
      await waitFor(
        `routes in ${d.name}`,
        async () =>
          (await has(peer, '198.51.100.21/32')) &&
          (await has(peer, '2001:db8:200::20/128')) &&
          (await has(peer, '203.0.113.40/32')),
        20_000,
      );
      const v4 = (await peer.routes(4)).find((r) => r.prefix === '198.51.100.20/32')!;
      t.same(v4.asPath, [OUR_AS]);
      t.equal(v4.nextHop, US4);
      t.same(v4.communities, ['64512:20']);
      t.same(v4.largeCommunities, ['4200000001:2:2']);
      const v6 = (await peer.routes(6)).find((r) => r.prefix === '2001:db8:200::20/128')!;
      t.same(v6.asPath, [OUR_AS]);
      t.same(v6.communities, ['64512:62']);
      t.same(v6.largeCommunities, ['4200000001:6:2']);
      t.equal(await d.localPref(peer, '203.0.113.40/32'), 250, 'LOCAL_PREF over iBGP');
    });

    await t.test('withdrawal', async (t) => {
      await ebgp.call('withdraw', { prefix: '198.51.100.21/32' });
      await waitFor('withdrawal', async () => !(await has(peer, '198.51.100.21/32')), 15_000);
      t.ok(await has(peer, '198.51.100.20/32'));
    });

    await t.test(
      'route refresh from the daemon answered',
      d.noRouteRefresh === undefined ? {} : { skip: d.noRouteRefresh },
      async (t) => {
        const before = (await ebgp.status()).find((s) => s.peer === PEER4)!.counters.routeRefreshIn;
        await peer.refreshFrom(US4);
        await ebgp.waitSession(PEER4, (s) => s.counters.routeRefreshIn > before, 15_000, 'ROUTE-REFRESH');
        await waitFor(
          'refresh answered',
          async () => ebgp.events.some((e) => e.event === 'route-refresh-answered'),
          5_000,
        );
        t.ok(await has(peer, '198.51.100.20/32'));
      },
    );

    await t.test('the daemon restarting: we reconnect and re-advertise', async (t) => {
      await peer.stop();
      await ebgp.waitSession(PEER4, (s) => s.state !== 'established', 20_000, 'session down');
      peer = d.create(pns, init());
      await peer.start();
      await ebgp.waitEstablished(PEER4, 40_000);
      await waitFor('routes re-sent', async () => has(peer, '198.51.100.20/32'), 30_000);
      t.pass('re-advertised');
    });
  });
}
