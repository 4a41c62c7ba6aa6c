import t from 'tap';
import { Lab, privilegedSkip, privilegedSkipWith, type Netns } from '@lbkit/testkit';
import { ETH_P, InterfaceNotFoundError, isSupported, openPacketSocket } from '../../src/index.js';
import { Agent, AgentError } from '../helpers/agent.js';
import { arpRequest, ethernet, icmpv6 } from '../helpers/frames.js';

const MAC_A = '02:00:5e:00:00:0a';
const MAC_B = '02:00:5e:00:00:0b';
const BCAST = 'ff:ff:ff:ff:ff:ff';
const EXPERIMENTAL = 0x88b5; // IEEE 802 local experimental ethertype: no stack in the kernel answers it

interface Frame {
  data: string;
  length: number;
  ifindex: number;
  packetType: string;
  source: string;
  protocol: number;
}

async function pair(t: {
  teardown(fn: () => unknown): void;
}): Promise<{ a: Netns; b: Netns; agentA: Agent; agentB: Agent }> {
  const lab = Lab.create({ tag: 'pkt' }, t);
  const a = await lab.namespace('a');
  const b = await lab.namespace('b');
  await lab.link(a, 'eth0', b, 'eth0', { macA: MAC_A, macB: MAC_B });
  const agentA = await Agent.start(a);
  const agentB = await Agent.start(b);
  t.teardown(() => {
    agentA.close();
    agentB.close();
  });
  return { a, b, agentA, agentB };
}

