import t from 'tap';
import { ManualClock } from '@lbkit/core';
import { createSpeaker, type BgpSpeaker, type PeerInit } from '../../src/index.js';
import { MemoryNetwork } from '../../src/testing/index.js';
import { advance, settle } from './helpers.js';

const A = '192.0.2.1';
const B = '192.0.2.2';

function pair(
  net: MemoryNetwork,
  clock: ManualClock,
  opts: { a?: Partial<PeerInit>; b?: Partial<PeerInit>; idA?: string; idB?: string } = {},
): [BgpSpeaker, BgpSpeaker] {
  const base = { holdTime: 9, connectRetryTime: 1, idleHoldTime: 1, adjRibIn: true };
  const a = createSpeaker(
    {
      asn: 64512,
      routerId: opts.idA ?? A,
      listen: {},
      coalesceMs: 10,
      peers: [{ address: B, asn: 64513, ...base, ...opts.a }],
    },
    { clock, transport: net.transport(A), random: () => 0.5 },
  );
  const b = createSpeaker(
    {
      asn: 64513,
      routerId: opts.idB ?? B,
      listen: {},
      coalesceMs: 10,
      peers: [{ address: A, asn: 64512, ...base, ...opts.b }],
    },
    { clock, transport: net.transport(B), random: () => 0.3 },
  );
  return [a, b];
}

t.test('two active speakers starting at once converge on one session', async (t) => {
  for (const ids of [
    { idA: '192.0.2.1', idB: '192.0.2.2' },
    { idA: '192.0.2.9', idB: '192.0.2.2' },
  ]) {
    const net = new MemoryNetwork();
    const clock = new ManualClock();
    const [a, b] = pair(net, clock, ids);
    const notes: string[] = [];
    a.on('notification-sent', (e) => notes.push(`a ${e.notification.name}`));
    b.on('notification-sent', (e) => notes.push(`b ${e.notification.name}`));
    await Promise.all([a.start(), b.start()]);
    await settle(20);
    await advance(clock, 3000, 100);
    t.equal(a.sessions()[0]!.state, 'established', `a established (${ids.idA})`);
    t.equal(b.sessions()[0]!.state, 'established', `b established (${ids.idA})`);
    t.equal(net.connections.length, 2, 'one connection left (two ends)');
    t.ok(
      notes.every((n) => n.endsWith('CONNECTION_COLLISION_RESOLUTION')),
      `only collision NOTIFICATIONs: ${notes.join(', ')}`,
    );
    a.announce('198.51.100.1/32');
    await advance(clock, 50, 10);
    t.equal(b.session(A)!.ribIn!.size, 1, 'routes flow over the surviving connection');
    await a.stop();
    await b.stop();
  }
});

t.test('MD5: equal keys connect; a missing or wrong key never does', async (t) => {
  const cases = [
    { name: 'right', a: 'secret', b: 'secret', up: true },
    { name: 'wrong', a: 'secret', b: 'other', up: false },
    { name: 'missing', a: undefined, b: 'secret', up: false },
  ];
  for (const c of cases) {
    const net = new MemoryNetwork();
    const clock = new ManualClock();
    const [a, b] = pair(net, clock, {
      a: c.a === undefined ? {} : { md5Password: c.a },
      b: { passive: true, ...(c.b === undefined ? {} : { md5Password: c.b }) },
    });
    await b.start();
    await a.start();
    await advance(clock, 3000, 100);
    t.equal(a.sessions()[0]!.state === 'established', c.up, `${c.name}: ${a.sessions()[0]!.state}`);
    if (!c.up) t.ok(a.sessions()[0]!.counters.connectFailures > 0, `${c.name}: connect attempts fail`);
    await a.stop();
    await b.stop();
  }
});

t.test('the peer restarting: our session comes back and re-sends everything', async (t) => {
  const net = new MemoryNetwork();
  const clock = new ManualClock();
  const [a, b] = pair(net, clock, { b: { passive: true } });
  await b.start();
  await a.start();
  for (let i = 0; i < 50; i++) a.announce(`198.51.100.${i}/32`);
  a.announce('2001:db8::1/128');
  await advance(clock, 500, 50);
  t.equal(b.session(A)!.ribIn!.size, 51);
  await b.stop();
  await advance(clock, 100, 10);
  t.not(a.sessions()[0]!.state, 'established');
  t.equal(a.sessions()[0]!.lastErrorReceived?.name, 'CEASE/ADMINISTRATIVE_SHUTDOWN');
  await b.start();
  await advance(clock, 12_000, 100);
  t.equal(a.sessions()[0]!.state, 'established', 'reconnected');
  t.equal(b.session(A)!.ribIn!.size, 51, 'full table re-sent');
  await a.stop();
  await b.stop();
});

