import t from 'tap';
import { broadcastMac, formatMac, isMulticastMac, macEquals, parseMac } from '../../src/index.js';

t.test('MAC parse and format', async (t) => {
  const table = [
    { input: '02:00:5e:10:00:01', want: '02:00:5e:10:00:01' },
    { input: '02-00-5E-10-00-01', want: '02:00:5e:10:00:01' },
    { input: 'FF:FF:FF:FF:FF:FF', want: 'ff:ff:ff:ff:ff:ff' },
  ];
  for (const { input, want } of table) t.equal(formatMac(parseMac(input)), want);
  const bad = [
    { input: '02:00:5e:10:00', why: /six bytes/ },
    { input: '02:00:5e:10:00:01:02', why: /six bytes/ },
    { input: '02:00:5e:10:00:0g', why: /bad byte "0g"/ },
    { input: '2:00:5e:10:00:01', why: /bad byte "2"/ },
    { input: '', why: /six bytes/ },
  ];
  for (const { input, why } of bad) t.throws(() => parseMac(input), { code: 'ERR_PARSE', input, message: why });
  t.throws(() => parseMac(7 as unknown as string), { code: 'ERR_INVALID_ARGUMENT' });
  t.throws(() => formatMac(new Uint8Array(5)), { code: 'ERR_INVALID_ARGUMENT', message: /5 bytes/ });
});

t.test('broadcast and multicast', async (t) => {
  const b = broadcastMac();
  t.equal(formatMac(b), 'ff:ff:ff:ff:ff:ff');
  b[0] = 0;
  t.equal(formatMac(broadcastMac()), 'ff:ff:ff:ff:ff:ff', 'each call is a fresh array');
  t.ok(isMulticastMac(parseMac('33:33:ff:00:00:01')));
  t.notOk(isMulticastMac(parseMac('02:00:00:00:00:01')));
  t.ok(macEquals(parseMac('02:00:00:00:00:01'), parseMac('02-00-00-00-00-01')));
  t.notOk(macEquals(parseMac('02:00:00:00:00:01'), parseMac('02:00:00:00:00:02')));
  t.notOk(macEquals(new Uint8Array(6), new Uint8Array(5)));
});