t.test(
  'a missing interface is an InterfaceNotFoundError naming it',
  { skip: isSupported() ? false : 'addon not available' },
  async (t) => {
    const err = (() => {
      try {
        openPacketSocket({ interface: 'nosuchif0', protocol: ETH_P.ARP });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    t.ok(err instanceof InterfaceNotFoundError);
    t.equal((err as InterfaceNotFoundError).errno, 'ENODEV');
    t.equal((err as InterfaceNotFoundError).interface, 'nosuchif0');
    t.match((err as Error).message, /nosuchif0.*ip link/);
  },
);

t.test('a frame crosses a veth pair with the right metadata', { skip: privilegedSkip() }, async (t) => {
  const { b, agentA, agentB } = await pair(t);
  await agentA.call('packetOpen', { id: 'tx', interface: 'eth0', protocol: ETH_P.ARP });
  const opened = await agentB.call<{ ifindex: number }>('packetOpen', {
    id: 'rx',
    interface: 'eth0',
    protocol: ETH_P.ARP,
    filter: 'arp',
  });
  const links = await b.ipJson<Array<{ ifindex: number }>>(['link', 'show', 'dev', 'eth0']);
  t.equal(opened.ifindex, links[0]?.ifindex, 'the socket resolved the interface name');

  const cases = [
    { name: 'broadcast', dst: BCAST, want: 'broadcast' },
    { name: 'unicast to us', dst: MAC_B, want: 'host' },
    { name: 'unicast to another host', dst: '02:00:5e:00:00:99', want: 'otherhost' },
  ];
  for (const c of cases) {
    const frame = ethernet(c.dst, MAC_A, ETH_P.ARP, arpRequest(MAC_A, '192.0.2.1', '192.0.2.2'));
    await agentA.call('packetSend', { id: 'tx', frame });
    const got = await agentB.call<Frame & { timeout?: boolean }>('packetReceive', { id: 'rx', timeoutMs: 5000 });
    t.notOk(got.timeout, `${c.name}: received`);
    t.equal(got.data.slice(0, frame.length), frame, `${c.name}: the same bytes`);
    t.equal(got.packetType, c.want, `${c.name}: packet type`);
    t.equal(got.source, MAC_A.split(':').join(''), `${c.name}: source MAC`);
    t.equal(got.protocol, ETH_P.ARP, `${c.name}: ethertype`);
    t.equal(got.ifindex, opened.ifindex, `${c.name}: ifindex`);
  }
  const stats = await agentB.call<{ received: number; queueDrops: number }>('packetStats', { id: 'rx' });
  t.equal(stats.received, 3);
  t.equal(stats.queueDrops, 0);
});

t.test('the BPF filter drops non-matching frames in the kernel', { skip: privilegedSkip() }, async (t) => {
  const { agentA, agentB } = await pair(t);
  await agentA.call('packetOpen', { id: 'tx', interface: 'eth0', protocol: 0 });
  // Two sockets that see everything: one filtered to ARP, one unfiltered as the control.
  await agentB.call('packetOpen', { id: 'arp', interface: 'eth0', protocol: ETH_P.ALL, filter: 'arp' });
  await agentB.call('packetOpen', { id: 'ctl', interface: 'eth0', protocol: EXPERIMENTAL });
  await agentB.call('packetOpen', { id: 'ndp', interface: 'eth0', protocol: ETH_P.IPV6, filter: 'ndp' });
  const other = ethernet(MAC_B, MAC_A, EXPERIMENTAL, '00'.repeat(46));
  const arp = ethernet(BCAST, MAC_A, ETH_P.ARP, arpRequest(MAC_A, '192.0.2.1', '192.0.2.2'));
  const src = 'fe80000000000000000000000000000a';
  const echo = ethernet(MAC_B, MAC_A, ETH_P.IPV6, icmpv6(128, src, 'fe80000000000000000000000000000b'));
  const ns = ethernet(MAC_B, MAC_A, ETH_P.IPV6, icmpv6(135, src, 'fe80000000000000000000000000000b'));
  for (const frame of [other, arp, echo, ns]) await agentA.call('packetSend', { id: 'tx', frame });

  const ctl = await agentB.call<Frame[]>('packetCollect', { id: 'ctl', timeoutMs: 700, firstTimeoutMs: 5000 });
  t.same(
    ctl.map((f) => f.data.slice(0, other.length)),
    [other],
    'the non-matching frame did arrive at the interface',
  );
  const arpOnly = await agentB.call<Frame[]>('packetCollect', { id: 'arp', timeoutMs: 300, firstTimeoutMs: 5000 });
  t.ok(arpOnly.length >= 1, 'the ARP frame passed');
  t.ok(
    arpOnly.every((f) => f.protocol === ETH_P.ARP),
    'nothing but ARP passed the ARP filter',
  );
  t.notOk(
    arpOnly.some((f) => f.protocol === EXPERIMENTAL),
    'the other frame was dropped',
  );
  const ndp = await agentB.call<Frame[]>('packetCollect', { id: 'ndp', timeoutMs: 300, firstTimeoutMs: 5000 });
  const ours = ndp.filter((f) => f.source === MAC_A.split(':').join(''));
  t.same(
    ours.map((f) => f.data.slice(0, ns.length)),
    [ns],
    'only the Neighbor Solicitation passed the NDP filter, not the echo request',
  );
});

t.test(
  'a solicited-node multicast frame arrives only while the group is joined',
  { skip: privilegedSkip() },
  async (t) => {
    const { b, agentA, agentB } = await pair(t);
    // A macvlan filters multicast by its group list, as a NIC does in hardware (a veth passes everything).
    await b.exec('ip', ['link', 'add', 'mv0', 'link', 'eth0', 'type', 'macvlan', 'mode', 'bridge']);
    await b.exec('sysctl', ['-qw', 'net.ipv6.conf.mv0.disable_ipv6=1']);
    await b.exec('ip', ['link', 'set', 'mv0', 'up']);
    await agentA.call('packetOpen', { id: 'tx', interface: 'eth0', protocol: 0 });
    await agentB.call('packetOpen', { id: 'rx', interface: 'mv0', protocol: ETH_P.IPV6, filter: 'ndp' });
    // Solicited-node group of 2001:db8::12:3456 (RFC 4291 §2.7.1) and its MAC (RFC 2464 §7).
    const group = '33:33:ff:12:34:56';
    const frame = ethernet(
      group,
      MAC_A,
      ETH_P.IPV6,
      icmpv6(135, 'fe80000000000000000000000000000a', 'ff0200000000000000000001ff123456'),
    );
    const send = (): Promise<unknown> => agentA.call('packetSend', { id: 'tx', frame });

    await send();
    t.same(await agentB.call('packetCollect', { id: 'rx', timeoutMs: 700 }), [], 'not received before joining');
    await agentB.call('packetMembership', { id: 'rx', mac: group, add: true });
    await send();
    const joined = await agentB.call<Frame[]>('packetCollect', { id: 'rx', timeoutMs: 700, firstTimeoutMs: 5000 });
    t.equal(joined.length, 1, 'received after joining');
    t.equal(joined[0]?.packetType, 'multicast');
    t.equal(joined[0]?.data.slice(0, frame.length), frame);
    const maddr = async (): Promise<string> => (await b.exec('ip', ['maddr', 'show', 'dev', 'mv0'])).stdout;
    t.match(await maddr(), group, 'the group is on the interface while joined');
    await agentB.call('packetMembership', { id: 'rx', mac: group, add: false });
    // (A macvlan keeps delivering a left group until its port filter is recomputed, so check the list.)
    t.notMatch(await maddr(), group, 'leaving removed the group from the interface');
  },
);

t.test(
  '10,000 sockets opened and closed leave no descriptor behind; closing with a receive pending is clean',
  { skip: privilegedSkip() },
  async (t) => {
    const { agentB } = await pair(t);
    const r = await agentB.call<{ before: number; after: number; rejected: number }>('openCloseMany', {
      interface: 'eth0',
      protocol: ETH_P.ARP,
      count: 10_000,
    });
    t.equal(r.after, r.before, 'descriptor count unchanged');
    t.equal(r.rejected, 5_000, 'every pending receive was rejected at close');
  },
);

t.test('100 sockets at once each receive every frame', { skip: privilegedSkip() }, async (t) => {
  const { agentA, agentB } = await pair(t);
  const before = await agentB.call<number>('fdCount');
  const opened = await agentB.call<{ opened: number; fds: number }>('manyOpen', {
    interface: 'eth0',
    protocol: ETH_P.ARP,
    count: 100,
  });
  t.equal(opened.opened, 100);
  t.equal(opened.fds, before + 100);
  await agentA.call('packetOpen', { id: 'tx', interface: 'eth0', protocol: 0 });
  await agentA.call('packetSend', {
    id: 'tx',
    frame: ethernet(BCAST, MAC_A, ETH_P.ARP, arpRequest(MAC_A, '192.0.2.1', '192.0.2.2')),
    count: 5,
  });
  const r = await agentB.call<{ counts: number[]; fds: number }>('manyCollect', { expect: 5, timeoutMs: 5000 });
  t.same(
    r.counts,
    Array.from({ length: 100 }, () => 5),
  );
  t.equal(r.fds, before, 'all closed');
});

t.test(
  'without CAP_NET_RAW opening fails with PermissionDeniedError naming it',
  { skip: privilegedSkipWith('setpriv') },
  async (t) => {
    const lab = Lab.create({ tag: 'perm' }, t);
    const ns = await lab.namespace('p');
    const script = new URL('../fixtures/open-packet.ts', import.meta.url).pathname;
    const r = await ns.exec(
      'setpriv',
      ['--bounding-set=-net_raw', '--inh-caps=-net_raw', process.execPath, '--import', 'tsx', script, 'lo'],
      { allowFail: true, timeoutMs: 60_000 },
    );
    const err = JSON.parse(r.stdout.trim()) as AgentError['detail'];
    t.equal(err.name, 'PermissionDeniedError');
    t.equal(err.code, 'ERR_SOCKET_PERMISSION');
    t.equal(err.errno, 'EPERM');
    t.equal(err.capability, 'CAP_NET_RAW');
    t.match(err.message, /CAP_NET_RAW/);
  },
);

t.test(
  'an interface going down is reported as ENETDOWN and reception resumes when it comes back',
  { skip: privilegedSkip() },
  async (t) => {
    const { b, agentA, agentB } = await pair(t);
    await agentA.call('packetOpen', { id: 'tx', interface: 'eth0', protocol: 0 });
    await agentB.call('packetOpen', { id: 'rx', interface: 'eth0', protocol: ETH_P.ARP });
    const waiting = agentB.call('packetReceive', { id: 'rx', timeoutMs: 10_000 }).catch((e: unknown) => e);
    // The agent handles commands in order: once this answers, the receive above is pending.
    await agentB.call('fdCount');
    await b.exec('ip', ['link', 'set', 'eth0', 'down']);
    const rejected = await waiting;
    t.ok(rejected instanceof AgentError, 'the pending receive failed');
    t.equal((rejected as AgentError).detail.errno, 'ENETDOWN');
    let errors: Array<AgentError['detail']> = [];
    for (let i = 0; i < 100 && errors.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      errors = await agentB.call<Array<AgentError['detail']>>('packetErrors', { id: 'rx' });
    }
    t.equal(errors.length, 1, 'one error event');
    t.equal(errors[0]?.errno, 'ENETDOWN');
    t.equal(errors[0]?.code, 'ERR_SOCKET');
    t.match(errors[0]?.message, /ip link set DEV up/);
    await b.exec('ip', ['link', 'set', 'eth0', 'up']);
    const frame = ethernet(BCAST, MAC_A, ETH_P.ARP, arpRequest(MAC_A, '192.0.2.1', '192.0.2.2'));
    let got: Frame & { timeout?: boolean } = { timeout: true } as Frame & { timeout?: boolean };
    // The veth carrier takes a moment to come back; send until a frame gets through.
    for (let i = 0; i < 20 && got.timeout === true; i++) {
      await agentA.call('packetSend', { id: 'tx', frame }).catch(() => undefined);
      got = await agentB.call<Frame & { timeout?: boolean }>('packetReceive', { id: 'rx', timeoutMs: 250 });
    }
    t.notOk(got.timeout, 'frames arrive again after the interface is back up');
    const stats = await agentB.call<{ errors: number }>('packetStats', { id: 'rx' });
    t.equal(stats.errors, 1);
  },
);
