import t from 'tap';
import { ErrorCode, WellKnownCommunity, encodeMessage, type UpdateMessage } from '../../src/codec/index.js';
import { FakePeer } from '../../src/testing/index.js';
import { advance, announced, established, LOCAL, PEER, rig, routeUpdates, settle, withdrawn } from './helpers.js';

t.test('initial sync: routes packed per attribute set, then End-of-RIB per family', async (t) => {
  const r = await rig();
  for (let i = 0; i < 600; i++)
    r.speaker.announce(`198.51.${100 + (i >> 8)}.${i & 255}/32`, { communities: ['64512:100'] });
  r.speaker.announce('203.0.113.7/32', { med: 5 });
  r.speaker.announce('2001:db8::7/128', { largeCommunities: ['64512:1:1'] });
  const p = await established(r);
  const ups = p.ofType('update');
  const routes = routeUpdates(ups);
  t.equal(announced(routes).length, 602, 'every route sent once');
  t.equal(routes.length, 3, 'one UPDATE per attribute set (extended messages let 600 /32s share one)');
  const eors = ups.filter((u) => !routes.includes(u));
  t.equal(eors.length, 2, 'End-of-RIB for IPv4 and IPv6');
  t.ok(ups.indexOf(eors[0]!) > ups.indexOf(routes[routes.length - 1]!), 'End-of-RIB after the routes');
  const st = r.speaker.sessions()[0]!;
  t.equal(st.prefixesOut, 602);
  t.equal(st.state, 'established');
  t.same(st.families, ['ipv4-unicast', 'ipv6-unicast']);
  await r.speaker.stop();
});

t.test('without extended messages, UPDATEs stay within 4096 octets', async (t) => {
  const r = await rig({ peer: { extendedMessage: false } });
  for (let i = 0; i < 2000; i++) r.speaker.announce(`198.51.${100 + (i >> 8)}.${i & 255}/32`);
  const p = await established(r);
  const routes = routeUpdates(p.ofType('update'));
  t.equal(announced(routes).length, 2000);
  for (const u of routes) t.ok(encodeMessage(u).length <= 4096);
  t.ok(routes.length <= 3, `2000 /32s in ${routes.length} UPDATEs`);
  await r.speaker.stop();
});

t.test('coalescing window: many changes, few UPDATEs; announce+withdraw in a window sends nothing', async (t) => {
  const r = await rig();
  const p = await established(r);
  p.received.length = 0;
  for (let i = 0; i < 300; i++) r.speaker.announce(`198.51.100.${i & 255}/32`);
  r.speaker.announce('203.0.113.1/32');
  r.speaker.withdraw('203.0.113.1/32');
  await settle();
  t.equal(p.received.length, 0, 'nothing before the window closes');
  await advance(r.clock, 25, 5);
  const first = routeUpdates(p.ofType('update'));
  t.equal(first.length, 1, 'one UPDATE for the whole window');
  t.equal(announced(first).length, 256);
  t.notOk(announced(first).includes('203.0.113.1/32'));
  p.received.length = 0;
  for (let i = 0; i < 100; i++) r.speaker.withdraw(`198.51.100.${i}/32`);
  await advance(r.clock, 25, 5);
  const w = routeUpdates(p.ofType('update'));
  t.equal(w.length, 1, 'withdrawals batched into one UPDATE');
  t.equal(withdrawn(w).length, 100);
  t.equal(r.speaker.sessions()[0]!.prefixesOut, 156);
  await r.speaker.stop();
});

