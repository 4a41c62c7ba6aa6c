import t from 'tap';
import fc from 'fast-check';
import { Address4, Address6 } from 'ip-address';
import {
  canonicalIp,
  formatIp,
  formatIpv4,
  formatIpv6,
  ipFamilyOf,
  ipFromBytes,
  ipToBytes,
  parseIp,
  parseIpv4,
  parseIpv6,
  IPV6_MAX,
} from '../../src/index.js';

t.test('IPv4 parse and format', async (t) => {
  const good = [
    { input: '0.0.0.0', want: 0n },
    { input: '192.0.2.1', want: 0xc0000201n },
    { input: '255.255.255.255', want: 0xffffffffn },
    { input: '203.0.113.0', want: 0xcb007100n },
  ];
  for (const { input, want } of good) {
    t.equal(parseIpv4(input), want, input);
    t.equal(formatIpv4(want), input);
  }
  const bad = [
    { input: '', why: /expected four octets|empty octet/ },
    { input: '192.0.2', why: /expected four octets/ },
    { input: '192.0.2.1.5', why: /more than four octets/ },
    { input: '192.0.2.256', why: /octet larger than 255/ },
    { input: '192.0.02.1', why: /leading zero/ },
    { input: '192..2.1', why: /empty octet/ },
    { input: '192.0.2.x', why: /unexpected character "x"/ },
    { input: ' 192.0.2.1', why: /unexpected character " "/ },
  ];
  for (const { input, why } of bad) {
    t.throws(() => parseIpv4(input), { code: 'ERR_PARSE', message: why }, JSON.stringify(input));
    t.throws(() => parseIpv4(input), {
      message: new RegExp(`^invalid IPv4 address ${JSON.stringify(input).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
    });
  }
  t.throws(() => formatIpv4(1n << 32n), { code: 'ERR_INVALID_ARGUMENT' });
  t.throws(() => formatIpv4(-1n), { code: 'ERR_INVALID_ARGUMENT' });
});

t.test('IPv6 parse and RFC 5952 format', async (t) => {
  const table = [
    { input: '::', canonical: '::', value: 0n },
    { input: '::1', canonical: '::1', value: 1n },
    { input: '2001:DB8::1', canonical: '2001:db8::1', value: 0x20010db8000000000000000000000001n },
    { input: '2001:db8:0:0:1:0:0:1', canonical: '2001:db8::1:0:0:1', value: 0x20010db8000000000001000000000001n },
    { input: '2001:db8:0:1:1:1:1:1', canonical: '2001:db8:0:1:1:1:1:1', value: 0x20010db8000000010001000100010001n },
    { input: '2001:0db8::0001', canonical: '2001:db8::1', value: 0x20010db8000000000000000000000001n },
    { input: 'fe80::', canonical: 'fe80::', value: 0xfe800000000000000000000000000000n },
    { input: '::ffff:192.0.2.1', canonical: '::ffff:192.0.2.1', value: 0xffffc0000201n },
    { input: '::ffff:c000:201', canonical: '::ffff:192.0.2.1', value: 0xffffc0000201n },
    { input: '::fffe:c000:201', canonical: '::fffe:c000:201', value: 0xfffec0000201n },
    { input: '1::ffff:c000:201', canonical: '1::ffff:c000:201', value: 0x00010000000000000000ffffc0000201n },
    { input: '2001:db8::192.0.2.33', canonical: '2001:db8::c000:221', value: 0x20010db80000000000000000c0000221n },
    {
      input: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
      canonical: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
      value: IPV6_MAX,
    },
    { input: '2001:db8:0:0:1::1', canonical: '2001:db8::1:0:0:1', value: 0x20010db8000000000001000000000001n },
  ];
  for (const { input, canonical, value } of table) {
    t.equal(parseIpv6(input), value, input);
    t.equal(formatIpv6(value), canonical, input);
    t.equal(canonicalIp(input), canonical);
  }
  const bad = [
    { input: '', why: /empty/ },
    { input: '1::2::3', why: /more than one "::"/ },
    { input: '1:2:3:4:5:6:7', why: /expected eight groups/ },
    { input: '1:2:3:4:5:6:7:8:9', why: /expected eight groups/ },
    { input: '1:2:3:4::5:6:7:8', why: /at least one group/ },
    { input: '12345::', why: /bad group "12345"/ },
    { input: 'g::', why: /unexpected character "g"/ },
    { input: '1.2.3.4::', why: /not at the end/ },
    { input: 'fe80::1%eth0', why: /zone/ },
    { input: ':1:2:3:4:5:6:7', why: /bad group ""/ },
    { input: '::ffff:1.2.3.256', why: /octet larger than 255/ },
  ];
  for (const { input, why } of bad) {
    t.throws(() => parseIpv6(input), { code: 'ERR_PARSE', message: why }, JSON.stringify(input));
    t.throws(() => parseIpv6(input), { name: 'ParseError', input }, 'the error names the whole input');
  }
});

t.test('parseIp tells the family; bytes round-trip', async (t) => {
  t.same(parseIp('198.51.100.7'), { family: 4, value: 0xc6336407n });
  t.same(parseIp('2001:db8::7'), { family: 6, value: 0x20010db8000000000000000000000007n });
  t.equal(ipFamilyOf('192.0.2.1'), 4);
  t.equal(ipFamilyOf('::1'), 6);
  t.equal(ipFamilyOf('nope'), undefined);
  t.throws(() => parseIp(42 as unknown as string), {
    code: 'ERR_INVALID_ARGUMENT',
    message: /^address: expected a string, received 42/,
  });
  t.same([...ipToBytes(parseIp('192.0.2.1'))], [192, 0, 2, 1]);
  t.same(ipFromBytes(new Uint8Array([192, 0, 2, 1])), { family: 4, value: 0xc0000201n });
  const v6 = parseIp('2001:db8::ff');
  t.same(ipFromBytes(ipToBytes(v6)), v6);
  t.equal(formatIp(v6), '2001:db8::ff');
  t.throws(() => ipFromBytes(new Uint8Array(5)), { code: 'ERR_INVALID_ARGUMENT', message: /5 bytes/ });
});

t.test('agrees with the ip-address library on random addresses', async () => {
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: IPV6_MAX }), (v) => {
      const ours = formatIpv6(v);
      const theirs = Address6.fromBigInt(v);
      return (
        parseIpv6(ours) === v &&
        parseIpv6(theirs.correctForm()) === v &&
        (v >> 32n === 0xffffn || ours === theirs.correctForm())
      );
    }),
    { numRuns: 5000 },
  );
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: 0xffffffffn }), (v) => {
      const ours = formatIpv4(v);
      return ours === Address4.fromBigInt(v).correctForm() && parseIpv4(ours) === v;
    }),
    { numRuns: 5000 },
  );
  // Random IPv6 words with a random compressed run: every text form parses to the same value.
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }),
      fc.nat(7),
      fc.nat(8),
      (words, start, len) => {
        const w = words.map((x, i) => (i >= start && i < start + len ? 0 : x));
        const full = w.map((x) => x.toString(16)).join(':');
        const v = parseIpv6(full);
        return parseIpv6(formatIpv6(v)) === v && new Address6(full).bigInt() === v;
      },
    ),
    { numRuns: 3000 },
  );
});

t.test('zero-heavy IPv6 values: RFC 5952 text as the ip-address library gives it', async (t) => {
  // Words biased towards zero, so that runs of zero groups of every length and position are common (uniform
  // 128-bit values almost never have one).
  const word = fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff }));
  const v6 = fc
    .array(word, { minLength: 8, maxLength: 8 })
    .map((ws) => ws.reduce((v, w) => (v << 16n) | BigInt(w), 0n));
  fc.assert(
    fc.property(v6, (v) => {
      const ours = formatIpv6(v);
      return parseIpv6(ours) === v && (v >> 32n === 0xffffn || ours === Address6.fromBigInt(v).correctForm());
    }),
    { numRuns: 5000 },
  );
  for (const [text, want] of [
    ['1::', '1::'],
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['0:0:1:0:0:0:0:0', '0:0:1::'],
    ['1:0:1:0:1:0:1:0', '1:0:1:0:1:0:1:0'],
  ] as const) {
    t.equal(formatIpv6(parseIpv6(text)), want, text);
  }
});

t.test('never throws anything but our errors on random text', async () => {
  fc.assert(
    fc.property(
      fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF:.%x '.split('')), maxLength: 45 }),
      (s) => {
        try {
          parseIp(s);
        } catch (err) {
          return (err as { code?: string }).code === 'ERR_PARSE';
        }
        return true;
      },
    ),
    { numRuns: 20000 },
  );
});
