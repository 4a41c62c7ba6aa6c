import t from 'tap';
import { ipToBytes, parseIp, parseMac } from '@lbkit/core';
import {
  EtherType,
  IPPROTO_ICMPV6,
  Responder,
  buildNeighborSolicitation,
  decodeArp,
  decodeEthernet,
  decodeIpv6,
  decodeNdp,
  encodeArp,
  encodeEthernet,
  encodeIpv6,
  encodeNdp,
  linkLayerOption,
  validateNdp,
  type FrameReason,
  type PacketType,
} from '../../src/index.js';
import { golden, hex, toHex } from '../fixtures/frames.js';

const ip = (s: string): Uint8Array => ipToBytes(parseIp(s));
const MAC_A = parseMac('02:00:00:00:00:0a');
const MAC_B = parseMac('02:00:00:00:00:0b');
const LL_A = ip('fe80::ff:fe00:a');
const LL_B = ip('fe80::ff:fe00:b');

/** A responder standing where namespace b stood in the capture: eth0, MAC :0b. */
function responder(
  vips: string[],
  options: { iface?: string; linkLocal?: boolean; override?: boolean; ndpSource?: 'vip' | 'link-local' } = {},
): Responder {
  const r = new Responder({
    ...(options.override === undefined ? {} : { override: options.override }),
    ...(options.ndpSource === undefined ? {} : { ndpSource: options.ndpSource }),
  });
  r.setInterface({ name: 'eth0', mac: MAC_B, ...(options.linkLocal === false ? {} : { linkLocal: LL_B }) });
  r.setInterface({ name: 'eth1', mac: parseMac('02:00:00:00:01:0b') });
  for (const v of vips) r.setVip(ip(v), [options.iface ?? 'eth0']);
  return r;
}

/** A unicast NUD probe from a to 2001:db8::2: IPv6 destination the target, no source link-layer option. */
function nudProbe(target = '2001:db8::2'): Uint8Array {
  const icmp = encodeNdp(
    { type: 'neighbor-solicitation', code: 0, targetAddress: ip(target), options: [] },
    LL_A,
    ip(target),
  );
  const pkt = encodeIpv6({
    trafficClass: 0,
    flowLabel: 0,
    nextHeader: IPPROTO_ICMPV6,
    hopLimit: 255,
    source: LL_A,
    destination: ip(target),
    payload: icmp,
  });
  return encodeEthernet({ destination: MAC_B, source: MAC_A, etherType: EtherType.IPv6, payload: pkt });
}

function withByte(b: Uint8Array, i: number, v: number): Uint8Array {
  const c = new Uint8Array(b);
  c[i] = v;
  return c;
}

const nsWithHopLimit64 = (() => {
  const e = decodeEthernet(golden('ndp-ns-na-1'));
  const p = decodeIpv6(e.payload);
  return encodeEthernet({ ...e, payload: encodeIpv6({ ...p, hopLimit: 64 }) });
})();

const arpRequestFor = (target: string, dst = 'ff:ff:ff:ff:ff:ff'): Uint8Array =>
  encodeEthernet({
    destination: parseMac(dst),
    source: MAC_A,
    etherType: EtherType.ARP,
    payload: encodeArp({
      hardwareType: 1,
      protocolType: 0x0800,
      operation: 1,
      senderHardwareAddress: MAC_A,
      senderProtocolAddress: ip('192.0.2.1'),
      targetHardwareAddress: new Uint8Array(6),
      targetProtocolAddress: ip(target),
    }),
  });

interface Case {
  name: string;
  vips: string[];
  frame: Uint8Array;
  packetType?: PacketType;
  iface?: string;
  options?: { iface?: string; linkLocal?: boolean; ndpSource?: 'vip' | 'link-local' };
  want: FrameReason;
  claimVia?: string;
}

