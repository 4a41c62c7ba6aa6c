import t from 'tap';
import { privilegedSkip } from '@lbkit/testkit';
import { AgentError } from '../helpers/agent.js';
import { ADDR, topology } from '../helpers/topology.js';

interface Dgram {
  timeout?: boolean;
  data: string;
  address: string;
  port: number;
  family: number;
  ttl: number;
  ifindex: number;
  localAddress: string;
}

t.test(
  'received TTL and hop limit, direct and routed, with the sending TTL chosen',
  { skip: privilegedSkip() },
  async (t) => {
    const { b, agentA, agentB, agentC } = await topology(t, 'udpttl');
    // RFC 5881 ports: receive on 3784, send from the 49152-65535 range.
    await agentB.call('udpOpen', { id: 'rx4', init: { address: '0.0.0.0', port: 3784 } });
    await agentB.call('udpOpen', { id: 'rx6', init: { address: '::', port: 3784, ipv6Only: true } });
    await agentC.call('udpOpen', { id: 'rx4', init: { address: ADDR.cRouted4, port: 3784 } });
    await agentC.call('udpOpen', { id: 'rx6', init: { address: ADDR.cRouted6, port: 3784 } });
    const tx4 = await agentA.call<{ port: number }>('udpOpen', {
      id: 'tx4',
      init: { address: '0.0.0.0', port: 49152, ttl: 255 },
    });
    await agentA.call('udpOpen', { id: 'tx6', init: { address: '::', port: 49153, ttl: 255 } });
    t.equal(tx4.port, 49152, 'bound the chosen source port');
    const bIfindex = (await b.ipJson<Array<{ ifindex: number }>>(['link', 'show', 'dev', 'eth0']))[0]?.ifindex;

    const cases = [
      { name: 'IPv4 direct', tx: 'tx4', rx: agentB, rxId: 'rx4', to: ADDR.bDirect4, from: ADDR.aDirect4, ttl: 255 },
      { name: 'IPv6 direct', tx: 'tx6', rx: agentB, rxId: 'rx6', to: ADDR.bDirect6, from: ADDR.aDirect6, ttl: 255 },
      {
        name: 'IPv4 through a router',
        tx: 'tx4',
        rx: agentC,
        rxId: 'rx4',
        to: ADDR.cRouted4,
        from: ADDR.aRouted4,
        ttl: 254,
      },
      {
        name: 'IPv6 through a router',
        tx: 'tx6',
        rx: agentC,
        rxId: 'rx6',
        to: ADDR.cRouted6,
        from: ADDR.aRouted6,
        ttl: 254,
      },
    ];
    for (const c of cases) {
      await agentA.call('udpSend', { id: c.tx, data: 'c0ffee', port: 3784, address: c.to });
      const d = await c.rx.call<Dgram>('udpReceive', { id: c.rxId, timeoutMs: 5000 });
      t.notOk(d.timeout, `${c.name}: received`);
      t.equal(d.data, 'c0ffee', `${c.name}: payload`);
      t.equal(d.ttl, c.ttl, `${c.name}: TTL / hop limit ${c.ttl}`);
      t.equal(d.address, c.from, `${c.name}: source address`);
      t.equal(d.port, c.tx === 'tx4' ? 49152 : 49153, `${c.name}: source port`);
      t.equal(d.localAddress, c.to, `${c.name}: destination address`);
      if (c.rx === agentB) t.equal(d.ifindex, bIfindex, `${c.name}: receiving interface`);
    }

    await agentA.call('udpSend', { id: 'tx4', data: '01', port: 3784, address: ADDR.bDirect4, ttl: 7 });
    t.equal(
      (await agentB.call<Dgram>('udpReceive', { id: 'rx4' })).ttl,
      7,
      'a per-datagram TTL overrides the socket TTL',
    );
    await agentA.call('udpSend', { id: 'tx6', data: '01', port: 3784, address: ADDR.bDirect6, ttl: 9 });
    t.equal(
      (await agentB.call<Dgram>('udpReceive', { id: 'rx6' })).ttl,
      9,
      'a per-datagram hop limit overrides the socket hop limit',
    );
  },
);