t.test('attributes: eBGP without LOCAL_PREF, iBGP with it; communities and MED', async (t) => {
  const e = await rig();
  e.speaker.announce('203.0.113.9/32', { communities: ['64512:9', 'NO_EXPORT'], med: 42, localPref: 300 });
  const pe = await established(e);
  const ue = routeUpdates(pe.ofType('update'))[0]!;
  t.same(
    ue.attributes.map((a) => a.type),
    ['origin', 'as-path', 'next-hop', 'multi-exit-disc', 'communities'],
  );
  t.same(
    ue.attributes.find((a) => a.type === 'next-hop'),
    { type: 'next-hop', nextHop: '192.0.2.1' },
    'next hop self',
  );
  await e.speaker.stop();
  const i = await rig({ peerAsn: 64512 });
  i.speaker.announce('203.0.113.9/32', { localPref: 300 });
  const pi = await established(i);
  const ui = routeUpdates(pi.ofType('update'))[0]!;
  t.same(
    ui.attributes.find((a) => a.type === 'local-pref'),
    { type: 'local-pref', localPref: 300 },
  );
  t.same(
    ui.attributes.find((a) => a.type === 'as-path'),
    { type: 'as-path', segments: [] },
  );
  await i.speaker.stop();
});

t.test('the peer going silent: hold timer expiry, NOTIFICATION 4/0, reconnect after IdleHold', async (t) => {
  const r = await rig();
  const p = await established(r);
  const states: string[] = [];
  r.speaker.on('session-state-changed', (e) => states.push(`${e.to}:${e.reason}`));
  // Peer keepalives for a while keep the session up.
  for (let i = 0; i < 5; i++) {
    await advance(r.clock, 2000, 500);
    p.send({ type: 'keepalive' });
    await settle();
  }
  t.equal(r.speaker.sessions()[0]!.state, 'established');
  t.ok(p.ofType('keepalive').length >= 3, 'we send keepalives every hold/3');
  // Silence: drop everything the peer sends (it would keep talking, like a firewalled router).
  r.net.partition('192.0.2.1', PEER, true);
  await advance(r.clock, 9100, 100);
  const st = r.speaker.sessions()[0]!;
  t.equal(st.reason, 'hold-timer-expired');
  t.equal(st.counters.holdTimerExpiries, 1);
  t.equal(st.lastErrorSent?.name, 'HOLD_TIMER_EXPIRED/subcode 0');
  t.ok(states.includes('idle:hold-timer-expired'));
  r.net.partition('192.0.2.1', PEER, false);
  await advance(r.clock, 2000, 100);
  t.equal(r.speaker.sessions()[0]!.state, 'established', 'reconnected after IdleHold');
  t.equal(r.peers.length, 2, 'over a new connection');
  await r.speaker.stop();
});

t.test('admin shutdown carries the RFC 8203 message', async (t) => {
  const r = await rig();
  const p = await established(r);
  r.speaker.disablePeer(PEER, 'maintenance: draining node-3');
  await settle();
  const n = p.ofType('notification')[0]!;
  t.equal(n.code, 6);
  t.equal(n.subcode, 2);
  t.equal(n.communication, 'maintenance: draining node-3');
  t.equal(r.speaker.sessions()[0]!.state, 'idle');
  await advance(r.clock, 5000);
  t.equal(r.speaker.sessions()[0]!.state, 'idle', 'no automatic restart');
  r.speaker.enablePeer(PEER);
  await settle(20);
  t.equal(r.speaker.sessions()[0]!.state, 'established');
  await r.speaker.stop({ message: 'bye' });
});

t.test('route refresh answered with BoRR, the Adj-RIB-Out and EoRR', async (t) => {
  const r = await rig();
  r.speaker.announce('203.0.113.1/32');
  r.speaker.announce('203.0.113.2/32', { med: 1 });
  const p = await established(r);
  p.received.length = 0;
  let answered = 0;
  r.speaker.on('route-refresh-answered', () => answered++);
  p.send({ type: 'route-refresh', afi: 1, safi: 1, subtype: 0 });
  await settle();
  const seq = p.received.map((m) => (m.type === 'route-refresh' ? `rr${m.subtype}` : m.type));
  t.same(seq, ['rr1', 'update', 'update', 'rr2']);
  t.same(announced(p.received).sort(), ['203.0.113.1/32', '203.0.113.2/32']);
  t.equal(answered, 1);
  await r.speaker.stop();
});