const cases: Case[] = [
  { name: 'broadcast ARP request for our VIP', vips: ['192.0.2.2'], frame: golden('arp-request-1'), want: 'reply' },
  {
    name: 'unicast ARP request to our MAC (cache refresh)',
    vips: ['192.0.2.2'],
    frame: golden('arp-request-3'),
    packetType: 'host',
    want: 'reply',
  },
  { name: 'ARP request for someone else', vips: ['192.0.2.99'], frame: golden('arp-request-1'), want: 'not-ours' },
  {
    name: 'ARP request for a VIP announced on another interface',
    vips: ['192.0.2.2'],
    options: { iface: 'eth1' },
    frame: golden('arp-request-1'),
    want: 'wrong-interface',
  },
  {
    name: 'ARP request unicast to another MAC',
    vips: ['192.0.2.2'],
    frame: arpRequestFor('192.0.2.2', '02:00:00:00:00:99'),
    packetType: 'otherhost',
    want: 'wrong-destination',
  },
  { name: 'ARP reply', vips: ['192.0.2.2'], frame: golden('garp-reply-1'), want: 'not-request' },
  {
    name: 'ARP probe (sender 0.0.0.0) for our VIP is defended',
    vips: ['192.0.2.9'],
    frame: golden('arp-probe-1'),
    want: 'reply',
  },
  {
    name: 'gratuitous request from another MAC for our VIP',
    vips: ['192.0.2.1'],
    frame: golden('garp-request-2'),
    want: 'conflict',
    claimVia: 'arp-request',
  },
  {
    name: 'gratuitous reply from another MAC for our VIP',
    vips: ['192.0.2.1'],
    frame: golden('garp-reply-1'),
    want: 'conflict',
    claimVia: 'arp-reply',
  },
  {
    name: 'another host answering for our VIP',
    vips: ['192.0.2.2'],
    frame: withByte(golden('arp-request-2'), 11, 0x0c).fill(0x0c, 27, 28),
    want: 'conflict',
    claimVia: 'arp-reply',
  },
  {
    name: 'our own transmission looped back',
    vips: ['192.0.2.2'],
    frame: golden('arp-request-1'),
    packetType: 'outgoing',
    want: 'own-frame',
  },
  { name: 'frame from our own MAC', vips: ['192.0.2.1'], frame: golden('arp-request-2'), want: 'own-frame' },
  {
    name: 'frame on an interface we do not use',
    vips: ['192.0.2.2'],
    frame: golden('arp-request-1'),
    iface: 'eth9',
    want: 'wrong-interface',
  },
  {
    name: '802.1Q-tagged ARP',
    vips: ['192.0.2.2'],
    frame: hex('ffffffffffff 02000000000a 8100 0064 0806 0001080006040001 02000000000a c0000201 ffffffffffff c0000202'),
    want: 'tagged',
  },
  {
    name: 'IPv4 frame',
    vips: ['192.0.2.2'],
    frame: hex('ffffffffffff 02000000000a 0800 4500'),
    want: 'not-arp-or-ndp',
  },
  { name: 'truncated ARP', vips: ['192.0.2.2'], frame: golden('arp-request-1').subarray(0, 30), want: 'malformed' },
  {
    name: 'ARP for other hardware',
    vips: ['192.0.2.2'],
    frame: withByte(golden('arp-request-1'), 15, 6),
    want: 'unsupported-arp',
  },
  {
    name: 'multicast NS with SLLA for our VIP',
    vips: ['2001:db8::2'],
    frame: golden('ndp-ns-na-1'),
    packetType: 'multicast',
    want: 'reply',
  },
  {
    name: 'unicast NUD probe without SLLA (metallb#2920)',
    vips: ['2001:db8::2'],
    frame: nudProbe(),
    packetType: 'host',
    want: 'reply',
  },
  {
    name: 'DAD probe for our VIP',
    vips: ['2001:db8::3'],
    frame: golden('ndp-dad-1'),
    packetType: 'multicast',
    want: 'reply-dad',
  },
  { name: 'NS for someone else', vips: ['2001:db8::99'], frame: golden('ndp-ns-na-1'), want: 'not-ours' },
  {
    name: 'NS for a VIP on another interface',
    vips: ['2001:db8::2'],
    options: { iface: 'eth1' },
    frame: golden('ndp-ns-na-1'),
    want: 'wrong-interface',
  },
  { name: 'NS with hop limit 64', vips: ['2001:db8::2'], frame: nsWithHopLimit64, want: 'invalid-ndp' },
  {
    name: 'NS with a bad checksum',
    vips: ['2001:db8::2'],
    frame: withByte(golden('ndp-ns-na-1'), 56, 0),
    want: 'invalid-ndp',
  },
  {
    name: 'NS to another solicited-node group',
    vips: ['2001:db8::2'],
    frame: buildNeighborSolicitation(MAC_A, LL_A, ip('2001:db8::2')).fill(0x77, 2, 6),
    want: 'wrong-destination',
  },
  {
    name: 'NS on an interface without link-local, answering from it',
    vips: ['2001:db8::2'],
    options: { linkLocal: false, ndpSource: 'link-local' },
    frame: golden('ndp-ns-na-1'),
    want: 'no-link-local',
  },
  {
    name: 'NS on an interface without link-local, answering from the VIP',
    vips: ['2001:db8::2'],
    options: { linkLocal: false },
    frame: golden('ndp-ns-na-1'),
    packetType: 'multicast',
    want: 'reply',
  },
  {
    name: 'NA from another MAC for our VIP',
    vips: ['2001:db8::1'],
    frame: golden('ndp-unsolicited-na-3'),
    want: 'conflict',
    claimVia: 'neighbor-advertisement',
  },
  { name: 'NA for someone else', vips: ['2001:db8::9'], frame: golden('ndp-unsolicited-na-3'), want: 'not-request' },
  {
    name: 'NS sourced from our VIP by another MAC',
    vips: ['2001:db8::1'],
    frame: buildNeighborSolicitation(MAC_A, ip('2001:db8::1'), ip('2001:db8::5')),
    want: 'conflict',
    claimVia: 'neighbor-solicitation',
  },
  {
    name: 'ICMPv6 echo request',
    vips: ['2001:db8::2'],
    frame: hex(
      '02000000000b 02000000000a 86dd 60000000 0008 3a40' +
        '20010db8000000000000000000000001' +
        '20010db8000000000000000000000002' +
        '8000000000000000',
    ),
    want: 'not-request',
  },
  {
    name: 'IPv6 UDP',
    vips: ['2001:db8::2'],
    frame: hex('02000000000b 02000000000a 86dd 60000000 0000 1140' + '00'.repeat(32)),
    want: 'not-arp-or-ndp',
  },
];

