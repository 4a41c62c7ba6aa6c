// Interop with BIRD 2 in network namespaces: eBGP (4-octet AS) over IPv4 and IPv6, iBGP (2-octet AS) with
// LOCAL_PREF, communities and large communities read back from BIRD's own table, withdrawal, route refresh,
// an RFC 8203 shutdown message, the peer going silent (nftables), BIRD restarting, our graceful restart, and
// TCP-MD5 right, wrong and missing.
import t from 'tap';
import { BirdPeer, Lab, privilegedSkipWith, waitFor, type Netns, type PeerInit } from '@lbkit/testkit';
import { SpeakerWorker } from './speaker-worker-client.js';

const skip = privilegedSkipWith('bird', 'birdc', 'nft');

const US4 = '192.0.2.1';
const US_IBGP = '192.0.2.3';
const US6 = '2001:db8::1';
const BIRD4 = '192.0.2.2';
const BIRD6 = '2001:db8::2';
const OUR_AS = 4200000001;
const BIRD_AS = 64513;

/** BIRD with a TCP-MD5 password on every neighbour. */
class BirdWithPassword extends BirdPeer {
  readonly password: string;
  constructor(ns: Netns, init: PeerInit, password: string) {
    super(ns, init);
    this.password = password;
  }
  override config(): string {
    return super.config().replace(/(\n {2}neighbor [^\n]+;)/g, `$1\n  password "${this.password}";`);
  }
}

function birdInit(): PeerInit {
  return {
    asn: BIRD_AS,
    routerId: BIRD4,
    neighbors: [
      { address: US4, asn: OUR_AS, holdTime: 9 },
      { address: US6, asn: OUR_AS, holdTime: 9 },
      { address: US_IBGP, asn: BIRD_AS, holdTime: 9 },
    ],
  };
}

async function localPref(bird: BirdPeer, prefix: string): Promise<number | undefined> {
  const out = await bird.birdc(['show', 'route', 'all', 'for', prefix]);
  const m = /BGP\.local_pref:\s*(\d+)/.exec(out);
  return m === null ? undefined : Number(m[1]);
}

async function hasRoute(bird: BirdPeer, prefix: string): Promise<boolean> {
  return (await bird.routes(prefix.includes(':') ? 6 : 4)).some((r) => r.prefix === prefix);
}