t.test('route refresh without enhanced route refresh re-sends plainly', async (t) => {
  const r = await rig({ peerCapabilities: [{ type: 'multiprotocol', afi: 1, safi: 1 }, { type: 'route-refresh' }] });
  r.speaker.announce('203.0.113.1/32');
  const p = await established(r);
  p.received.length = 0;
  p.send({ type: 'route-refresh', afi: 1, safi: 1, subtype: 0 });
  await settle();
  t.same(
    p.received.map((m) => m.type),
    ['update'],
  );
  t.same(r.speaker.sessions()[0]!.families, ['ipv4-unicast'], 'only the families both sides offer');
  await r.speaker.stop();
});

t.test('malformed input: RFC 7606 treat-as-withdraw keeps the session; framing errors close it', async (t) => {
  const r = await rig({ peer: { adjRibIn: true } });
  const p = await established(r);
  // ORIGIN with a bad value → treat-as-withdraw.
  p.send({
    type: 'update',
    withdrawn: [],
    attributes: [
      { type: 'malformed', code: 1, flags: 0x40, value: Uint8Array.of(7), reason: 'origin-value' },
      { type: 'as-path', segments: [{ type: 'as-sequence', asns: [64513] }] },
      { type: 'next-hop', nextHop: PEER },
    ],
    nlri: [{ family: 4, base: 0xc6336401n, length: 32 }],
  });
  // A good route.
  p.send({
    type: 'update',
    withdrawn: [],
    attributes: [
      { type: 'origin', origin: 0 },
      { type: 'as-path', segments: [{ type: 'as-sequence', asns: [64513] }] },
      { type: 'next-hop', nextHop: PEER },
    ],
    nlri: [{ family: 4, base: 0xc6336402n, length: 32 }],
  });
  await settle();
  let st = r.speaker.sessions()[0]!;
  t.equal(st.state, 'established');
  t.equal(st.counters.treatAsWithdraw, 1);
  t.equal(st.prefixesIn, 1);
  t.ok(r.speaker.session(PEER)!.ribIn!.get('198.51.100.2/32'));
  // A header with a bad marker: Connection Not Synchronized, session closed.
  const bad = encodeMessage({ type: 'keepalive' });
  bad[0] = 0;
  p.sendRaw(bad);
  await settle();
  st = r.speaker.sessions()[0]!;
  t.equal(st.state, 'idle');
  t.equal(st.reason, 'message-error');
  t.same([st.lastErrorSent?.code, st.lastErrorSent?.subcode], [ErrorCode.MESSAGE_HEADER_ERROR, 1]);
  await r.speaker.stop();
});

t.test('random bytes from a peer never throw out of the session', async (t) => {
  let seed = 12345;
  const rand = (): number => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed / 4294967296;
  };
  for (let round = 0; round < 40; round++) {
    const r = await rig();
    const p = await established(r);
    // A valid header then garbage of a random type and length, so decoding reaches the bodies.
    const len = 19 + Math.floor(rand() * 80);
    const b = new Uint8Array(len);
    b.fill(0xff, 0, 16);
    b[16] = len >> 8;
    b[17] = len & 255;
    b[18] = 1 + Math.floor(rand() * 5);
    for (let i = 19; i < len; i++) b[i] = Math.floor(rand() * 256);
    p.sendRaw(b);
    await settle();
    const st = r.speaker.sessions()[0]!;
    t.ok(st.state === 'established' || st.state === 'idle', `round ${round}: ${st.state} ${st.reason}`);
    await r.speaker.stop();
  }
});