t.test('listener: configured peers and dynamic ranges only', async (t) => {
  const net = new MemoryNetwork();
  const clock = new ManualClock();
  const hub = createSpeaker(
    { asn: 64512, routerId: A, listen: {}, dynamicNeighbors: [{ prefix: '198.51.100.0/24', asn: 64600, holdTime: 9 }] },
    { clock, transport: net.transport(A) },
  );
  await hub.start();
  hub.announce('203.0.113.10/32');
  const spoke = (addr: string, asn: number): BgpSpeaker =>
    createSpeaker(
      {
        asn,
        routerId: addr.startsWith('198') ? addr : '203.0.113.250',
        peers: [{ address: A, asn: 64512, holdTime: 9, adjRibIn: true, connectRetryTime: 1 }],
      },
      { clock, transport: net.transport(addr) },
    );
  const s1 = spoke('198.51.100.7', 64600);
  const s2 = spoke('198.51.100.8', 64600);
  const stranger = spoke('203.0.113.66', 64600);
  const wrongAs = spoke('198.51.100.9', 64999);
  await Promise.all([s1.start(), s2.start(), stranger.start(), wrongAs.start()]);
  await advance(clock, 2000, 100);
  t.equal(s1.sessions()[0]!.state, 'established');
  t.equal(s2.sessions()[0]!.state, 'established');
  t.equal(s1.session(A)!.ribIn!.size, 1, 'dynamic neighbour receives routes');
  t.not(stranger.sessions()[0]!.state, 'established', 'address outside every range refused');
  t.not(wrongAs.sessions()[0]!.state, 'established', 'wrong AS refused');
  t.equal(wrongAs.sessions()[0]!.lastErrorReceived?.name, 'OPEN_MESSAGE_ERROR/BAD_PEER_AS');
  t.same(
    hub
      .sessions()
      .map((s) => s.peer)
      .sort(),
    ['198.51.100.7', '198.51.100.8'],
    'dynamic sessions listed while up',
  );
  await s1.stop();
  await advance(clock, 100, 10);
  t.same(
    hub.sessions().map((s) => s.peer),
    ['198.51.100.8'],
    'a dynamic session goes away with its peer',
  );
  for (const s of [s2, stranger, wrongAs, hub]) await s.stop();
});

t.test('200 sessions in one process with 1000 routes each', async (t) => {
  const net = new MemoryNetwork();
  const clock = new ManualClock();
  const peers: PeerInit[] = [];
  const remotes: BgpSpeaker[] = [];
  for (let i = 0; i < 200; i++) {
    const addr = `198.51.100.${i + 1}`;
    peers.push({ address: addr, asn: 64513, holdTime: 9, passive: true });
    remotes.push(
      createSpeaker(
        { asn: 64513, routerId: addr, peers: [{ address: A, asn: 64512, holdTime: 9, connectRetryTime: 1 }] },
        { clock, transport: net.transport(addr) },
      ),
    );
  }
  const hub = createSpeaker({ asn: 64512, routerId: A, listen: {}, peers }, { clock, transport: net.transport(A) });
  for (let i = 0; i < 1000; i++) hub.announce(`240.0.${i >> 8}.${i & 255}/32`);
  await hub.start();
  await Promise.all(remotes.map((r) => r.start()));
  await advance(clock, 60_000, 500);
  const st = hub.sessions();
  t.equal(st.filter((s) => s.state === 'established').length, 200, 'all 200 established');
  t.equal(
    st.reduce((n, s) => n + s.prefixesOut, 0),
    200_000,
    '1000 routes to each',
  );
  t.equal(
    st.reduce((n, s) => n + s.counters.holdTimerExpiries, 0),
    0,
    'no hold timer expiry over a simulated minute',
  );
  for (const r of remotes) await r.stop();
  await hub.stop();
});

t.test('IPv6: global next hop from the session, link-local next hop for a directly connected eBGP peer', async (t) => {
  for (const multihop of [undefined, 2]) {
    const net = new MemoryNetwork();
    const clock = new ManualClock();
    const a = createSpeaker(
      {
        asn: 64512,
        routerId: A,
        peers: [
          {
            address: '2001:db8::2',
            asn: 64513,
            families: ['ipv6-unicast'],
            ...(multihop === undefined ? {} : { ebgpMultihop: multihop }),
          },
        ],
      },
      {
        clock,
        transport: net.transport('2001:db8::1'),
        linkLocalFor: (addr) => (addr === '2001:db8::1' ? 'fe80::1' : undefined),
      },
    );
    const b = createSpeaker(
      {
        asn: 64513,
        routerId: B,
        listen: {},
        peers: [{ address: '2001:db8::1', asn: 64512, passive: true, adjRibIn: true, families: ['ipv6-unicast'] }],
      },
      { clock, transport: net.transport('2001:db8::2') },
    );
    await b.start();
    a.announce('2001:db8:100::1/128');
    await a.start();
    await advance(clock, 200, 10);
    const route = b.session('2001:db8::1')!.ribIn!.get('2001:db8:100::1/128');
    const mp = route?.attributes.find((x) => x.type === 'mp-reach-nlri');
    t.equal(mp?.type === 'mp-reach-nlri' ? mp.nextHop : undefined, '2001:db8::1', 'global next hop');
    t.equal(
      mp?.type === 'mp-reach-nlri' ? mp.linkLocalNextHop : undefined,
      multihop === undefined ? 'fe80::1' : undefined,
      multihop === undefined ? 'link-local next hop (RFC 2545 §3)' : 'none for a multihop peer',
    );
    await a.stop();
    await b.stop();
  }
});