t.test('every frame gets the expected reason', async (t) => {
  for (const c of cases) {
    const r = responder(c.vips, c.options ?? {});
    const d = r.handle(c.iface ?? 'eth0', { data: c.frame, packetType: c.packetType ?? 'broadcast', ifindex: 2 });
    t.equal(d.reason, c.want, c.name);
    t.equal(r.counts[c.want], 1, `${c.name}: counted`);
    t.equal(d.reply !== undefined, c.want === 'reply' || c.want === 'reply-dad', `${c.name}: reply only when answered`);
    if (c.claimVia !== undefined) t.equal(d.claim?.via, c.claimVia, `${c.name}: claim via`);
  }
});

t.test('ARP and NDP answers are byte for byte what Linux itself answers', async (t) => {
  const d = responder(['192.0.2.2']).handle('eth0', {
    data: golden('arp-request-1'),
    packetType: 'broadcast',
    ifindex: 2,
  });
  t.equal(toHex((d.reply as Uint8Array).subarray(0, 42)), toHex(golden('arp-request-2')));
  const na = responder(['2001:db8::2']).handle('eth0', {
    data: golden('ndp-ns-na-1'),
    packetType: 'multicast',
    ifindex: 2,
  });
  t.equal(toHex(na.reply as Uint8Array), toHex(golden('ndp-ns-na-2')), 'the NA equals the kernel’s, checksum included');
  const probe = responder(['192.0.2.9']).handle('eth0', {
    data: golden('arp-probe-1'),
    packetType: 'broadcast',
    ifindex: 2,
  });
  const p = decodeArp(decodeEthernet(probe.reply as Uint8Array).payload);
  t.same(p.targetProtocolAddress, ip('0.0.0.0'), 'a probe is answered to 0.0.0.0, unicast to the prober (as Linux)');
  t.same(decodeEthernet(probe.reply as Uint8Array).destination, MAC_A);
});

