import t from 'tap';
import { AdjRibOut, keyFamily } from '../../src/rib/adj-rib-out.js';
import { AttributeInterner } from '../../src/rib/attributes.js';
import { exportAttributes, type ExportContext } from '../../src/rib/export.js';

t.test('interner: equal attributes share one set, in any order and spelling', async (t) => {
  const i = new AttributeInterner();
  const a = i.intern({ communities: ['64512:2', '64512:1', '64512:1'], largeCommunities: ['64512:1:2'] });
  const b = i.intern({
    communities: [64512 * 65536 + 1, '64512:2'],
    largeCommunities: [{ globalAdministrator: 64512, localData1: 1, localData2: 2 }],
  });
  t.equal(a, b);
  t.same(a.communities, [64512 * 65536 + 1, 64512 * 65536 + 2]);
  t.not(i.intern({ med: 1 }), i.intern({ med: 2 }));
  t.equal(i.intern(), i.intern({}));
  t.throws(() => i.intern({ communities: ['70000:1'] }), { code: 'ERR_INVALID_ARGUMENT' });
  t.throws(() => i.intern({ localPref: -1 }), { code: 'ERR_INVALID_ARGUMENT', field: 'localPref' });
  t.throws(() => i.intern({ nextHop: 'nope' }), { code: 'ERR_INVALID_ARGUMENT', field: 'nextHop' });
  t.equal(i.intern({ communities: ['NO_EXPORT'] }).communities[0], 0xffffff01);
});

t.test('coalescing: only the net change of a window goes out', async (t) => {
  const i = new AttributeInterner();
  const x = i.intern({ med: 1 });
  const y = i.intern({ med: 2 });
  const rib = new AdjRibOut();
  rib.set('192.0.2.1/32', x);
  rib.set('192.0.2.1/32', y); // replaced before sending: only y goes out
  rib.set('192.0.2.2/32', x);
  rib.set('192.0.2.2/32', null); // announced and withdrawn in one window: nothing at all
  rib.set('2001:db8::1/128', x);
  t.equal(rib.pendingCount, 3);
  let c = rib.takeChanges();
  t.same(
    [...c[4].announce].map(([s, k]) => [s.med, k]),
    [[2, ['192.0.2.1/32']]],
  );
  t.same(c[4].withdraw, []);
  t.same(
    [...c[6].announce].map(([s, k]) => [s.med, k]),
    [[1, ['2001:db8::1/128']]],
  );
  t.equal(rib.size, 2);
  // Re-announcing the same set is no change; a withdrawal of a sent route is.
  rib.set('192.0.2.1/32', y);
  rib.set('2001:db8::1/128', null);
  c = rib.takeChanges();
  t.equal(c[4].announce.size, 0);
  t.same(c[6].withdraw, ['2001:db8::1/128']);
  t.equal(rib.size, 1);
  t.equal(rib.get('192.0.2.1/32'), y);
  t.same([...rib.keys()], ['192.0.2.1/32']);
});

t.test('grouping: prefixes with equal attributes land in one group', async (t) => {
  const i = new AttributeInterner();
  const rib = new AdjRibOut();
  for (let n = 0; n < 1000; n++)
    rib.set(
      `198.51.100.${n % 256}/32`.replace(/\.(\d+)\/32$/, `.${n % 256}/32`),
      i.intern({ communities: [`64512:${n % 2}`] }),
    );
  const c = rib.takeChanges();
  t.equal(c[4].announce.size, 2, 'two attribute sets, two groups');
  t.equal(
    [...c[4].announce.values()].reduce((a, g) => a + g.length, 0),
    256,
    'later changes of a prefix replace earlier ones',
  );
  const snap = rib.snapshot(4);
  t.equal(snap.size, 2);
  rib.clear();
  t.equal(rib.size, 0);
});

t.test('keyFamily', async (t) => {
  t.equal(keyFamily('192.0.2.0/24'), 4);
  t.equal(keyFamily('2001:db8::/32'), 6);
});

const EBGP: ExportContext = {
  localAsn: 64512,
  external: true,
  fourOctetAs: true,
  nextHopV4: '192.0.2.1',
  nextHopV6: '2001:db8::1',
  defaultLocalPref: 100,
};

t.test('export attributes: eBGP, iBGP, next hops, 2-octet peers', async (t) => {
  const i = new AttributeInterner();
  const set = i.intern({ communities: ['64512:7'], largeCommunities: ['4200000000:1:2'], med: 10, localPref: 200 });
  const e4 = exportAttributes(set, 4, EBGP)!;
  t.same(
    e4.map((a) => a.type),
    ['origin', 'as-path', 'next-hop', 'multi-exit-disc', 'communities', 'large-communities'],
    'eBGP: no LOCAL_PREF (RFC 4271 §5.1.5)',
  );
  t.same(e4[1], { type: 'as-path', segments: [{ type: 'as-sequence', asns: [64512] }] });
  const i4 = exportAttributes(set, 4, { ...EBGP, external: false })!;
  t.same(i4[1], { type: 'as-path', segments: [] }, 'iBGP: empty AS_PATH');
  t.same(
    i4.find((a) => a.type === 'local-pref'),
    { type: 'local-pref', localPref: 200 },
  );
  const plain = exportAttributes(i.intern({}), 4, { ...EBGP, external: false })!;
  t.same(
    plain.find((a) => a.type === 'local-pref'),
    { type: 'local-pref', localPref: 100 },
    'iBGP default LOCAL_PREF',
  );
  const e6 = exportAttributes(set, 6, { ...EBGP, linkLocalNextHopV6: 'fe80::1' })!;
  t.same(
    e6.find((a) => a.type === 'mp-reach-nlri'),
    { type: 'mp-reach-nlri', afi: 2, safi: 1, nextHop: '2001:db8::1', linkLocalNextHop: 'fe80::1', nlri: [] },
    'IPv6: global and link-local next hops (RFC 2545)',
  );
  t.equal(
    exportAttributes(set, 6, { ...EBGP, nextHopV6: undefined } as unknown as ExportContext),
    undefined,
    'no IPv6 next hop: nothing to send',
  );
  const own = exportAttributes(i.intern({ nextHop: '192.0.2.99' }), 4, EBGP)!;
  t.same(
    own.find((a) => a.type === 'next-hop'),
    { type: 'next-hop', nextHop: '192.0.2.99' },
    'explicit next hop instead of next hop self',
  );
  const as4 = exportAttributes(i.intern({ asPathPrepend: 1 }), 4, {
    ...EBGP,
    localAsn: 4200000001,
    fourOctetAs: false,
  })!;
  t.same(
    as4[1],
    { type: 'as-path', segments: [{ type: 'as-sequence', asns: [23456, 23456] }] },
    'AS_TRANS towards a 2-octet peer',
  );
  t.same(
    as4.find((a) => a.type === 'as4-path'),
    { type: 'as4-path', segments: [{ type: 'as-sequence', asns: [4200000001, 4200000001] }] },
    'AS4_PATH carries the real path (RFC 6793 §4.2.2)',
  );
});
