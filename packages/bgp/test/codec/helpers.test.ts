import t from 'tap';
import { formatPrefix } from '@lbkit/core';
import {
  AS_TRANS,
  attributesForReadvertisement,
  createOpen,
  decodeMessage,
  encodeOpen,
  encodeMessage,
  formatCommunity,
  formatLargeCommunity,
  negotiateSession,
  openAsn,
  parseCommunity,
  parseLargeCommunity,
  WellKnownCommunity,
  describeNotification,
  ErrorCodeName,
  CapabilityCodeName,
  type Capability,
  type PathAttribute,
} from '../../src/codec/index.js';

t.test('createOpen puts AS_TRANS in the 2-octet field for a 4-octet ASN and adds the capability', async (t) => {
  const o = createOpen({ asn: 4200000000, holdTime: 90, bgpIdentifier: '192.0.2.1', capabilities: [] });
  t.equal(o.myAutonomousSystem, AS_TRANS);
  t.equal(openAsn(o), 4200000000);
  const small = createOpen({
    asn: 64512,
    holdTime: 0,
    bgpIdentifier: '192.0.2.1',
    capabilities: [{ type: 'route-refresh' }],
  });
  t.equal(small.myAutonomousSystem, 64512);
  t.same(decodeMessage(encodeOpen(small)), small);
  t.throws(() => createOpen({ asn: 64512, holdTime: 2, bgpIdentifier: '192.0.2.1', capabilities: [] }), {
    code: 'ERR_INVALID_ARGUMENT',
  });
  t.throws(() => createOpen({ asn: 0, holdTime: 90, bgpIdentifier: '192.0.2.1', capabilities: [] }), {
    code: 'ERR_INVALID_ARGUMENT',
  });
  t.throws(() => encodeOpen({ ...small, bgpIdentifier: 'nope' }), { code: 'ERR_INVALID_ARGUMENT' });
});

t.test('negotiateSession combines two OPENs', async (t) => {
  const caps = (extra: Capability[]): Capability[] => [
    { type: 'multiprotocol', afi: 1, safi: 1 },
    { type: 'multiprotocol', afi: 2, safi: 1 },
    { type: 'route-refresh' },
    ...extra,
  ];
  const local = createOpen({
    asn: 64512,
    holdTime: 90,
    bgpIdentifier: '192.0.2.1',
    capabilities: caps([
      { type: 'extended-message' },
      {
        type: 'add-path',
        families: [
          { afi: 1, safi: 1, sendReceive: 3 },
          { afi: 2, safi: 1, sendReceive: 1 },
        ],
      },
    ]),
  });
  const remote = createOpen({
    asn: 64513,
    holdTime: 30,
    bgpIdentifier: '192.0.2.2',
    capabilities: caps([
      {
        type: 'add-path',
        families: [
          { afi: 1, safi: 1, sendReceive: 1 },
          { afi: 2, safi: 1, sendReceive: 2 },
        ],
      },
    ]),
  });
  const s = negotiateSession(local, remote);
  t.equal(s.holdTime, 30);
  t.same(s.families, [
    { afi: 1, safi: 1 },
    { afi: 2, safi: 1 },
  ]);
  t.equal(s.fourOctetAs, true);
  t.equal(s.extendedMessage, false, 'only one side offered extended messages');
  t.equal(s.routeRefresh, true);
  t.same(s.send.addPath, [{ afi: 1, safi: 1 }], 'we send path ids where we said send and they said receive');
  t.same(s.receive.addPath, [{ afi: 2, safi: 1 }], 'we receive path ids where they said send and we said receive');
  const bare = negotiateSession({ ...local, optionalParameters: [] }, { ...remote, optionalParameters: [] });
  t.same(bare.families, [{ afi: 1, safi: 1 }], 'no multiprotocol at all means IPv4 unicast (RFC 4760 §8)');
  t.equal(bare.fourOctetAs, false);
});

t.test(
  're-advertisement keeps unknown optional transitive attributes with Partial set and drops the rest',
  async (t) => {
    const attrs: PathAttribute[] = [
      { type: 'origin', origin: 0 },
      { type: 'unknown', code: 99, flags: 0xc0, value: Uint8Array.of(1) },
      { type: 'unknown', code: 98, flags: 0x80, value: Uint8Array.of(2) },
      { type: 'malformed', code: 8, flags: 0xc0, value: Uint8Array.of(3), reason: 'communities-length' },
    ];
    t.same(attributesForReadvertisement(attrs), [
      { type: 'origin', origin: 0 },
      { type: 'unknown', code: 99, flags: 0xe0, value: Uint8Array.of(1) },
    ]);
  },
);