t.test('graceful shutdown community (RFC 8326) before withdrawal', async (t) => {
  const r = await rig({ peerAsn: 64512 });
  r.speaker.announce('203.0.113.5/32', { communities: ['64512:5'] });
  const p = await established(r);
  p.received.length = 0;
  const done = r.speaker.gracefulShutdown(5000);
  await settle();
  const marked = routeUpdates(p.ofType('update'))[0]!;
  const comms = marked.attributes.find((a) => a.type === 'communities');
  t.ok(
    comms?.type === 'communities' && comms.communities.includes(WellKnownCommunity.GRACEFUL_SHUTDOWN),
    'GRACEFUL_SHUTDOWN added',
  );
  t.same(
    marked.attributes.find((a) => a.type === 'local-pref'),
    { type: 'local-pref', localPref: 0 },
    'LOCAL_PREF 0 towards iBGP',
  );
  p.received.length = 0;
  await advance(r.clock, 5100, 100);
  await done;
  t.same(withdrawn(p.ofType('update')), ['203.0.113.5/32'], 'withdrawn after the drain time');
  await r.speaker.stop();
});

t.test('export policy: per-peer filter and rewrite', async (t) => {
  const r = await rig({
    components: {
      exportPolicy: (route, peer) => {
        if (route.prefix.startsWith('203.0.113.')) return null;
        return peer.external ? { ...route.attributes, communities: ['64512:999'] } : undefined;
      },
    },
  });
  r.speaker.announce('203.0.113.1/32');
  r.speaker.announce('198.51.100.1/32');
  const p = await established(r);
  const routes = routeUpdates(p.ofType('update'));
  t.same(announced(routes), ['198.51.100.1/32']);
  const c = routes[0]!.attributes.find((a) => a.type === 'communities');
  t.same(c, { type: 'communities', communities: [64512 * 65536 + 999] });
  await r.speaker.stop();
});

t.test('4-octet local AS: AS_TRANS in the OPEN, the real AS in AS_PATH', async (t) => {
  const r = await rig({ speaker: { asn: 4200000001 }, peerCapabilities: [{ type: 'multiprotocol', afi: 1, safi: 1 }] });
  r.speaker.announce('203.0.113.1/32');
  await r.speaker.start();
  await settle(10);
  const p = r.peer();
  const open = p.ofType('open')[0]!;
  t.equal(open.myAutonomousSystem, 23456, 'AS_TRANS in My Autonomous System');
  await settle(10);
  // FakePeer always adds the 4-octet capability (createOpen does), so check the attributes it got instead.
  const u = routeUpdates(p.ofType('update'))[0]!;
  t.same(
    u.attributes.find((a) => a.type === 'as-path'),
    { type: 'as-path', segments: [{ type: 'as-sequence', asns: [4200000001] }] },
  );
  await r.speaker.stop();
});

t.test('add-path send when negotiated: path identifier 1 on every prefix', async (t) => {
  const r = await rig({
    peer: { addPath: true },
    peerCapabilities: [
      { type: 'multiprotocol', afi: 1, safi: 1 },
      { type: 'add-path', families: [{ afi: 1, safi: 1, sendReceive: 1 }] },
    ],
  });
  r.speaker.announce('203.0.113.1/32');
  const p = await established(r);
  const u = routeUpdates(p.ofType('update'))[0]!;
  t.equal(u.nlri[0]?.pathId, 1);
  await r.speaker.stop();
});

t.test('graceful restart capability: R bit after our restart, F bit per family', async (t) => {
  const r = await rig({ speaker: { gracefulRestart: { restartTime: 90, restarting: true } } });
  const p = await established(r);
  const open = p.ofType('open')[0]!;
  const gr = open.optionalParameters
    .flatMap((o) => (o.type === 'capabilities' ? o.capabilities : []))
    .find((c) => c.type === 'graceful-restart');
  t.same(gr, {
    type: 'graceful-restart',
    flags: 8,
    restartTime: 90,
    families: [
      { afi: 1, safi: 1, flags: 0x80 },
      { afi: 2, safi: 1, flags: 0x80 },
    ],
  });
  await r.speaker.stop();
});

