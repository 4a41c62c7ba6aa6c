import t from 'tap';
import { parsePrefix } from '@lbkit/core';
import {
  createOpen,
  decodeMessage,
  validateOpen,
  validateUpdate,
  type ErrorAction,
  type OpenIssueReason,
  type OpenMessage,
  type OpenValidationContext,
  type PathAttribute,
  type UpdateIssueReason,
  type UpdateMessage,
  type UpdateValidationContext,
} from '../../src/codec/index.js';
import { hex, MARKER, toHex } from './hex.js';

const origin: PathAttribute = { type: 'origin', origin: 0 };
const asPath: PathAttribute = { type: 'as-path', segments: [{ type: 'as-sequence', asns: [64512] }] };
const nextHop: PathAttribute = { type: 'next-hop', nextHop: '192.0.2.1' };
const base = [origin, asPath, nextHop];
const nlri = [parsePrefix('198.51.100.0/24')];
const upd = (attributes: PathAttribute[], extra: Partial<UpdateMessage> = {}): UpdateMessage => ({
  type: 'update',
  withdrawn: [],
  attributes,
  nlri,
  ...extra,
});
const raw = (code: number, flags: number, value: number[], reason?: string): PathAttribute =>
  reason === undefined
    ? { type: 'unknown', code, flags, value: Uint8Array.from(value) }
    : ({ type: 'malformed', code, flags, value: Uint8Array.from(value), reason } as PathAttribute);

interface Case {
  name: string;
  msg: UpdateMessage;
  ctx?: UpdateValidationContext;
  outcome: 'accept' | ErrorAction;
  reasons: UpdateIssueReason[];
  notification?: { code: number; subcode: number; data: string };
}