t.test('community text forms', async (t) => {
  const table: [number, string][] = [
    [WellKnownCommunity.NO_EXPORT, 'NO_EXPORT'],
    [WellKnownCommunity.GRACEFUL_SHUTDOWN, 'GRACEFUL_SHUTDOWN'],
    [WellKnownCommunity.BLACKHOLE, 'BLACKHOLE'],
    [64512 * 65536 + 100, '64512:100'],
    [0, '0:0'],
  ];
  for (const [v, s] of table) {
    t.equal(formatCommunity(v), s);
    t.equal(parseCommunity(s), v);
  }
  t.equal(parseCommunity('no-export'), WellKnownCommunity.NO_EXPORT);
  t.throws(() => parseCommunity('65536:1'), { code: 'ERR_INVALID_ARGUMENT' });
  t.equal(formatLargeCommunity(parseLargeCommunity('4200000000:1:2')), '4200000000:1:2');
  t.throws(() => parseLargeCommunity('4294967296:1:2'), { code: 'ERR_INVALID_ARGUMENT' });
});

t.test('names for logs', async (t) => {
  t.equal(describeNotification(6, 2), 'CEASE/ADMINISTRATIVE_SHUTDOWN');
  t.equal(describeNotification(3, 11), 'UPDATE_MESSAGE_ERROR/MALFORMED_AS_PATH');
  t.equal(describeNotification(99, 1), 'code 99/subcode 1');
  t.equal(ErrorCodeName[8], 'SEND_HOLD_TIMER_EXPIRED');
  t.equal(CapabilityCodeName[69], 'ADD_PATH');
});

t.test('Extended Length is set exactly when a value exceeds 255 octets, and accepted either way', async (t) => {
  const communities = (n: number): PathAttribute => ({
    type: 'communities',
    communities: Array.from({ length: n }, (_, i) => i),
  });
  const at = (a: PathAttribute): Uint8Array =>
    encodeMessage({ type: 'update', withdrawn: [], attributes: [a], nlri: [] }).subarray(23);
  t.equal(at(communities(63))[0], 0xc0, '252 octets: one length octet');
  t.equal(at(communities(64))[0], 0xd0, '256 octets: Extended Length');
  t.equal(at(communities(64))[2], 0x01, 'two length octets');
  // The same 4-octet value sent with Extended Length decodes to the same attribute, flags kept for re-encoding.
  const ext = Uint8Array.from([...Array(16).fill(0xff), 0, 31, 2, 0, 0, 0, 8, 0xd0, 8, 0, 4, 0, 0, 0, 1]);
  const m = decodeMessage(ext);
  t.same(m.type === 'update' ? m.attributes : [], [{ type: 'communities', communities: [1], flags: 0xd0 }]);
  t.same(encodeMessage(m), ext);
});

t.test('trailing bits of an NLRI prefix are irrelevant (RFC 4271 §4.3): cleared on decode and on encode', async (t) => {
  // NLRI 198.51.101.0/23 as sent with the host bit of the last octet set: c6 33 65.
  const bytes = Uint8Array.from([...Array(16).fill(0xff), 0, 27, 2, 0, 0, 0, 0, 23, 0xc6, 0x33, 0x65]);
  const m = decodeMessage(bytes);
  t.same(m.type === 'update' ? m.nlri.map(formatPrefix) : [], ['198.51.100.0/23']);
  const v6 = Uint8Array.from([
    ...Array(16).fill(0xff),
    0,
    0,
    2,
    0,
    0,
    0,
    15,
    0x80,
    0x0f,
    0x0c,
    0,
    2,
    1,
    63,
    0x20,
    0x01,
    0x0d,
    0xb8,
    0,
    0,
    0,
    0xff,
  ]);
  v6[17] = v6.length;
  const m6 = decodeMessage(v6);
  const w = m6.type === 'update' ? m6.attributes[0] : undefined;
  t.same(
    w?.type === 'mp-unreach-nlri' ? w.withdrawn.map(formatPrefix) : [],
    ['2001:db8:0:fe::/63'],
    'IPv6 /63 with its last bit cleared',
  );
  const again = encodeMessage({
    type: 'update',
    withdrawn: [],
    attributes: [],
    nlri: [{ family: 4, base: 0xc63365ffn, length: 23 }],
  });
  t.same([...again.subarray(23)], [23, 0xc6, 0x33, 0x64], 'host bits never reach the wire');
});