t.test('helper mode: the peer restarting keeps its routes stale until End-of-RIB', async (t) => {
  const r = await rig({
    peer: { adjRibIn: true },
    peerCapabilities: [
      { type: 'multiprotocol', afi: 1, safi: 1 },
      { type: 'graceful-restart', flags: 0, restartTime: 30, families: [{ afi: 1, safi: 1, flags: 0x80 }] },
    ],
  });
  const p = await established(r);
  const route = (last: number): UpdateMessage => ({
    type: 'update',
    withdrawn: [],
    attributes: [
      { type: 'origin', origin: 0 },
      { type: 'as-path', segments: [{ type: 'as-sequence', asns: [64513] }] },
      { type: 'next-hop', nextHop: PEER },
    ],
    nlri: [{ family: 4, base: 0xc6336400n + BigInt(last), length: 32 }],
  });
  p.send(route(1));
  p.send(route(2));
  await settle();
  const rib = r.speaker.session(PEER)!.ribIn!;
  t.equal(rib.size, 2);
  // The peer's process dies: connection gone, no NOTIFICATION.
  (p.conn as unknown as { reset(): void }).reset();
  await settle();
  t.equal(rib.size, 2, 'routes kept');
  t.ok(
    [...rib.routes()].every((x) => x.stale),
    'marked stale',
  );
  await advance(r.clock, 2000, 100);
  const p2 = r.peer();
  t.not(p2, p, 'reconnected');
  p2.send(route(1));
  p2.send({ type: 'update', withdrawn: [], attributes: [], nlri: [] }); // End-of-RIB
  await settle();
  t.same(
    [...rib.routes()].map((x) => [x.prefix, x.stale]),
    [['198.51.100.1/32', false]],
    'End-of-RIB drops what was not refreshed',
  );
  await r.speaker.stop();
});

t.test('hold time 0 negotiated: no keepalives, no hold timer', async (t) => {
  const r = await rig({ peerHoldTime: 0 });
  const p = await established(r);
  const before = p.ofType('keepalive').length;
  await advance(r.clock, 60_000, 1000);
  t.equal(p.ofType('keepalive').length, before);
  t.equal(r.speaker.sessions()[0]!.state, 'established');
  await r.speaker.stop();
});

t.test('an UPDATE before Established is an FSM error', async (t) => {
  const r = await rig({ peerAutoRespond: false });
  await r.speaker.start();
  await settle();
  const p = r.peer();
  p.send({ type: 'update', withdrawn: [], attributes: [], nlri: [] });
  await settle();
  const st = r.speaker.sessions()[0]!;
  t.equal(st.reason, 'unexpected-message');
  t.same([st.lastErrorSent?.code, st.lastErrorSent?.subcode], [5, 1]);
  await r.speaker.stop();
});

t.test('config validation names the field', async (t) => {
  const { createSpeaker } = await import('../../src/index.js');
  t.throws(() => createSpeaker({ asn: 0, routerId: '192.0.2.1' }), { code: 'ERR_INVALID_ARGUMENT', field: 'asn' });
  t.throws(() => createSpeaker({ asn: 64512, routerId: '0.0.0.0' }), {
    code: 'ERR_INVALID_ARGUMENT',
    field: 'routerId',
  });
  t.throws(
    () => createSpeaker({ asn: 64512, routerId: '192.0.2.1', peers: [{ address: '192.0.2.2', asn: 1, holdTime: 2 }] }),
    { code: 'ERR_INVALID_ARGUMENT', field: 'peers[0].holdTime' },
  );
  t.throws(() => createSpeaker({ asn: 64512, routerId: '192.0.2.1', peers: [{ address: 'x', asn: 1 }] }), {
    code: 'ERR_INVALID_ARGUMENT',
    field: 'peers[0].address',
  });
  t.throws(() => createSpeaker({ asn: 64512, routerId: '192.0.2.1', dynamicNeighbors: [{ prefix: 'nope' }] }), {
    code: 'ERR_INVALID_ARGUMENT',
    field: 'dynamicNeighbors[0].prefix',
  });
  const s = createSpeaker({ asn: 64512, routerId: '192.0.2.1' });
  t.throws(() => s.announce('192.0.2.1/24'), { code: 'ERR_INVALID_ARGUMENT', field: 'prefix' }, 'host bits set');
});