const cases: Case[] = [
  { name: 'a complete UPDATE is accepted', msg: upd(base), outcome: 'accept', reasons: [] },
  {
    name: 'withdraw-only UPDATE needs no attributes',
    msg: upd([], { nlri: [], withdrawn: nlri }),
    outcome: 'accept',
    reasons: [],
  },
  {
    name: 'missing ORIGIN → treat-as-withdraw (RFC 7606 §3 d)',
    msg: upd([asPath, nextHop]),
    outcome: 'treat-as-withdraw',
    reasons: ['missing-origin'],
  },
  {
    name: 'missing NEXT_HOP with IPv4 NLRI',
    msg: upd([origin, asPath]),
    outcome: 'treat-as-withdraw',
    reasons: ['missing-next-hop'],
  },
  {
    name: 'missing LOCAL_PREF on an internal session',
    msg: upd(base),
    ctx: { external: false },
    outcome: 'treat-as-withdraw',
    reasons: ['missing-local-pref'],
  },
  {
    name: 'ORIGIN value 3 → treat-as-withdraw, Invalid ORIGIN',
    msg: upd([raw(1, 0x40, [3], 'origin-value'), asPath, nextHop]),
    outcome: 'treat-as-withdraw',
    reasons: ['origin-value'],
  },
  {
    name: 'malformed AS_PATH → treat-as-withdraw, Malformed AS_PATH',
    msg: upd([origin, raw(2, 0x40, [2, 0], 'as-path-malformed'), nextHop]),
    outcome: 'treat-as-withdraw',
    reasons: ['as-path-malformed'],
  },
  {
    name: 'ATOMIC_AGGREGATE with a value → attribute discard (RFC 7606 §7.6)',
    msg: upd([...base, raw(6, 0x40, [1], 'atomic-aggregate-length')]),
    outcome: 'attribute-discard',
    reasons: ['atomic-aggregate-length'],
  },
  {
    name: 'malformed AGGREGATOR → attribute discard (RFC 7606 §7.7)',
    msg: upd([...base, raw(7, 0xc0, [1, 2, 3], 'aggregator-length')]),
    outcome: 'attribute-discard',
    reasons: ['aggregator-length'],
  },
  {
    name: 'LOCAL_PREF from an external peer is discarded',
    msg: upd([...base, { type: 'local-pref', localPref: 100 }]),
    ctx: { external: true },
    outcome: 'attribute-discard',
    reasons: ['local-pref-from-external-peer'],
  },
  {
    name: 'malformed LOCAL_PREF: discard from external, withdraw from internal',
    msg: upd([...base, raw(5, 0x40, [0, 0, 1], 'local-pref-length')]),
    ctx: { external: true },
    outcome: 'attribute-discard',
    reasons: ['local-pref-length'],
  },
  {
    name: 'malformed LOCAL_PREF on an internal session',
    msg: upd([...base, raw(5, 0x40, [0, 0, 1], 'local-pref-length')]),
    ctx: { external: false },
    outcome: 'treat-as-withdraw',
    reasons: ['local-pref-length'],
  },
  {
    name: 'COMMUNITIES with a length not a multiple of 4 → treat-as-withdraw (RFC 7606 §7.8)',
    msg: upd([...base, raw(8, 0xc0, [1, 2, 3], 'communities-length')]),
    outcome: 'treat-as-withdraw',
    reasons: ['communities-length'],
  },
  {
    name: 'duplicate MED: keep the first (RFC 7606 §3 g)',
    msg: upd([...base, { type: 'multi-exit-disc', med: 1 }, { type: 'multi-exit-disc', med: 2 }]),
    outcome: 'attribute-discard',
    reasons: ['duplicate-attribute'],
  },
  {
    name: 'ORIGIN flagged optional → flags error handled as malformed ORIGIN',
    msg: upd([{ type: 'origin', origin: 0, flags: 0xc0 }, asPath, nextHop]),
    outcome: 'treat-as-withdraw',
    reasons: ['attribute-flags-error'],
  },
  {
    name: 'COMMUNITIES with Partial set is fine',
    msg: upd([...base, { type: 'communities', communities: [1], flags: 0xe0 }]),
    outcome: 'accept',
    reasons: [],
  },
  {
    name: 'unrecognized well-known attribute → session reset 3/2 with the attribute as data',
    msg: upd([...base, raw(99, 0x40, [7])]),
    outcome: 'session-reset',
    reasons: ['unrecognized-well-known-attribute'],
    notification: { code: 3, subcode: 2, data: '40 63 01 07' },
  },
  {
    name: 'unknown optional transitive is accepted',
    msg: upd([...base, raw(99, 0xc0, [7])]),
    outcome: 'accept',
    reasons: [],
  },
  {
    name: 'NEXT_HOP 0.0.0.0 → treat-as-withdraw, Invalid NEXT_HOP',
    msg: upd([origin, asPath, { type: 'next-hop', nextHop: '0.0.0.0' }]),
    outcome: 'treat-as-withdraw',
    reasons: ['next-hop-invalid'],
  },
  {
    name: 'external peer whose first AS is not its own',
    msg: upd(base),
    ctx: { external: true, peerAs: 64513 },
    outcome: 'treat-as-withdraw',
    reasons: ['as-path-first-as-mismatch'],
  },
  {
    name: 'external peer with a confederation segment',
    msg: upd([origin, { type: 'as-path', segments: [{ type: 'as-confed-sequence', asns: [1] }] }, nextHop]),
    ctx: { external: true },
    outcome: 'treat-as-withdraw',
    reasons: ['as-path-confed-from-external-peer'],
  },
  {
    name: 'worst action wins: discard + withdraw → withdraw',
    msg: upd([origin, asPath, raw(6, 0x40, [1], 'atomic-aggregate-length')]),
    outcome: 'treat-as-withdraw',
    reasons: ['atomic-aggregate-length', 'missing-next-hop'],
  },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    const v = validateUpdate(c.msg, c.ctx);
    t.equal(v.outcome, c.outcome);
    t.same(
      v.issues.map((i) => i.reason),
      c.reasons,
    );
    if (v.outcome === 'treat-as-withdraw')
      t.same(v.withdrawn, [...c.msg.withdrawn, ...c.msg.nlri], 'every named prefix is withdrawn');
    if (v.outcome === 'attribute-discard')
      t.equal(v.attributes.length, c.msg.attributes.length - v.issues.length, 'discarded attributes removed');
    if (c.notification !== undefined && v.outcome === 'session-reset') {
      t.equal(v.notification.code, c.notification.code);
      t.equal(v.notification.subcode, c.notification.subcode);
      t.equal(toHex(v.notification.data), toHex(hex(c.notification.data)));
    }
  });
}

