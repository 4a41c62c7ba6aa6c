import t from 'tap';
import { parseIp, ipToBytes, parseMac } from '@lbkit/core';
import {
  IPPROTO_ICMPV6,
  buildNeighborAdvertisement,
  buildNeighborSolicitation,
  buildUnsolicitedNeighborAdvertisement,
  decodeEthernet,
  decodeIpv6,
  decodeNdp,
  encodeIpv6,
  encodeNdp,
  icmpv6Checksum,
  ipv6MulticastMac,
  linkLayerOption,
  solicitedNodeAddress,
  validateNdp,
  type NdpMessage,
} from '../../src/index.js';
import { throwsDecode } from '../fixtures/assert.js';
import { golden, hex, toHex } from '../fixtures/frames.js';

const v6 = (s: string): Uint8Array => ipToBytes(parseIp(s));

function open(name: string): { ip: ReturnType<typeof decodeIpv6>; msg: NdpMessage } {
  const ip = decodeIpv6(decodeEthernet(golden(name)).payload);
  return { ip, msg: decodeNdp(ip.payload) };
}

t.test('decodes Linux NS and NA, validates them, and re-encodes both layers byte for byte', async (t) => {
  const cases = [
    {
      name: 'ndp-ns-na-1',
      type: 'neighbor-solicitation',
      target: '2001:db8::2',
      slla: '02:00:00:00:00:0a',
      flowLabel: 0x826f3,
    },
    {
      name: 'ndp-ns-na-2',
      type: 'neighbor-advertisement',
      target: '2001:db8::2',
      tlla: '02:00:00:00:00:0b',
      flags: [false, true, true],
    },
    { name: 'ndp-dad-1', type: 'neighbor-solicitation', target: '2001:db8::3', raw: 14 },
    {
      name: 'ndp-unsolicited-na-2',
      type: 'neighbor-advertisement',
      target: '2001:db8::3',
      tlla: '02:00:00:00:00:0c',
      flags: [false, false, true],
    },
    {
      name: 'ndp-unsolicited-na-4',
      type: 'neighbor-advertisement',
      target: 'fe80::ff:fe00:a',
      tlla: '02:00:00:00:00:0c',
      flags: [false, false, true],
    },
  ] as const;
  for (const c of cases) {
    const { ip, msg } = open(c.name);
    t.equal(ip.nextHeader, IPPROTO_ICMPV6);
    t.equal(ip.hopLimit, 255);
    t.equal(msg.type, c.type, c.name);
    t.same(msg.targetAddress, v6(c.target), `${c.name} target`);
    t.equal(
      validateNdp(msg, ip.hopLimit, ip.source, ip.destination, ip.payload),
      undefined,
      `${c.name} passes RFC 4861 §7.1`,
    );
    if ('slla' in c) t.same(linkLayerOption(msg, 'source-link-layer-address'), parseMac(c.slla));
    if ('tlla' in c) t.same(linkLayerOption(msg, 'target-link-layer-address'), parseMac(c.tlla));
    if ('flowLabel' in c) t.equal(ip.flowLabel, c.flowLabel);
    if ('raw' in c)
      t.same(
        msg.options.map((o) => (o.type === 'raw' ? o.code : o.type)),
        [c.raw],
        'the DAD nonce (RFC 7527) is kept raw',
      );
    if ('flags' in c && msg.type === 'neighbor-advertisement')
      t.same([msg.router, msg.solicited, msg.override], c.flags, `${c.name} R S O`);
    const icmp = encodeNdp(msg, ip.source, ip.destination);
    t.equal(toHex(icmp), toHex(ip.payload), `${c.name} ICMPv6 re-encodes with the same checksum`);
    t.equal(
      toHex(encodeIpv6({ ...ip, payload: icmp })),
      toHex(decodeEthernet(golden(c.name)).payload),
      `${c.name} IPv6 re-encodes`,
    );
  }
});

t.test('our advertisements equal the kernel’s for the same addresses', async (t) => {
  const solicited = buildNeighborAdvertisement({
    sourceMac: parseMac('02:00:00:00:00:0b'),
    destinationMac: parseMac('02:00:00:00:00:0a'),
    source: v6('2001:db8::2'),
    destination: v6('fe80::ff:fe00:a'),
    target: v6('2001:db8::2'),
    solicited: true,
    override: true,
  });
  t.equal(toHex(solicited), toHex(golden('ndp-ns-na-2')));
  const unsolicited = buildNeighborAdvertisement({
    sourceMac: parseMac('02:00:00:00:00:0c'),
    destinationMac: parseMac('33:33:00:00:00:01'),
    source: v6('2001:db8::1'),
    destination: v6('ff02::1'),
    target: v6('2001:db8::1'),
    solicited: false,
    override: true,
  });
  t.equal(toHex(unsolicited), toHex(golden('ndp-unsolicited-na-3')));
  // From the link-local (the announcer's `ndpSource: 'link-local'`), the same message with the other source.
  const ours = decodeIpv6(
    decodeEthernet(
      buildUnsolicitedNeighborAdvertisement(parseMac('02:00:00:00:00:0c'), v6('fe80::ff:fe00:a'), v6('2001:db8::1')),
    ).payload,
  );
  t.same(ours.source, v6('fe80::ff:fe00:a'));
  t.same(ours.destination, v6('ff02::1'));
  const msg = decodeNdp(ours.payload);
  t.equal(validateNdp(msg, ours.hopLimit, ours.source, ours.destination, ours.payload), undefined);
});