t.test('connection collision (RFC 4271 §6.8): the higher BGP Identifier keeps the connection it opened', async (t) => {
  for (const c of [
    { routerId: '192.0.2.1', survivor: 'inbound' },
    { routerId: '192.0.2.9', survivor: 'outbound' },
  ]) {
    const r = await rig({ speaker: { routerId: c.routerId, listen: {} }, peerAutoRespond: false });
    await r.speaker.start();
    await settle();
    const out = r.peer();
    t.equal(out.ofType('open').length, 1, 'our OPEN on the outbound connection');
    const conn = await r.net.transport(PEER).connect({ remoteAddress: LOCAL, remotePort: 179, timeoutMs: 1000 });
    const inbound = new FakePeer(conn, { asn: 64513, bgpIdentifier: PEER, autoRespond: c.survivor === 'inbound' });
    await settle();
    if (c.survivor === 'outbound') {
      // The peer answers on both; the inbound one must be dropped.
      inbound.send(inbound.open);
      await settle();
      out.send(out.open);
      out.send({ type: 'keepalive' });
    }
    await settle(10);
    const loser = c.survivor === 'inbound' ? out : inbound;
    const winner = c.survivor === 'inbound' ? inbound : out;
    const n = loser.ofType('notification')[0];
    t.same([n?.code, n?.subcode], [6, 7], `${c.routerId}: Cease / Connection Collision Resolution on the loser`);
    t.equal(winner.ofType('notification').length, 0);
    t.equal(
      r.speaker.sessions()[0]!.state,
      'established',
      `${c.routerId}: established on the ${c.survivor} connection`,
    );
    t.ok(winner.ofType('keepalive').length > 0);
    await r.speaker.stop();
  }
});

t.test(
  'a new connection while Established: replaces the session when the peer does graceful restart, else refused',
  async (t) => {
    for (const gr of [true, false]) {
      const caps = [
        { type: 'multiprotocol', afi: 1, safi: 1 } as const,
        ...(gr
          ? [
              {
                type: 'graceful-restart',
                flags: 0,
                restartTime: 30,
                families: [{ afi: 1, safi: 1, flags: 0x80 }],
              } as const,
            ]
          : []),
      ];
      const r = await rig({ speaker: { listen: {} }, peer: { adjRibIn: true }, peerCapabilities: caps });
      const p = await established(r);
      p.send({
        type: 'update',
        withdrawn: [],
        attributes: [
          { type: 'origin', origin: 0 },
          { type: 'as-path', segments: [{ type: 'as-sequence', asns: [64513] }] },
          { type: 'next-hop', nextHop: PEER },
        ],
        nlri: [{ family: 4, base: 0xc6336401n, length: 32 }],
      });
      await settle();
      const rib = r.speaker.session(PEER)!.ribIn!;
      t.equal(rib.size, 1);
      // The peer restarted and connects again before our hold timer noticed.
      const conn = await r.net.transport(PEER).connect({ remoteAddress: LOCAL, remotePort: 179, timeoutMs: 1000 });
      // It answers our OPEN by itself (autoRespond), as a restarted router would.
      const again = new FakePeer(conn, { asn: 64513, bgpIdentifier: PEER, capabilities: caps });
      await settle(10);
      if (gr) {
        t.ok(p.closed, 'graceful restart: the old connection is closed');
        t.equal(r.speaker.sessions()[0]!.state, 'established', 'and the session runs on the new one');
        t.ok(again.established);
        t.ok(
          [...rib.routes()].every((x) => x.stale),
          'routes kept as stale',
        );
        again.send({ type: 'update', withdrawn: [], attributes: [], nlri: [] });
        await settle();
        t.equal(rib.size, 0, 'End-of-RIB without the route: stale route dropped');
      } else {
        const n = again.ofType('notification')[0];
        t.same(
          [n?.code, n?.subcode],
          [6, 7],
          'no graceful restart: the new connection gets Cease / Collision Resolution',
        );
        t.notOk(p.closed, 'the established session stays');
        t.equal(rib.size, 1);
      }
      await r.speaker.stop();
    }
  },
);