t.test('decoded malformed attributes flow into validation', async (t) => {
  // ORIGIN with length 2; the rest well formed.
  const bytes = hex(`${MARKER} 0030 02 0000 0015
    40 01 02 0000
    40 02 06 02 01 0000fc00
    40 03 04 c0000201
    18 c63364`);
  const msg = decodeMessage(bytes);
  t.equal(msg.type, 'update');
  if (msg.type !== 'update') return;
  t.same(msg.attributes[0], {
    type: 'malformed',
    code: 1,
    flags: 0x40,
    value: Uint8Array.of(0, 0),
    reason: 'origin-length',
  });
  const v = validateUpdate(msg);
  t.equal(v.outcome, 'treat-as-withdraw');
  t.equal(v.issues[0]?.notification.subcode, 5, 'Attribute Length Error');
  t.equal(toHex(v.issues[0]!.notification.data), '40010200' + '00', 'data is the whole attribute');
});

t.test('an attribute whose length runs past the attribute field → treat-as-withdraw (RFC 7606 §4)', async (t) => {
  const bytes = hex(`${MARKER} 0020 02 0000 0005 40 01 01 00 40 18 c63364`);
  // Attribute field is 5 octets: ORIGIN (4) then a lone flags octet.
  const msg = decodeMessage(bytes);
  if (msg.type !== 'update') {
    t.fail('not an update');
    return;
  }
  t.same(msg.attributeListTail, Uint8Array.of(0x40));
  t.equal(toHex(encodeBack(msg)), toHex(bytes), 're-encodes to the same octets');
  const v = validateUpdate(msg);
  t.equal(v.outcome, 'treat-as-withdraw');
  t.same(v.issues[0]?.reason, 'attribute-list-overrun');
});

import { encodeMessage } from '../../src/codec/index.js';
function encodeBack(m: UpdateMessage): Uint8Array {
  return encodeMessage(m);
}

const open = (over: Partial<OpenMessage> = {}): OpenMessage => ({
  ...createOpen({
    asn: 64512,
    holdTime: 90,
    bgpIdentifier: '192.0.2.2',
    capabilities: [{ type: 'multiprotocol', afi: 1, safi: 1 }],
  }),
  ...over,
});

const openCases: {
  name: string;
  msg: OpenMessage;
  ctx?: OpenValidationContext;
  reason?: OpenIssueReason;
  subcode?: number;
  data?: string;
}[] = [
  { name: 'a good OPEN', msg: open() },
  {
    name: 'version 3 → Unsupported Version Number with 0x0004',
    msg: open({ version: 3 }),
    reason: 'unsupported-version-number',
    subcode: 1,
    data: '0004',
  },
  {
    name: 'wrong peer AS → Bad Peer AS',
    msg: open(),
    ctx: { peerAs: 64513 },
    reason: 'bad-peer-as',
    subcode: 2,
    data: 'fc00',
  },
  {
    name: 'hold time 2 → Unacceptable Hold Time',
    msg: open({ holdTime: 2 }),
    reason: 'unacceptable-hold-time',
    subcode: 6,
  },
  {
    name: 'identifier 0.0.0.0 → Bad BGP Identifier',
    msg: open({ bgpIdentifier: '0.0.0.0' }),
    reason: 'bad-bgp-identifier',
    subcode: 3,
  },
  {
    name: 'internal peer with our identifier',
    msg: open(),
    ctx: { internal: true, localBgpIdentifier: '192.0.2.2' },
    reason: 'bad-bgp-identifier',
    subcode: 3,
  },
  {
    name: 'optional parameter type 1 → Unsupported Optional Parameter',
    msg: open({ optionalParameters: [{ type: 'unknown', code: 1, value: new Uint8Array(2) }] }),
    reason: 'unsupported-optional-parameter',
    subcode: 4,
  },
  {
    name: 'malformed 4-octet AS capability → Unspecific',
    msg: open({
      optionalParameters: [
        { type: 'capabilities', capabilities: [{ type: 'unknown', code: 65, value: new Uint8Array(3) }] },
      ],
    }),
    reason: 'malformed-capability',
    subcode: 0,
  },
  {
    name: 'required capability missing → Unsupported Capability listing it',
    msg: open(),
    ctx: { requiredCapabilities: [2] },
    reason: 'unsupported-capability',
    subcode: 7,
    data: '0200',
  },
];

for (const c of openCases) {
  t.test(`OPEN: ${c.name}`, async (t) => {
    const v = validateOpen(c.msg, c.ctx);
    if (c.reason === undefined) {
      t.same(v, { outcome: 'accept' });
      return;
    }
    t.equal(v.outcome, 'reject');
    if (v.outcome !== 'reject') return;
    t.equal(v.reason, c.reason);
    t.equal(v.notification.code, 2);
    t.equal(v.notification.subcode, c.subcode);
    t.equal(toHex(v.notification.data), c.data ?? '');
  });
}
