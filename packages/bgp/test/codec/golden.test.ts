import t from 'tap';
import { parsePrefix } from '@lbkit/core';
import {
  createEndOfRib,
  createShutdownNotification,
  decodeMessage,
  encodeMessage,
  endOfRibFamily,
  reconcileAs4,
  toTwoOctetAttributes,
  type BgpMessage,
  type CodecContext,
} from '../../src/codec/index.js';
import { hex, MARKER, toHex } from './hex.js';

const p = (s: string) => parsePrefix(s);

interface Golden {
  name: string;
  ctx?: CodecContext;
  bytes: string;
  want: BgpMessage;
}

// Hand-assembled messages, each field annotated. Where an RFC gives the layout, the section is cited.
const goldens: Golden[] = [
  {
    name: 'KEEPALIVE is the bare header (RFC 4271 §4.4)',
    bytes: `${MARKER} 0013 04`,
    want: { type: 'keepalive' },
  },
  {
    name: 'OPEN with MP v4/v6, route refresh, 4-octet AS, add-path, GR, LLGR, FQDN, an unknown capability',
    bytes: `${MARKER} 0000 01   # length patched below
      04          # version 4
      5ba0        # My AS = AS_TRANS (23456)
      005a        # hold time 90
      c0000201    # BGP identifier 192.0.2.1
      00          # optional parameters length (patched)
      02 00       # parameter: capabilities (length patched)
        01 04 0001 00 01          # MP: IPv4 unicast
        01 04 0002 00 01          # MP: IPv6 unicast
        02 00                     # route refresh
        46 00                     # enhanced route refresh
        06 00                     # extended message
        41 04 fa56ea00            # 4-octet AS 4200000000
        45 08 0001 01 03 0002 01 01   # add-path: v4 both, v6 receive
        40 06 c078 0001 01 80     # graceful restart: R+N flags (0xc), 120 s; v4 unicast F
        47 07 0001 01 80 000e10   # LLGR: v4 unicast F, 3600 s
        05 06 0001 0001 0002      # extended next hop: v4 unicast over IPv6
        49 0a 04 72 74 72 31 04 74 65 73 74   # FQDN rtr1 / test
        fe 03 010203              # unknown capability 254
      `,
    want: {
      type: 'open',
      version: 4,
      myAutonomousSystem: 23456,
      holdTime: 90,
      bgpIdentifier: '192.0.2.1',
      optionalParameters: [
        {
          type: 'capabilities',
          capabilities: [
            { type: 'multiprotocol', afi: 1, safi: 1 },
            { type: 'multiprotocol', afi: 2, safi: 1 },
            { type: 'route-refresh' },
            { type: 'enhanced-route-refresh' },
            { type: 'extended-message' },
            { type: 'four-octet-as', asn: 4200000000 },
            {
              type: 'add-path',
              families: [
                { afi: 1, safi: 1, sendReceive: 3 },
                { afi: 2, safi: 1, sendReceive: 1 },
              ],
            },
            { type: 'graceful-restart', flags: 0xc, restartTime: 120, families: [{ afi: 1, safi: 1, flags: 0x80 }] },
            { type: 'long-lived-graceful-restart', families: [{ afi: 1, safi: 1, flags: 0x80, staleTime: 3600 }] },
            { type: 'extended-next-hop', entries: [{ afi: 1, safi: 1, nextHopAfi: 2 }] },
            { type: 'fqdn', hostname: 'rtr1', domainName: 'test' },
            { type: 'unknown', code: 254, value: Uint8Array.of(1, 2, 3) },
          ],
        },
      ],
    },
  },
  {
    name: 'OPEN with the RFC 9072 extended optional parameters length',
    bytes: `${MARKER} 0029 01
      04 fde8 00b4 c0000202   # version, AS 65000, hold 180, id 192.0.2.2
      ff ff 0009              # non-ext length 255, type 255, extended length 9
      02 0006                 # capabilities, 2-octet length 6:
        02 00 06 00 00 00     #   route refresh, extended message, a capability with code 0
      `,
    want: {
      type: 'open',
      version: 4,
      myAutonomousSystem: 65000,
      holdTime: 180,
      bgpIdentifier: '192.0.2.2',
      optionalParameters: [
        {
          type: 'capabilities',
          capabilities: [
            { type: 'route-refresh' },
            { type: 'extended-message' },
            { type: 'unknown', code: 0, value: new Uint8Array(0) },
          ],
        },
      ],
      extendedParameters: true,
    },
  },
  {
    name: 'UPDATE: IPv4 NLRI with every common attribute, communities and large communities',
    bytes: `${MARKER} 0000 02
      0004 18 cb0071        # withdrawn: 203.0.113.0/24
      0000                  # total path attribute length (patched)
      40 01 01 00           # ORIGIN IGP
      40 02 0e 02 03 0000fde8 0000fde9 fa56ea01   # AS_PATH: AS_SEQUENCE 65000 65001 4200000001
      40 03 04 c0000201     # NEXT_HOP 192.0.2.1
      80 04 04 00000064     # MED 100
      40 05 04 000000c8     # LOCAL_PREF 200
      40 06 00              # ATOMIC_AGGREGATE
      c0 07 08 0000fde8 c0000201   # AGGREGATOR 65000 192.0.2.1
      c0 08 0c fde80064 ffffff01 ffff0000   # COMMUNITIES 65000:100 NO_EXPORT GRACEFUL_SHUTDOWN
      80 09 04 c0000202     # ORIGINATOR_ID 192.0.2.2
      80 0a 08 c0000203 c0000204   # CLUSTER_LIST
      c0 10 08 0002fde800000064    # EXTENDED_COMMUNITIES route target 65000:100
      c0 20 0c 0000fde8 00000001 00000002   # LARGE_COMMUNITY 65000:1:2
      e0 fe 02 abcd         # unknown optional transitive 254, Partial set
      18 c63364             # NLRI 198.51.100.0/24
      20 c0000205           # NLRI 192.0.2.5/32
      00                    # NLRI 0.0.0.0/0
      `,
    want: {
      type: 'update',
      withdrawn: [p('203.0.113.0/24')],
      attributes: [
        { type: 'origin', origin: 0 },
        { type: 'as-path', segments: [{ type: 'as-sequence', asns: [65000, 65001, 4200000001] }] },
        { type: 'next-hop', nextHop: '192.0.2.1' },
        { type: 'multi-exit-disc', med: 100 },
        { type: 'local-pref', localPref: 200 },
        { type: 'atomic-aggregate' },
        { type: 'aggregator', asn: 65000, address: '192.0.2.1' },
        { type: 'communities', communities: [0xfde80064, 0xffffff01, 0xffff0000] },
        { type: 'originator-id', originatorId: '192.0.2.2' },
        { type: 'cluster-list', clusterList: ['192.0.2.3', '192.0.2.4'] },
        { type: 'extended-communities', communities: [0x0002fde800000064n] },
        { type: 'large-communities', communities: [{ globalAdministrator: 65000, localData1: 1, localData2: 2 }] },
        { type: 'unknown', code: 254, flags: 0xe0, value: Uint8Array.of(0xab, 0xcd) },
      ],
      nlri: [p('198.51.100.0/24'), p('192.0.2.5/32'), p('0.0.0.0/0')],
    },
  },
  {
    name: 'UPDATE: IPv6 MP_REACH with global and link-local next hops, AS_PATH with extended length (as FRR sends)',
    bytes: `${MARKER} 0000 02
      0000 0000
      40 01 01 02                 # ORIGIN INCOMPLETE
      50 02 0006 02 01 0000fde8   # AS_PATH with Extended Length though short
      90 0e 0033                  # MP_REACH_NLRI, Extended Length, 51 octets
        0002 01 20                # AFI 2, SAFI 1, next hop length 32
        20010db8000000000000000000000001   # 2001:db8::1
        fe800000000000000000000000000001   # fe80::1
        00                        # reserved
        20 20010db8               # 2001:db8::/32
        40 20010db800010002       # 2001:db8:1:2::/64
      `,
    want: {
      type: 'update',
      withdrawn: [],
      attributes: [
        { type: 'origin', origin: 2 },
        { type: 'as-path', segments: [{ type: 'as-sequence', asns: [65000] }], flags: 0x50 },
        {
          type: 'mp-reach-nlri',
          afi: 2,
          safi: 1,
          nextHop: '2001:db8::1',
          linkLocalNextHop: 'fe80::1',
          nlri: [p('2001:db8::/32'), p('2001:db8:1:2::/64')],
          flags: 0x90,
        },
      ],
      nlri: [],
    },
  },
  {
    name: 'UPDATE: add-path IPv4 NLRI and IPv6 MP_UNREACH',
    ctx: {
      addPath: [
        { afi: 1, safi: 1 },
        { afi: 2, safi: 1 },
      ],
    },
    bytes: `${MARKER} 0000 02
      0009 00000007 20 c0000209    # withdrawn: path 7, 192.0.2.9/32
      0000
      80 0f 0e 0002 01 00000001 30 20010db80001   # MP_UNREACH v6: path 1, 2001:db8:1::/48
      `,
    want: {
      type: 'update',
      withdrawn: [{ ...p('192.0.2.9/32'), pathId: 7 }],
      attributes: [{ type: 'mp-unreach-nlri', afi: 2, safi: 1, withdrawn: [{ ...p('2001:db8:1::/48'), pathId: 1 }] }],
      nlri: [],
    },
  },
  {
    name: 'UPDATE on a 2-octet AS session: AS_PATH with AS_TRANS, AS4_PATH, AGGREGATOR, AS4_AGGREGATOR',
    ctx: { fourOctetAs: false },
    bytes: `${MARKER} 0000 02
      0000 0000
      40 01 01 00
      40 02 08 02 03 fde8 5ba0 fde9   # AS_SEQUENCE 65000 23456 65001
      40 03 04 c0000201
      c0 07 06 5ba0 c0000201          # AGGREGATOR AS_TRANS
      c0 11 0a 02 02 fa56ea00 0000fde9   # AS4_PATH 4200000000 65001
      c0 12 08 fa56ea00 c0000201      # AS4_AGGREGATOR 4200000000
      18 c63364
      `,
    want: {
      type: 'update',
      withdrawn: [],
      attributes: [
        { type: 'origin', origin: 0 },
        { type: 'as-path', segments: [{ type: 'as-sequence', asns: [65000, 23456, 65001] }] },
        { type: 'next-hop', nextHop: '192.0.2.1' },
        { type: 'aggregator', asn: 23456, address: '192.0.2.1' },
        { type: 'as4-path', segments: [{ type: 'as-sequence', asns: [4200000000, 65001] }] },
        { type: 'as4-aggregator', asn: 4200000000, address: '192.0.2.1' },
      ],
      nlri: [p('198.51.100.0/24')],
    },
  },
  {
    name: 'End-of-RIB for IPv4 unicast: an empty UPDATE (RFC 4724 §2)',
    bytes: `${MARKER} 0017 02 0000 0000`,
    want: { type: 'update', withdrawn: [], attributes: [], nlri: [] },
  },
  {
    name: 'End-of-RIB for IPv6 unicast: only an empty MP_UNREACH_NLRI',
    bytes: `${MARKER} 001d 02 0000 0006 80 0f 03 0002 01`,
    want: {
      type: 'update',
      withdrawn: [],
      attributes: [{ type: 'mp-unreach-nlri', afi: 2, safi: 1, withdrawn: [] }],
      nlri: [],
    },
  },
  {
    name: 'NOTIFICATION Cease / Administrative Shutdown with a communication (RFC 9003)',
    bytes: `${MARKER} 0000 03 06 02 0b 6d61696e74656e616e6365   # "maintenance"`,
    want: {
      type: 'notification',
      code: 6,
      subcode: 2,
      data: hex('0b 6d61696e74656e616e6365'),
      communication: 'maintenance',
    },
  },
  {
    name: 'NOTIFICATION Hold Timer Expired',
    bytes: `${MARKER} 0015 03 04 00`,
    want: { type: 'notification', code: 4, subcode: 0, data: new Uint8Array(0) },
  },
  {
    name: 'ROUTE-REFRESH for IPv6 unicast (RFC 2918 §3)',
    bytes: `${MARKER} 0017 05 0002 00 01`,
    want: { type: 'route-refresh', afi: 2, subtype: 0, safi: 1 },
  },
  {
    name: 'ROUTE-REFRESH BoRR and EoRR subtypes (RFC 7313 §3.2)',
    bytes: `${MARKER} 0017 05 0001 01 01`,
    want: { type: 'route-refresh', afi: 1, subtype: 1, safi: 1 },
  },
];