t.test('BIRD 2', { skip }, async (t) => {
  const lab = Lab.create({ tag: 'bgpbird' }, t);
  const us = await lab.namespace('us');
  const bns = await lab.namespace('bird');
  await lab.link(us, 'eth0', bns, 'eth0', {
    addressA: [`${US4}/24`, `${US_IBGP}/24`, `${US6}/64`],
    addressB: [`${BIRD4}/24`, `${BIRD6}/64`],
  });
  let bird = new BirdPeer(bns, birdInit());
  t.teardown(() => bird.stop());
  await bird.start();
  const common = { holdTime: 3, connectRetryTime: 1, idleHoldTime: 0.5, idleHoldMaxTime: 2 };
  const spawnEbgp = (restarting = false): Promise<SpeakerWorker> =>
    SpeakerWorker.spawn(us, {
      asn: OUR_AS,
      routerId: US4,
      gracefulRestart: { restartTime: 60, restarting },
      peers: [
        { address: BIRD4, asn: BIRD_AS, localAddress: US4, families: ['ipv4-unicast'], ...common },
        { address: BIRD6, asn: BIRD_AS, localAddress: US6, families: ['ipv6-unicast'], ...common },
      ],
    });
  let ebgp = await spawnEbgp();
  t.teardown(() => ebgp.close());
  const ibgp = await SpeakerWorker.spawn(us, {
    asn: BIRD_AS,
    routerId: US_IBGP,
    peers: [{ address: BIRD4, asn: BIRD_AS, localAddress: US_IBGP, families: ['ipv4-unicast'], ...common }],
  });
  t.teardown(() => ibgp.close());

  await ebgp.call('announce', {
    prefixes: ['198.51.100.10/32', '198.51.100.11/32'],
    attributes: { communities: ['64512:10', '65000:20'], largeCommunities: ['4200000001:1:2'], med: 7 },
  });
  await ebgp.call('announce', {
    prefix: '2001:db8:100::10/128',
    attributes: { communities: ['64512:60'], largeCommunities: ['4200000001:6:6'] },
  });
  await ibgp.call('announce', { prefix: '203.0.113.30/32', attributes: { localPref: 300, communities: ['64513:30'] } });
  await Promise.all([ebgp.call('start'), ibgp.call('start')]);

  await t.test('sessions establish (eBGP v4 and v6 with a 4-octet AS, iBGP with a 2-octet AS)', async (t) => {
    await Promise.all([bird.waitEstablished(US4), bird.waitEstablished(US6), bird.waitEstablished(US_IBGP)]);
    const st = await ebgp.waitEstablished(BIRD4);
    t.equal(st.negotiatedHoldTime, 3, 'hold time: the smaller of 3 and 9');
    await ebgp.waitEstablished(BIRD6);
    await ibgp.waitEstablished(BIRD4);
  });

  await t.test('routes in BIRD with their attributes', async (t) => {
    await waitFor(
      'routes in BIRD',
      async () =>
        (await hasRoute(bird, '198.51.100.11/32')) &&
        (await hasRoute(bird, '2001:db8:100::10/128')) &&
        (await hasRoute(bird, '203.0.113.30/32')),
      15_000,
    );
    const v4 = (await bird.routes(4)).find((r) => r.prefix === '198.51.100.10/32')!;
    t.same(v4.asPath, [OUR_AS], '4-octet AS in AS_PATH');
    t.equal(v4.nextHop, US4, 'next hop self');
    t.same([...v4.communities].sort(), ['64512:10', '65000:20']);
    t.same(v4.largeCommunities, ['4200000001:1:2']);
    const v6 = (await bird.routes(6)).find((r) => r.prefix === '2001:db8:100::10/128')!;
    t.equal(v6.nextHop, US6, 'IPv6 next hop from the session address');
    const v6all = await bird.birdc(['show', 'route', 'all', 'for', '2001:db8:100::10/128']);
    t.match(v6all, /BGP\.next_hop:\s*2001:db8::1 fe80::/, 'global and link-local next hops (RFC 2545 §3)');
    t.same(v6.communities, ['64512:60']);
    t.same(v6.largeCommunities, ['4200000001:6:6']);
    const ib = (await bird.routes(4)).find((r) => r.prefix === '203.0.113.30/32')!;
    t.same(ib.asPath, [], 'iBGP: empty AS_PATH');
    t.equal(await localPref(bird, '203.0.113.30/32'), 300, 'LOCAL_PREF over iBGP');
    t.not(await localPref(bird, '198.51.100.10/32'), 300, 'no LOCAL_PREF of ours over eBGP');
  });

  await t.test('withdrawal', async (t) => {
    await ebgp.call('withdraw', { prefix: '198.51.100.11/32' });
    await waitFor('withdrawal in BIRD', async () => !(await hasRoute(bird, '198.51.100.11/32')), 10_000);
    t.ok(await hasRoute(bird, '198.51.100.10/32'), 'the other route stays');
  });

  await t.test('route refresh from BIRD answered', async (t) => {
    const before = (await ebgp.status()).find((s) => s.peer === BIRD4)!.counters.routeRefreshIn;
    await bird.refreshFrom(US4);
    const st = await ebgp.waitSession(BIRD4, (s) => s.counters.routeRefreshIn > before, 10_000, 'ROUTE-REFRESH');
    t.equal(st.state, 'established');
    await waitFor('refresh answered', async () => ebgp.events.some((e) => e.event === 'route-refresh-answered'), 5_000);
    t.ok(await hasRoute(bird, '198.51.100.10/32'), 'routes intact after the refresh');
  });

  await t.test('administrative shutdown with a message, then back', async (t) => {
    await ibgp.call('disable', { peer: BIRD4, message: 'lbkit maintenance' });
    await waitFor(
      'BIRD sees the shutdown',
      async () => !/Established/.test(await bird.birdc(['show', 'protocols', 'all', 'n2'])),
      10_000,
    );
    const out = await bird.birdc(['show', 'protocols', 'all', 'n2']);
    t.match(out, /lbkit maintenance|Administrative shutdown/i, 'BIRD shows the shutdown');
    await waitFor('route gone', async () => !(await hasRoute(bird, '203.0.113.30/32')), 10_000);
    await ibgp.call('enable', { peer: BIRD4 });
    await ibgp.waitEstablished(BIRD4);
    await waitFor('route back', async () => hasRoute(bird, '203.0.113.30/32'), 10_000);
  });

  await t.test('the peer going silent: hold timer expiry, NOTIFICATION, reconnect', async (t) => {
    // Drop BGP both ways inside BIRD's namespace: no FIN, no RST, just silence.
    await bns.exec('nft', ['add table inet lbk']);
    await bns.exec('nft', ['add chain inet lbk in { type filter hook input priority 0; }']);
    await bns.exec('nft', ['add chain inet lbk out { type filter hook output priority 0; }']);
    await bns.exec('nft', ['add rule inet lbk in ip saddr 192.0.2.1 tcp dport 179 drop']);
    await bns.exec('nft', ['add rule inet lbk in ip saddr 192.0.2.1 tcp sport 179 drop']);
    await bns.exec('nft', ['add rule inet lbk out ip daddr 192.0.2.1 drop']);
    const st = await ebgp.waitSession(BIRD4, (s) => s.reason === 'hold-timer-expired', 10_000, 'hold timer expiry');
    t.equal(st.lastErrorSent?.name, 'HOLD_TIMER_EXPIRED/subcode 0', 'Hold Timer Expired NOTIFICATION sent');
    t.ok(st.counters.holdTimerExpiries >= 1);
    const v6 = (await ebgp.status()).find((s) => s.peer === BIRD6)!;
    t.equal(v6.state, 'established', 'the IPv6 session is untouched');
    await bns.exec('nft', ['delete table inet lbk']);
    await ebgp.waitEstablished(BIRD4, 30_000);
    await waitFor('routes back in BIRD', async () => hasRoute(bird, '198.51.100.10/32'), 30_000);
    t.pass('reconnected and re-advertised');
  });

  await t.test('BIRD restarting: we reconnect and re-advertise', async (t) => {
    await bird.stop();
    await ebgp.waitSession(BIRD4, (s) => s.state !== 'established', 15_000, 'session down');
    bird = new BirdPeer(bns, birdInit());
    await bird.start();
    await ebgp.waitEstablished(BIRD4, 30_000);
    await waitFor(
      'routes in the new BIRD',
      async () => (await hasRoute(bird, '198.51.100.10/32')) && (await hasRoute(bird, '2001:db8:100::10/128')),
      30_000,
    );
    t.pass('routes re-sent to the restarted BIRD');
  });

  await t.test('our graceful restart: BIRD keeps our routes while we are gone', async (t) => {
    await bird.waitEstablished(US4);
    await waitFor('route present', async () => hasRoute(bird, '198.51.100.10/32'), 10_000);
    await ebgp.close(true); // the process dies: the kernel closes the connection, no NOTIFICATION
    await waitFor(
      'BIRD notices',
      async () => !/Established/.test(await bird.birdc(['show', 'protocols', 'n0'])),
      10_000,
    );
    await new Promise((r) => setTimeout(r, 1500));
    t.ok(await hasRoute(bird, '198.51.100.10/32'), 'route retained as stale during our restart');
    ebgp = await spawnEbgp(true);
    await ebgp.call('announce', {
      prefixes: ['198.51.100.10/32'],
      attributes: { communities: ['64512:10', '65000:20'] },
    });
    await ebgp.call('start');
    await ebgp.waitEstablished(BIRD4, 30_000);
    await bird.waitEstablished(US4);
    await new Promise((r) => setTimeout(r, 1000));
    t.ok(await hasRoute(bird, '198.51.100.10/32'), 'route present after we came back');
    const out = await bird.birdc(['show', 'route', 'all', 'for', '198.51.100.10/32']);
    t.notMatch(out, /stale/i, 'no longer stale after our End-of-RIB');
  });
});

