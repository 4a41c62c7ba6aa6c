import t from 'tap';
import fc from 'fast-check';
import {
  formatPrefix,
  parseIp,
  parsePrefix,
  prefixContains,
  prefixesOverlap,
  prefixFirst,
  prefixLast,
  prefixMask,
  prefixSize,
  rangeToPrefixes,
  formatIp,
} from '../../src/index.js';

t.test('parse and format prefixes', async (t) => {
  const table = [
    { input: '192.0.2.0/24', size: 256n, first: '192.0.2.0', last: '192.0.2.255' },
    { input: '192.0.2.7/32', size: 1n, first: '192.0.2.7', last: '192.0.2.7' },
    { input: '0.0.0.0/0', size: 1n << 32n, first: '0.0.0.0', last: '255.255.255.255' },
    { input: '2001:db8::/32', size: 1n << 96n, first: '2001:db8::', last: '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff' },
    { input: '2001:db8::/64', size: 1n << 64n, first: '2001:db8::', last: '2001:db8::ffff:ffff:ffff:ffff' },
    { input: '::/0', size: 1n << 128n, first: '::', last: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff' },
  ];
  for (const row of table) {
    const p = parsePrefix(row.input);
    t.equal(formatPrefix(p), row.input);
    t.equal(prefixSize(p), row.size, row.input);
    t.equal(formatIp({ family: p.family, value: prefixFirst(p) }), row.first);
    t.equal(formatIp({ family: p.family, value: prefixLast(p) }), row.last);
  }
  t.equal(formatPrefix(parsePrefix('2001:DB8:0::/48')), '2001:db8::/48');
});

t.test('malformed prefixes name the input and the problem', async (t) => {
  const bad = [
    { input: '192.0.2.0', why: /missing "\/length"/ },
    { input: '192.0.2.0/33', why: /prefix length must be an integer in 0..32/ },
    { input: '2001:db8::/129', why: /0..128/ },
    { input: '192.0.2.0/024', why: /prefix length/ },
    { input: '192.0.2.0/', why: /prefix length/ },
    { input: '192.0.2.0/-1', why: /prefix length/ },
    { input: '192.0.2.1/24', why: /host bits are set \(the network is 192\.0\.2\.0\/24\)/ },
    { input: '2001:db8::1/64', why: /host bits are set \(the network is 2001:db8::\/64\)/ },
    { input: '192.0.2.300/24', why: /octet larger than 255/ },
  ];
  for (const { input, why } of bad) {
    t.throws(() => parsePrefix(input), { code: 'ERR_PARSE', input, message: why }, input);
    t.throws(() => parsePrefix(input), {
      message: new RegExp(`^invalid prefix "${input.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}"`),
    });
  }
  t.same(parsePrefix('192.0.2.1/24', { strict: false }), parsePrefix('192.0.2.0/24'));
  t.throws(() => parsePrefix(undefined as unknown as string), { code: 'ERR_INVALID_ARGUMENT' });
  t.throws(() => prefixMask(4, 33), { code: 'ERR_INVALID_ARGUMENT', message: /^length/ });
});

t.test('containment and overlap', async (t) => {
  const p24 = parsePrefix('198.51.100.0/24');
  const p25 = parsePrefix('198.51.100.128/25');
  const other = parsePrefix('203.0.113.0/24');
  const v6 = parsePrefix('2001:db8::/32');
  t.ok(prefixContains(p24, parseIp('198.51.100.200')));
  t.notOk(prefixContains(p25, parseIp('198.51.100.2')));
  t.notOk(prefixContains(p24, parseIp('2001:db8::1')), 'families never contain each other');
  t.ok(prefixesOverlap(p24, p25));
  t.ok(prefixesOverlap(p25, p24));
  t.notOk(prefixesOverlap(p24, other));
  t.notOk(prefixesOverlap(p24, v6));
  t.equal(prefixMask(4, 24), 0xffffff00n);
  t.equal(prefixMask(6, 0), 0n);
});

t.test('ranges become the smallest exact list of prefixes', async (t) => {
  const table = [
    { first: '192.0.2.1', last: '192.0.2.6', want: ['192.0.2.1/32', '192.0.2.2/31', '192.0.2.4/31', '192.0.2.6/32'] },
    { first: '192.0.2.0', last: '192.0.2.255', want: ['192.0.2.0/24'] },
    { first: '0.0.0.0', last: '255.255.255.255', want: ['0.0.0.0/0'] },
    { first: '2001:db8::', last: '2001:db8::2', want: ['2001:db8::/127', '2001:db8::2/128'] },
    { first: '::', last: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', want: ['::/0'] },
  ];
  for (const { first, last, want } of table) {
    const a = parseIp(first);
    const b = parseIp(last);
    t.same(rangeToPrefixes(a.family, a.value, b.value).map(formatPrefix), want, `${first}-${last}`);
  }
  t.throws(() => rangeToPrefixes(4, 10n, 5n), { code: 'ERR_INVALID_ARGUMENT', message: /^range/ });
  t.throws(() => rangeToPrefixes(4, 0n, 1n << 32n), { code: 'ERR_INVALID_ARGUMENT' });

  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: 0xffffffffn }), fc.bigInt({ min: 0n, max: 0xffffffffn }), (x, y) => {
      const [lo, hi] = x <= y ? [x, y] : [y, x];
      const list = rangeToPrefixes(4, lo, hi);
      let cur = lo;
      for (const p of list) {
        if (p.base !== cur) return false;
        if ((p.base & prefixMask(4, p.length)) !== p.base) return false;
        cur = prefixLast(p) + 1n;
      }
      return cur === hi + 1n && list.length <= 62;
    }),
    { numRuns: 3000 },
  );
});
