import t from 'tap';
import { privilegedSkip, privilegedSkipWith } from '@lbkit/testkit';
import { TIMERS_100MS_X3 as timers, routedPair, runnerPair, sleep } from '../fixtures/labs.js';

const US = '192.0.2.1';
const THEM = '198.51.100.2';

// us ── router ── them: every packet between us and them crosses one router and arrives with TTL 254.
t.test('received TTL through a router (dgram-plus)', { skip: privilegedSkip() }, async (t) => {
  const { us, them } = await routedPair(t, 'bfdttl', US, THEM);
  const [ours, theirs] = runnerPair(t, us, them);
  const info = await ours.start({ transport: 'dgram-plus' });
  await theirs.start({ transport: 'dgram-plus' });
  t.equal(info.transport, 'dgram-plus');
  t.ok(info.receivesTtl, 'the transport reports received TTLs');

  t.test('single hop: packets with TTL 254 are dropped and the session stays Down (RFC 5881 §5)', async (t) => {
    await ours.add('single', { peerAddress: THEM, localAddress: US, ...timers });
    await theirs.add('single', { peerAddress: US, localAddress: THEM, ...timers });
    await sleep(3500);
    t.same(ours.states('single'), [], 'our session never left Down');
    const st = (await ours.stats()).stats.sessionStats.find((s) => s.rxPackets > 0);
    t.ok(
      st !== undefined && (st.dropped['ttl-not-255'] ?? 0) >= 2,
      `packets dropped as ttl-not-255 (${JSON.stringify(st?.dropped)})`,
    );
  });

  t.test('multihop with minimum TTL 254: the same path comes Up (RFC 5883)', async (t) => {
    await ours.add('multi', { peerAddress: THEM, localAddress: US, multihop: true, minimumTtl: 254, ...timers });
    await theirs.add('multi', { peerAddress: US, localAddress: THEM, multihop: true, minimumTtl: 254, ...timers });
    t.match(await ours.waitState('multi', 'Up', 10_000), { change: { up: true } }, 'ours Up');
    t.match(await theirs.waitState('multi', 'Up', 10_000), { change: { up: true } }, 'theirs Up');
  });
});

t.test(
  "Node's dgram fallback does not see TTLs; the README's nftables rule restores the check",
  { skip: privilegedSkipWith('nft') },
  async (t) => {
    const { us, them } = await routedPair(t, 'bfdnft', US, THEM);
    const [ours, theirs] = runnerPair(t, us, them);
    t.match(await ours.start({ transport: 'dgram' }), { transport: 'dgram', receivesTtl: false });
    await theirs.start({ transport: 'dgram' });
    await ours.add('s', { peerAddress: THEM, localAddress: US, ...timers });
    await theirs.add('s', { peerAddress: US, localAddress: THEM, ...timers });
    t.match(
      await ours.waitState('s', 'Up', 10_000),
      { change: { up: true } },
      'without the rule a peer one router away comes Up: dgram cannot check the TTL',
    );
    // The rule from the README, in our namespace.
    for (const rule of [
      ['add', 'table', 'inet', 'bfd'],
      ['add', 'chain', 'inet', 'bfd', 'input', '{ type filter hook input priority 0; }'],
      ['add', 'rule', 'inet', 'bfd', 'input', 'udp', 'dport', '3784', 'ip', 'ttl', '!=', '255', 'drop'],
      ['add', 'rule', 'inet', 'bfd', 'input', 'udp', 'dport', '3784', 'ip6', 'hoplimit', '!=', '255', 'drop'],
    ]) {
      await us.exec('nft', rule);
    }
    const down = await ours.waitState('s', 'Down', 2000);
    t.match(
      down.change,
      { diag: 'control-detection-time-expired' },
      'with the rule the routed packets are dropped and the session times out',
    );
    await sleep(2000);
    t.equal(ours.states('s').at(-1)?.change.to, 'Down', 'and stays Down');
  },
);