t.test('our solicitation matches ndisc6’s apart from the flow label', async (t) => {
  const ns = decodeIpv6(
    decodeEthernet(buildNeighborSolicitation(parseMac('02:00:00:00:00:0a'), v6('fe80::ff:fe00:a'), v6('2001:db8::2')))
      .payload,
  );
  const linux = open('ndp-ns-na-1').ip;
  t.equal(toHex(ns.payload), toHex(linux.payload));
  t.same(ns.destination, linux.destination);
  t.same(
    decodeEthernet(buildNeighborSolicitation(parseMac('02:00:00:00:00:0a'), v6('fe80::ff:fe00:a'), v6('2001:db8::2')))
      .destination,
    parseMac('33:33:ff:00:00:02'),
  );
});

t.test('solicited-node group and its MAC (RFC 4291 §2.7.1, RFC 2464 §7)', async (t) => {
  const cases = [
    { ip: '2001:db8::2', group: 'ff02::1:ff00:2', mac: '33:33:ff:00:00:02' },
    { ip: '2001:db8::abcd:ef12:3456', group: 'ff02::1:ff12:3456', mac: '33:33:ff:12:34:56' },
  ];
  for (const c of cases) {
    const g = solicitedNodeAddress(v6(c.ip));
    t.same(g, v6(c.group));
    t.same(ipv6MulticastMac(g), parseMac(c.mac));
  }
});

t.test('RFC 4861 §7.1 validation names each failed check', async (t) => {
  const { ip, msg } = open('ndp-ns-na-1');
  const dad = open('ndp-dad-1');
  const flipped = new Uint8Array(ip.payload);
  flipped[30] = (flipped[30] as number) ^ 1;
  const mcastTarget = { ...msg, targetAddress: v6('ff02::1') };
  const cases: Array<{ name: string; got: ReturnType<typeof validateNdp>; want: ReturnType<typeof validateNdp> }> = [
    { name: 'hop limit 64', got: validateNdp(msg, 64, ip.source, ip.destination, ip.payload), want: 'hop-limit' },
    { name: 'code 1', got: validateNdp({ ...msg, code: 1 }, 255, ip.source, ip.destination, ip.payload), want: 'code' },
    {
      name: 'flipped bit',
      got: validateNdp(decodeNdp(flipped), 255, ip.source, ip.destination, flipped),
      want: 'checksum',
    },
    {
      name: 'multicast target',
      got: validateNdp(mcastTarget, 255, ip.source, ip.destination, encodeNdp(mcastTarget, ip.source, ip.destination)),
      want: 'multicast-target',
    },
    {
      name: 'DAD to a unicast address',
      got: validateNdp(
        dad.msg,
        255,
        dad.ip.source,
        v6('2001:db8::3'),
        encodeNdp(dad.msg, dad.ip.source, v6('2001:db8::3')),
      ),
      want: 'dad-not-to-solicited-node',
    },
  ];
  const withSlla = {
    ...dad.msg,
    options: [{ type: 'source-link-layer-address' as const, address: parseMac('02:00:00:00:00:0a') }],
  };
  cases.push({
    name: 'DAD with SLLA',
    got: validateNdp(
      withSlla,
      255,
      dad.ip.source,
      dad.ip.destination,
      encodeNdp(withSlla, dad.ip.source, dad.ip.destination),
    ),
    want: 'dad-with-source-link-layer',
  });
  const na = open('ndp-ns-na-2');
  cases.push({
    name: 'solicited NA to multicast',
    got: validateNdp(na.msg, 255, na.ip.source, v6('ff02::1'), encodeNdp(na.msg, na.ip.source, v6('ff02::1'))),
    want: 'solicited-to-multicast',
  });
  for (const c of cases) t.equal(c.got, c.want, c.name);
});

t.test('checksum: odd lengths and a known value', async (t) => {
  // A 1-byte message pads with a zero byte (RFC 1071); its checksum over itself then verifies to 0.
  const src = v6('2001:db8::1');
  const dst = v6('2001:db8::2');
  const msg = Uint8Array.of(0x80, 0, 0, 0, 0xab);
  const c = icmpv6Checksum(src, dst, msg);
  msg[2] = c >> 8;
  msg[3] = c & 0xff;
  t.equal(icmpv6Checksum(src, dst, msg), 0);
  t.equal(
    icmpv6Checksum(open('ndp-ns-na-1').ip.source, open('ndp-ns-na-1').ip.destination, open('ndp-ns-na-1').ip.payload),
    0,
  );
});

t.test('malformed NDP and IPv6 throw ArpDecodeError', async (t) => {
  const { ip } = open('ndp-ns-na-1');
  const zeroLen = new Uint8Array(ip.payload);
  zeroLen[25] = 0;
  const overrun = new Uint8Array(ip.payload);
  overrun[25] = 2;
  const cases = [
    { name: 'short NS', input: () => decodeNdp(ip.payload.subarray(0, 20)), layer: 'ndp' as const },
    {
      name: 'echo request',
      input: () => decodeNdp(hex('80 00 0000 00000000 00000000000000000000000000000000')),
      layer: 'ndp' as const,
    },
    { name: 'zero option length (RFC 4861 §4.6)', input: () => decodeNdp(zeroLen), layer: 'ndp' as const },
    { name: 'option past the end', input: () => decodeNdp(overrun), layer: 'ndp' as const },
    { name: 'option header cut', input: () => decodeNdp(ip.payload.subarray(0, 25)), layer: 'ndp' as const },
    { name: 'IPv4 version', input: () => decodeIpv6(hex('45' + '00'.repeat(39))), layer: 'ipv6' as const },
    { name: 'short header', input: () => decodeIpv6(new Uint8Array(39)), layer: 'ipv6' as const },
    {
      name: 'payload length past the end',
      input: () => decodeIpv6(hex('60000000 0100 3aff' + '00'.repeat(32))),
      layer: 'ipv6' as const,
    },
  ];
  for (const c of cases) throwsDecode(t, c.input, c.layer, undefined, c.name);
});
