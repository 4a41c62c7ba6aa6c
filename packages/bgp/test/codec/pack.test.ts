import t from 'tap';
import { formatPrefix, prefixMask, type IpFamily } from '@lbkit/core';
import {
  decodeMessage,
  encodeUpdates,
  prefixWireLength,
  type CodecContext,
  type NlriPrefix,
  type PathAttribute,
  type UpdateMessage,
} from '../../src/codec/index.js';

function prefixes(family: IpFamily, count: number, length: number, pathIds = false): NlriPrefix[] {
  const out: NlriPrefix[] = [];
  const bits = family === 4 ? 32 : 128;
  const start = family === 4 ? 0xf0000000n : 0x20010db8n << 96n;
  for (let i = 0; i < count; i++) {
    const base = (start + (BigInt(i) << BigInt(bits - length))) & prefixMask(family, length);
    out.push(pathIds ? { family, base, length, pathId: i % 7 } : { family, base, length });
  }
  return out;
}

const attrs: PathAttribute[] = [
  { type: 'origin', origin: 0 },
  { type: 'as-path', segments: [{ type: 'as-sequence', asns: [64512, 64513, 4200000000] }] },
  { type: 'next-hop', nextHop: '192.0.2.1' },
  { type: 'communities', communities: [0xfc000064, 0xffffff01] },
  { type: 'large-communities', communities: [{ globalAdministrator: 64512, localData1: 1, localData2: 2 }] },
];

function decodeAll(msgs: Uint8Array[], ctx: CodecContext): UpdateMessage[] {
  return msgs.map((b) => {
    const m = decodeMessage(b, ctx);
    if (m.type !== 'update') throw new Error('not an update');
    return m;
  });
}

const key = (p: NlriPrefix) => `${formatPrefix(p)}#${p.pathId ?? ''}`;

for (const ext of [false, true]) {
  const limit = ext ? 65535 : 4096;
  t.test(`IPv4 announcements fill messages to ${limit} octets and lose nothing`, async (t) => {
    const ctx: CodecContext = { extendedMessage: ext };
    const list = prefixes(4, 40_000, 24);
    const msgs = encodeUpdates({ attributes: attrs, announce: list }, ctx);
    const decoded = decodeAll(msgs, ctx);
    t.same(decoded.flatMap((m) => m.nlri).map(key), list.map(key), 'every prefix, in order');
    for (const m of decoded) t.same(m.attributes, attrs, 'each message carries the attribute set');
    t.ok(
      msgs.every((b) => b.length <= limit),
      'no message over the limit',
    );
    // Greedy packing: each message but the last would overflow with one more prefix.
    t.ok(
      msgs.slice(0, -1).every((b) => b.length + 4 > limit),
      'every message but the last is full',
    );
  });

  t.test(`IPv6 announcements through an MP_REACH template (${limit})`, async (t) => {
    const ctx: CodecContext = { extendedMessage: ext };
    const list = prefixes(6, 20_000, 48);
    const template: PathAttribute = {
      type: 'mp-reach-nlri',
      afi: 2,
      safi: 1,
      nextHop: '2001:db8::1',
      linkLocalNextHop: 'fe80::1',
      nlri: [],
    };
    const msgs = encodeUpdates({ attributes: [attrs[0]!, attrs[1]!, template, attrs[3]!], announce: list }, ctx);
    const decoded = decodeAll(msgs, ctx);
    const got = decoded.flatMap((m) => m.attributes.flatMap((a) => (a.type === 'mp-reach-nlri' ? a.nlri : [])));
    t.same(got.map(key), list.map(key));
    t.ok(msgs.every((b) => b.length <= limit));
    t.ok(
      msgs.slice(0, -1).every((b) => b.length + 7 > limit),
      'every message but the last is full',
    );
    const first = decoded[0]!.attributes[2];
    t.equal(first?.type === 'mp-reach-nlri' ? first.linkLocalNextHop : '', 'fe80::1');
    t.same(
      decoded[0]!.attributes.map((a) => a.type),
      ['origin', 'as-path', 'mp-reach-nlri', 'communities'],
      'template position kept',
    );
  });
}

t.test('withdrawals of both families, with add-path', async (t) => {
  const ctx: CodecContext = {
    addPath: [
      { afi: 1, safi: 1 },
      { afi: 2, safi: 1 },
    ],
  };
  const v4 = prefixes(4, 3000, 32, true);
  const v6 = prefixes(6, 3000, 128, true);
  const msgs = encodeUpdates({ attributes: [], withdraw: [...v4, ...v6] }, ctx);
  const decoded = decodeAll(msgs, ctx);
  t.same(decoded.flatMap((m) => m.withdrawn).map(key), v4.map(key));
  const w6 = decoded.flatMap((m) => m.attributes.flatMap((a) => (a.type === 'mp-unreach-nlri' ? a.withdrawn : [])));
  t.same(w6.map(key), v6.map(key));
  t.ok(msgs.every((b) => b.length <= 4096));
  t.ok(decoded.every((m) => m.nlri.length === 0));
});

t.test('a mix of prefix lengths packs greedily in order', async (t) => {
  const list = [...prefixes(4, 500, 8), ...prefixes(4, 500, 32), ...prefixes(4, 500, 0), ...prefixes(4, 500, 17)];
  const msgs = encodeUpdates({ attributes: attrs, announce: list }, {});
  const got = decodeAll(msgs, {}).flatMap((m) => m.nlri);
  t.equal(got.length, list.length);
  const bytes = list.reduce((n, p) => n + prefixWireLength(p, false), 0);
  t.ok(msgs.length <= Math.ceil(bytes / (4096 - 23 - 60)) + 1, 'close to the minimum number of messages');
});

t.test('caller errors are InvalidArgumentError', async (t) => {
  t.throws(
    () => encodeUpdates({ attributes: attrs, announce: prefixes(6, 1, 64) }, {}),
    { code: 'ERR_INVALID_ARGUMENT' },
    'IPv6 prefix without an MP_REACH template',
  );
  t.throws(
    () => encodeUpdates({ attributes: attrs, announce: prefixes(4, 1, 24) }, { addPath: [{ afi: 1, safi: 1 }] }),
    { code: 'ERR_INVALID_ARGUMENT' },
    'missing path id',
  );
  const huge: PathAttribute = { type: 'unknown', code: 99, flags: 0xc0, value: new Uint8Array(4090) };
  t.throws(
    () => encodeUpdates({ attributes: [huge], announce: prefixes(4, 1, 24) }, {}),
    { code: 'ERR_INVALID_ARGUMENT' },
    'attributes leave no room',
  );
});