t.test('send hold timer (RFC 9687): a peer that stops reading is dropped after max(8 min, 2 × hold)', async (t) => {
  const r = await rig();
  const p = await established(r);
  const ours = r.net.connections.find((c) => c.localAddress === LOCAL)!;
  const drops: Array<{ reason: string; at: number }> = [];
  r.speaker.on('session-state-changed', (e) => {
    if (e.to === 'idle') drops.push({ reason: e.reason, at: r.clock.now() });
  });
  const stalledAt = r.clock.now();
  ours.stallWrites(true);
  for (let i = 0; i < 50; i++) r.speaker.announce(`198.51.100.${i}/32`);
  // The peer keeps talking, so the receive hold timer never fires; only the send side is stuck.
  for (let s = 0; s < 479; s += 3) {
    await advance(r.clock, 3000, 1000);
    p.send({ type: 'keepalive' });
  }
  t.same(drops, [], 'still up just before 8 minutes');
  await advance(r.clock, 3000, 500);
  t.equal(drops[0]?.reason, 'send-hold-timer-expired');
  const waited = drops[0]!.at - stalledAt;
  t.ok(waited >= 480_000 && waited <= 480_100, `dropped 8 minutes after the first refused write (${waited} ms)`);
  t.equal(r.speaker.sessions()[0]!.lastErrorSent?.code, 8, 'Send Hold Timer Expired NOTIFICATION attempted');
  await r.speaker.stop();
});

t.test('a peer that stops reading for a moment and drains is kept', async (t) => {
  const r = await rig();
  const p = await established(r);
  const ours = r.net.connections.find((c) => c.localAddress === LOCAL)!;
  ours.stallWrites(true);
  r.speaker.announce('198.51.100.1/32');
  for (let s = 0; s < 60; s += 3) {
    await advance(r.clock, 3000, 1000);
    p.send({ type: 'keepalive' });
  }
  t.same(announced(p.ofType('update')), [], 'nothing got through while stalled');
  ours.stallWrites(false);
  await settle();
  for (let s = 0; s < 600; s += 3) {
    await advance(r.clock, 3000, 1000);
    p.send({ type: 'keepalive' });
  }
  t.equal(r.speaker.sessions()[0]!.state, 'established');
  t.equal(r.speaker.sessions()[0]!.counters.establishedTransitions, 1, 'never dropped');
  t.same(announced(p.ofType('update')), ['198.51.100.1/32'], 'the held UPDATE arrived');
  await r.speaker.stop();
});

t.test(
  'stopping as a restarting speaker closes without NOTIFICATION; removing a peer sends Peer De-configured',
  async (t) => {
    const r = await rig();
    const p = await established(r);
    await r.speaker.stop({ graceful: true });
    await settle();
    t.ok(p.closed, 'connection closed');
    t.equal(p.ofType('notification').length, 0, 'no NOTIFICATION: the peer keeps our routes (RFC 4724)');
    const r2 = await rig();
    const p2 = await established(r2);
    t.ok(r2.speaker.removePeer(PEER));
    await settle();
    const n = p2.ofType('notification')[0];
    t.same([n?.code, n?.subcode], [6, 3], 'Cease / Peer De-configured');
    t.same(r2.speaker.sessions(), [], 'forgotten');
    t.notOk(r2.speaker.removePeer(PEER), 'removing twice does nothing');
    await r2.speaker.stop();
  },
);