t.test('a dual-stack socket reports IPv4 TTLs on mapped addresses', { skip: privilegedSkip() }, async (t) => {
  const { agentA, agentB } = await topology(t, 'udpdual');
  await agentB.call('udpOpen', { id: 'rx', init: { address: '::', port: 4784 } });
  await agentA.call('udpOpen', { id: 'tx', init: { family: 6, ttl: 255 } });
  await agentA.call('udpSend', { id: 'tx', data: 'ab', port: 4784, address: ADDR.bDirect4 });
  const d = await agentB.call<Dgram>('udpReceive', { id: 'rx' });
  t.equal(d.ttl, 255);
  t.equal(d.address, `::ffff:${ADDR.aDirect4}`);
  t.equal(d.localAddress, `::ffff:${ADDR.bDirect4}`);
});

t.test('SO_BINDTODEVICE limits reception to one interface', { skip: privilegedSkip() }, async (t) => {
  const { agentA, agentB } = await topology(t, 'udpdev');
  await agentB.call('udpOpen', { id: 'eth0', init: { port: 5000, device: 'eth0', reuseAddress: true } });
  await agentB.call('udpOpen', { id: 'lo', init: { port: 5000, device: 'lo', reuseAddress: true } });
  await agentA.call('udpOpen', { id: 'tx', init: {} });
  await agentA.call('udpSend', { id: 'tx', data: '42', port: 5000, address: ADDR.bDirect4 });
  t.equal((await agentB.call<Dgram>('udpReceive', { id: 'eth0' })).data, '42', 'the socket bound to eth0 got it');
  t.ok(
    (await agentB.call<Dgram>('udpReceive', { id: 'lo', timeoutMs: 500 })).timeout,
    'the socket bound to lo did not',
  );
});

t.test('IP_FREEBIND binds an address not assigned yet', { skip: privilegedSkip() }, async (t) => {
  const { agentB } = await topology(t, 'udpfree');
  const err = await agentB
    .call('udpOpen', { id: 'x', init: { address: '192.0.2.77', port: 6000 } })
    .catch((e: unknown) => e);
  t.ok(err instanceof AgentError);
  t.equal((err as AgentError).detail.errno, 'EADDRNOTAVAIL');
  t.match((err as AgentError).detail.message, /freebind/);
  const ok = await agentB.call<{ address: string; port: number }>('udpOpen', {
    id: 'y',
    init: { address: '192.0.2.77', port: 6000, freebind: true },
  });
  t.same(ok, { address: '192.0.2.77', port: 6000, family: 4 });
});

t.test('minTtl drops routed datagrams before they reach the program', { skip: privilegedSkip() }, async (t) => {
  const { agentA, agentB, agentC } = await topology(t, 'udpmin');
  await agentB.call('udpOpen', { id: 'rx', init: { port: 3784, minTtl: 255 } });
  await agentC.call('udpOpen', { id: 'rx', init: { port: 3784, minTtl: 255 } });
  await agentA.call('udpOpen', { id: 'tx', init: { ttl: 255 } });
  await agentA.call('udpSend', { id: 'tx', data: '01', port: 3784, address: ADDR.bDirect4 });
  await agentA.call('udpSend', { id: 'tx', data: '02', port: 3784, address: ADDR.cRouted4 });
  t.equal((await agentB.call<Dgram>('udpReceive', { id: 'rx' })).data, '01', 'direct (TTL 255) passes');
  t.ok((await agentC.call<Dgram>('udpReceive', { id: 'rx', timeoutMs: 700 })).timeout, 'routed (TTL 254) is dropped');
  t.match(await agentC.call('udpStats', { id: 'rx' }), { received: 1, ttlDrops: 1 }, 'and counted');
});