t.test('BIRD with TCP-MD5: right, wrong and missing password', { skip }, async (t) => {
  const lab = Lab.create({ tag: 'bgpmd5' }, t);
  const us = await lab.namespace('us');
  const bns = await lab.namespace('bird');
  await lab.link(us, 'eth0', bns, 'eth0', { addressA: [`${US4}/24`], addressB: [`${BIRD4}/24`] });
  const bird = new BirdWithPassword(
    bns,
    { asn: BIRD_AS, routerId: BIRD4, neighbors: [{ address: US4, asn: OUR_AS, holdTime: 9 }] },
    'lbk-md5-secret',
  );
  t.teardown(() => bird.stop());
  await bird.start();
  for (const c of [
    { name: 'wrong', password: 'not-the-secret', up: false },
    { name: 'missing', password: undefined, up: false },
    { name: 'right', password: 'lbk-md5-secret', up: true },
  ]) {
    const w = await SpeakerWorker.spawn(us, {
      asn: OUR_AS,
      routerId: US4,
      peers: [
        {
          address: BIRD4,
          asn: BIRD_AS,
          families: ['ipv4-unicast'],
          holdTime: 9,
          connectRetryTime: 1,
          connectTimeout: 1,
          ...(c.password === undefined ? {} : { md5Password: c.password }),
        },
      ],
    });
    await w.call('start');
    if (c.up) {
      await w.waitEstablished(BIRD4, 20_000);
      await bird.waitEstablished(US4);
      t.pass(`${c.name} password: established`);
    } else {
      await new Promise((r) => setTimeout(r, 4000));
      const st = (await w.status())[0]!;
      t.not(st.state, 'established', `${c.name} password: no session`);
      t.ok(st.counters.connectFailures >= 1, `${c.name} password: connection attempts fail`);
    }
    await w.close();
  }
});

