import t from 'tap';
import fc from 'fast-check';
import { formatIp, parseIp, type IpAddress } from '@lbkit/core';
import { ipText } from '../../src/alloc/ip-text.js';

// Words biased towards zero so that runs of zero groups of every length and position are common.
const word = fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff }));
const v6 = fc.array(word, { minLength: 8, maxLength: 8 }).map((ws) => ws.reduce((v, w) => (v << 16n) | BigInt(w), 0n));

t.test('IPv6 text equals core formatIp (RFC 5952) for random values', async (t) => {
  fc.assert(
    fc.property(v6, (value) => {
      const a: IpAddress = { family: 6, value };
      return ipText(a) === formatIp(a);
    }),
    { numRuns: 5000 },
  );
  t.pass('agrees with core');
});

t.test('IPv4 and edge cases equal core formatIp', async (t) => {
  for (const text of [
    '::',
    '::1',
    '1::',
    '2001:db8::1',
    '2001:db8:0:1:1:1:1:1',
    '2001:0:0:1:0:0:0:1',
    '2001:db8:0:0:1:0:0:1',
    '::ffff:192.0.2.1',
    'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
    '192.0.2.0',
    '255.255.255.255',
  ]) {
    const a = parseIp(text);
    t.equal(ipText(a), formatIp(a), text);
  }
});