/** Patches the header length and, for OPEN/UPDATE, the inner length fields this table leaves as 0. */
function assemble(g: Golden): Uint8Array {
  const b = hex(g.bytes);
  const len = b.length;
  b[16] = len >> 8;
  b[17] = len & 255;
  if (b[18] === 1 && b[28] === 0) {
    b[28] = len - 29;
    if (b[29] === 2 && b[30] === 0) b[30] = len - 31;
  }
  if (b[18] === 2) {
    const w = (b[19]! << 8) | b[20]!;
    const at = 21 + w;
    if (b[at] === 0 && b[at + 1] === 0) {
      // Attribute length: everything up to the NLRI, which the want value tells.
      const want = g.want as Extract<BgpMessage, { type: 'update' }>;
      let nlriLen = 0;
      for (const q of want.nlri) nlriLen += 1 + ((q.length + 7) >> 3) + (q.pathId === undefined ? 0 : 4);
      const aLen = len - at - 2 - nlriLen;
      b[at] = aLen >> 8;
      b[at + 1] = aLen & 255;
    }
  }
  return b;
}

for (const g of goldens) {
  t.test(g.name, async (t) => {
    const bytes = assemble(g);
    const got = decodeMessage(bytes, g.ctx);
    t.same(got, g.want, 'decode gives the expected value');
    t.equal(toHex(encodeMessage(g.want, g.ctx)), toHex(bytes), 'encode gives the same octets');
  });
}