/** BIRD with GTSM (`ttl security on`) on every neighbour. */
class BirdWithGtsm extends BirdPeer {
  override config(): string {
    return super.config().replace(/(\n {2}neighbor [^\n]+;)/g, '$1\n  ttl security on;');
  }
}

t.test('BIRD connecting to our listener with GTSM, bound to a device', { skip }, async (t) => {
  const lab = Lab.create({ tag: 'bgpgtsm' }, t);
  const us = await lab.namespace('us');
  const bns = await lab.namespace('bird');
  await lab.link(us, 'eth0', bns, 'eth0', { addressA: [`${US4}/24`], addressB: [`${BIRD4}/24`] });
  const init: PeerInit = { asn: BIRD_AS, routerId: BIRD4, neighbors: [{ address: US4, asn: OUR_AS, holdTime: 9 }] };
  const w = await SpeakerWorker.spawn(us, {
    asn: OUR_AS,
    routerId: US4,
    listen: { address: '0.0.0.0', port: 179 },
    peers: [
      {
        address: BIRD4,
        asn: BIRD_AS,
        passive: true,
        gtsm: true,
        device: 'eth0',
        families: ['ipv4-unicast'],
        holdTime: 9,
      },
    ],
  });
  t.teardown(() => w.close());
  await w.call('announce', { prefix: '198.51.100.77/32' });
  await w.call('start');
  // BIRD without GTSM sends TTL 64: our listener's minimum TTL of 255 drops its SYNs.
  const plain = new BirdPeer(bns, init);
  await plain.start();
  await new Promise((r) => setTimeout(r, 4000));
  t.not((await w.status())[0]!.state, 'established', 'a peer sending TTL 64 never gets a session');
  await plain.stop();
  const bird = new BirdWithGtsm(bns, init);
  t.teardown(() => bird.stop());
  await bird.start();
  await w.waitEstablished(BIRD4, 30_000);
  await bird.waitEstablished(US4);
  await waitFor('route in BIRD', async () => hasRoute(bird, '198.51.100.77/32'), 10_000);
  t.pass('passive session over our listener with GTSM both ways');
});