t.test('NA replies: Solicited and Override flags, destination, link-layer option', async (t) => {
  const open = (frame: Uint8Array) => {
    const e = decodeEthernet(frame);
    const p = decodeIpv6(e.payload);
    const m = decodeNdp(p.payload);
    if (m.type !== 'neighbor-advertisement') throw new Error('not an NA');
    t.equal(
      validateNdp(m, p.hopLimit, p.source, p.destination, p.payload),
      undefined,
      'the reply passes RFC 4861 §7.1.2',
    );
    return { e, p, m };
  };
  const multicast = open(
    responder(['2001:db8::2']).handle('eth0', { data: golden('ndp-ns-na-1'), packetType: 'multicast', ifindex: 2 })
      .reply as Uint8Array,
  );
  t.same(multicast.e.destination, MAC_A, 'to the SLLA');
  t.same(multicast.p.source, ip('2001:db8::2'), 'from the VIP, as the kernel answers for its own addresses');
  t.same(multicast.p.destination, LL_A, 'to the solicitor');
  t.same([multicast.m.solicited, multicast.m.override, multicast.m.router], [true, true, false]);
  t.same(linkLayerOption(multicast.m, 'target-link-layer-address'), MAC_B);
  t.same(multicast.m.targetAddress, ip('2001:db8::2'));

  const nud = open(
    responder(['2001:db8::2']).handle('eth0', { data: nudProbe(), packetType: 'host', ifindex: 2 }).reply as Uint8Array,
  );
  t.same(nud.e.destination, MAC_A, 'no SLLA: to the frame’s source MAC');
  t.same([nud.m.solicited, nud.m.override], [true, true]);

  const dad = open(
    responder(['2001:db8::3']).handle('eth0', { data: golden('ndp-dad-1'), packetType: 'multicast', ifindex: 2 })
      .reply as Uint8Array,
  );
  t.same(dad.p.destination, ip('ff02::1'), 'DAD is answered to all-nodes');
  t.same(dad.e.destination, parseMac('33:33:00:00:00:01'));
  t.same([dad.m.solicited, dad.m.override], [false, true]);

  const fromLinkLocal = open(
    responder(['2001:db8::2'], { ndpSource: 'link-local' }).handle('eth0', {
      data: golden('ndp-ns-na-1'),
      packetType: 'multicast',
      ifindex: 2,
    }).reply as Uint8Array,
  );
  t.same(fromLinkLocal.p.source, LL_B, 'or from our link-local (MetalLB)');
  const proxyStyle = open(
    responder(['2001:db8::2'], { override: false }).handle('eth0', {
      data: golden('ndp-ns-na-1'),
      packetType: 'multicast',
      ifindex: 2,
    }).reply as Uint8Array,
  );
  t.equal(proxyStyle.m.override, false, 'Override can be cleared (MetalLB behaviour)');
});

t.test('conflicts carry both MACs; our other interfaces are not foreign', async (t) => {
  const r = responder(['192.0.2.1']);
  const d = r.handle('eth0', { data: golden('garp-request-2'), packetType: 'broadcast', ifindex: 2 });
  t.same(d.claim, {
    vip: '192.0.2.1',
    interface: 'eth0',
    theirMac: '02:00:00:00:00:0a',
    ourMac: '02:00:00:00:00:0b',
    via: 'arp-request',
  });
  r.setInterface({ name: 'eth2', mac: MAC_A });
  t.equal(
    r.handle('eth0', { data: golden('garp-request-2'), packetType: 'broadcast', ifindex: 2 }).reason,
    'own-frame',
  );
});

t.test('withdrawing a VIP stops answering at once', async (t) => {
  const r = responder(['192.0.2.2', '2001:db8::2']);
  t.equal(r.handle('eth0', { data: golden('arp-request-1'), packetType: 'broadcast', ifindex: 2 }).reason, 'reply');
  r.deleteVip(ip('192.0.2.2'));
  t.equal(r.handle('eth0', { data: golden('arp-request-1'), packetType: 'broadcast', ifindex: 2 }).reason, 'not-ours');
  r.deleteInterface('eth0');
  t.equal(
    r.handle('eth0', { data: golden('ndp-ns-na-1'), packetType: 'multicast', ifindex: 2 }).reason,
    'wrong-interface',
  );
  t.same(r.vipInterfaces(ip('2001:db8::2')), new Set());
  t.same(r.counts.reply, 1);
  t.same(r.counts['not-ours'], 1);
  t.equal(r.vipCounts(ip('192.0.2.2')), undefined, 'counters go with the VIP');
  t.same(
    r.vipCounts(ip('2001:db8::2')),
    { requests: 0, replies: 0 },
    'a frame on a forgotten interface is not read at all',
  );
});