t.test('End-of-RIB helpers agree with the wire form', async (t) => {
  t.same(endOfRibFamily(createEndOfRib({ afi: 1, safi: 1 })), { afi: 1, safi: 1 });
  t.same(endOfRibFamily(createEndOfRib({ afi: 2, safi: 1 })), { afi: 2, safi: 1 });
  t.equal(
    toHex(encodeMessage(createEndOfRib({ afi: 2, safi: 1 }))),
    toHex(hex(`${MARKER} 001d 02 0000 0006 80 0f 03 0002 01`)),
  );
  const notEor = decodeMessage(hex(`${MARKER} 0018 02 0000 0000 00`));
  t.equal(
    notEor.type === 'update' ? endOfRibFamily(notEor) : 'x',
    undefined,
    'an UPDATE with a default route is not End-of-RIB',
  );
});

t.test('shutdown communication round-trips and refuses over-long text', async (t) => {
  const n = createShutdownNotification('drain for upgrade – ticket 42');
  const back = decodeMessage(encodeMessage(n));
  t.same(back, n);
  t.throws(() => createShutdownNotification('x'.repeat(256)), { code: 'ERR_INVALID_ARGUMENT' });
  t.equal(createShutdownNotification('y'.repeat(255)).data.length, 256);
});

t.test('AS4 reconciliation (RFC 6793 §4.2.3)', async (t) => {
  const g = goldens.find((x) => x.name.startsWith('UPDATE on a 2-octet'))!;
  const msg = g.want as Extract<BgpMessage, { type: 'update' }>;
  t.same(reconcileAs4(msg.attributes, { fourOctetAs: false }), {
    asPath: [{ type: 'as-sequence', asns: [65000, 4200000000, 65001] }],
    aggregator: { asn: 4200000000, address: '192.0.2.1' },
  });
  t.same(
    reconcileAs4(msg.attributes, { fourOctetAs: true }).asPath,
    [{ type: 'as-sequence', asns: [65000, 23456, 65001] }],
    'ignored on a 4-octet session',
  );
  const staleAgg = msg.attributes.map((a) => (a.type === 'aggregator' ? { ...a, asn: 65010 } : a));
  t.same(
    reconcileAs4(staleAgg, { fourOctetAs: false }),
    {
      asPath: [{ type: 'as-sequence', asns: [65000, 23456, 65001] }],
      aggregator: { asn: 65010, address: '192.0.2.1' },
    },
    'a non-AS_TRANS AGGREGATOR voids both AS4 attributes',
  );
  const longAs4 = msg.attributes.map((a) =>
    a.type === 'as4-path' ? { ...a, segments: [{ type: 'as-sequence' as const, asns: [1, 2, 3, 4] }] } : a,
  );
  t.same(
    reconcileAs4(longAs4, { fourOctetAs: false }).asPath,
    [{ type: 'as-sequence', asns: [65000, 23456, 65001] }],
    'an AS4_PATH longer than AS_PATH is ignored',
  );
  const withSet = [
    {
      type: 'as-path' as const,
      segments: [
        { type: 'as-sequence' as const, asns: [65000, 23456] },
        { type: 'as-set' as const, asns: [65005, 65006] },
      ],
    },
    {
      type: 'as4-path' as const,
      segments: [
        { type: 'as-sequence' as const, asns: [4200000000] },
        { type: 'as-set' as const, asns: [65005, 65006] },
      ],
    },
  ];
  t.same(reconcileAs4(withSet, { fourOctetAs: false }).asPath, [
    { type: 'as-sequence', asns: [65000, 4200000000] },
    { type: 'as-set', asns: [65005, 65006] },
  ]);
});

t.test('toTwoOctetAttributes and reconcileAs4 undo each other (RFC 6793 §4.2.2, §4.2.3)', async (t) => {
  const attrs = [
    { type: 'origin' as const, origin: 0 },
    {
      type: 'as-path' as const,
      segments: [
        { type: 'as-confed-sequence' as const, asns: [64600] },
        { type: 'as-sequence' as const, asns: [64512, 4200000000, 65001] },
      ],
    },
    { type: 'next-hop' as const, nextHop: '192.0.2.1' },
    { type: 'aggregator' as const, asn: 4200000000, address: '192.0.2.1' },
  ];
  const two = toTwoOctetAttributes(attrs);
  t.same(
    two.map((a) => a.type),
    ['origin', 'as-path', 'next-hop', 'aggregator', 'as4-path', 'as4-aggregator'],
  );
  const ctx = { fourOctetAs: false };
  const back = decodeMessage(
    encodeMessage({ type: 'update', withdrawn: [], attributes: two, nlri: [p('198.51.100.0/24')] }, ctx),
    ctx,
  );
  if (back.type !== 'update') throw new Error('not an update');
  t.same(reconcileAs4(back.attributes, ctx), {
    asPath: [
      { type: 'as-confed-sequence', asns: [64600] },
      { type: 'as-sequence', asns: [64512, 4200000000, 65001] },
    ],
    aggregator: { asn: 4200000000, address: '192.0.2.1' },
  });
  const small = [{ type: 'as-path' as const, segments: [{ type: 'as-sequence' as const, asns: [64512] }] }];
  t.same(toTwoOctetAttributes(small), small, 'nothing to do for 2-octet ASNs');
});
