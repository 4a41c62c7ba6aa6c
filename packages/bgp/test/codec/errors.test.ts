import t from 'tap';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BgpDecodeError,
  decodeMessage,
  isBgpDecodeError,
  splitMessages,
  type CodecContext,
  type DecodeErrorReason,
} from '../../src/codec/index.js';
import { hex, MARKER, toHex } from './hex.js';

interface Case {
  name: string;
  bytes: string;
  ctx?: CodecContext;
  reason: DecodeErrorReason;
  offset: number;
  code: number;
  subcode: number;
  data?: string;
}

const cases: Case[] = [
  {
    name: 'marker not all ones',
    bytes: `ffffffffffffffffffffffffffff00ff 0013 04`,
    reason: 'bad-marker',
    offset: 14,
    code: 1,
    subcode: 1,
  },
  {
    name: 'unknown type 9',
    bytes: `${MARKER} 0013 09`,
    reason: 'bad-message-type',
    offset: 18,
    code: 1,
    subcode: 3,
    data: '09',
  },
  {
    name: 'KEEPALIVE of 20 octets',
    bytes: `${MARKER} 0014 04 00`,
    reason: 'bad-message-length',
    offset: 16,
    code: 1,
    subcode: 2,
    data: '0014',
  },
  {
    name: 'OPEN shorter than 29',
    bytes: `${MARKER} 001c 01 04 fde8 005a c0000201`,
    reason: 'bad-message-length',
    offset: 16,
    code: 1,
    subcode: 2,
    data: '001c',
  },
  {
    name: 'UPDATE over 4096 without extended messages',
    bytes: `${MARKER} 1001 02`,
    reason: 'bad-message-length',
    offset: 16,
    code: 1,
    subcode: 2,
    data: '1001',
  },
  {
    name: 'length field larger than the buffer',
    bytes: `${MARKER} 0020 02 0000 0000`,
    reason: 'truncated-body',
    offset: 23,
    code: 1,
    subcode: 2,
    data: '0020',
  },
  { name: 'fewer than 19 octets', bytes: `ffff`, reason: 'truncated-header', offset: 2, code: 1, subcode: 2 },
  {
    name: 'OPEN parameter length past the end',
    bytes: `${MARKER} 001f 01 04 fde8 005a c0000201 02 02 05`,
    reason: 'open-parameter-truncated',
    offset: 29,
    code: 2,
    subcode: 0,
  },
  {
    name: 'OPEN optional parameters length disagrees with message',
    bytes: `${MARKER} 001e 01 04 fde8 005a c0000201 05 00`,
    reason: 'open-parameters-overrun',
    offset: 28,
    code: 2,
    subcode: 0,
  },
  {
    name: 'OPEN capability runs past its parameter',
    bytes: `${MARKER} 0021 01 04 fde8 005a c0000201 04 02 02 41 04`,
    reason: 'open-capability-truncated',
    offset: 31,
    code: 2,
    subcode: 0,
  },
  {
    name: 'UPDATE withdrawn length past the end',
    bytes: `${MARKER} 0017 02 0001 0000`,
    reason: 'update-withdrawn-overrun',
    offset: 19,
    code: 3,
    subcode: 1,
  },
  {
    name: 'UPDATE attribute length past the end',
    bytes: `${MARKER} 0017 02 0000 0001`,
    reason: 'update-attributes-overrun',
    offset: 21,
    code: 3,
    subcode: 1,
  },
  {
    name: 'IPv4 NLRI prefix length 33',
    bytes: `${MARKER} 001c 02 0000 0000 21 c0000201`,
    reason: 'nlri-prefix-length',
    offset: 23,
    code: 3,
    subcode: 10,
  },
  {
    name: 'IPv4 NLRI truncated',
    bytes: `${MARKER} 0019 02 0000 0000 18 c0`,
    reason: 'nlri-truncated',
    offset: 23,
    code: 3,
    subcode: 10,
  },
  {
    name: 'withdrawn prefix truncated',
    bytes: `${MARKER} 0019 02 0002 18 c0 0000`,
    reason: 'nlri-truncated',
    offset: 21,
    code: 3,
    subcode: 10,
  },
  {
    name: 'add-path NLRI without room for the path id',
    ctx: { addPath: [{ afi: 1, safi: 1 }] },
    bytes: `${MARKER} 001a 02 0000 0000 000000`,
    reason: 'nlri-path-id-truncated',
    offset: 23,
    code: 3,
    subcode: 10,
  },
  {
    name: 'MP_REACH next hop length 5',
    bytes: `${MARKER} 0024 02 0000 000d 80 0e 0a 0002 01 05 0000000000 00`,
    reason: 'mp-reach-malformed',
    offset: 29,
    code: 3,
    subcode: 9,
    data: '80 0e 0a 0002 01 05 0000000000 00',
  },
  {
    name: 'MP_REACH IPv4 prefix length 33',
    bytes: `${MARKER} 0028 02 0000 0011 80 0e 0e 0001 01 04 c0000201 00 21 00000000`,
    reason: 'mp-reach-malformed',
    offset: 35,
    code: 3,
    subcode: 9,
    data: '80 0e 0e 0001 01 04 c0000201 00 21 00000000',
  },
  {
    name: 'MP_UNREACH shorter than AFI/SAFI',
    bytes: `${MARKER} 001c 02 0000 0005 80 0f 02 0002`,
    reason: 'mp-unreach-malformed',
    offset: 23,
    code: 3,
    subcode: 9,
    data: '80 0f 02 0002',
  },
  {
    name: 'two MP_UNREACH attributes',
    bytes: `${MARKER} 0023 02 0000 000c 80 0f 03 0002 01 80 0f 03 0002 01`,
    reason: 'duplicate-mp-attribute',
    offset: 29,
    code: 3,
    subcode: 1,
  },
  {
    name: 'BoRR with extra octets',
    bytes: `${MARKER} 0018 05 0001 01 01 00`,
    reason: 'route-refresh-length',
    offset: 16,
    code: 7,
    subcode: 1,
    data: `${MARKER} 0018 05 0001 01 01 00`,
  },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    const bytes = hex(c.bytes);
    let caught: unknown;
    try {
      decodeMessage(bytes, c.ctx);
    } catch (err) {
      caught = err;
    }
    t.ok(isBgpDecodeError(caught), 'throws BgpDecodeError');
    t.ok(caught instanceof BgpDecodeError);
    const e = caught as BgpDecodeError;
    t.equal(e.reason, c.reason);
    t.equal(e.code, 'ERR_BGP_DECODE');
    t.equal(e.offset, c.offset, 'offset');
    t.equal(e.notification.code, c.code, 'NOTIFICATION code');
    t.equal(e.notification.subcode, c.subcode, 'NOTIFICATION subcode');
    t.equal(toHex(e.notification.data), c.data === undefined ? '' : toHex(hex(c.data)), 'NOTIFICATION data');
  });
}

t.test('extended messages lift the UPDATE limit but not the OPEN or KEEPALIVE limit (RFC 8654 §3)', async (t) => {
  const big = new Uint8Array(5000);
  big.fill(0xff, 0, 16);
  big[16] = 5000 >> 8;
  big[17] = 5000 & 255;
  big[18] = 2;
  // Withdrawn length 0, attribute length 0, then 4977 octets of NLRI: 0.0.0.0/0 repeated.
  const msg = decodeMessage(big, { extendedMessage: true });
  t.equal(msg.type === 'update' ? msg.nlri.length : -1, 5000 - 23);
  big[18] = 1;
  t.equal(
    reasonOf(() => decodeMessage(big, { extendedMessage: true })),
    'bad-message-length',
  );
});

t.test('splitMessages cuts a stream and keeps the incomplete tail', async (t) => {
  const ka = hex(`${MARKER} 0013 04`);
  const rr = hex(`${MARKER} 0017 05 0001 00 01`);
  const stream = new Uint8Array([...ka, ...rr, ...rr.subarray(0, 10)]);
  const r = splitMessages(stream);
  t.equal(r.messages.length, 2);
  t.equal(r.consumed, 19 + 23);
  t.same(decodeMessage(r.messages[1]!), { type: 'route-refresh', afi: 1, subtype: 0, safi: 1 });
  t.equal(
    reasonOf(() => splitMessages(hex(`${MARKER.slice(2)}00 0013 04`))),
    'bad-marker',
  );
});

t.test('a non-Uint8Array argument is a caller error, not a decode error', async (t) => {
  t.throws(() => decodeMessage('ffff' as unknown as Uint8Array), { code: 'ERR_INVALID_ARGUMENT' });
});

function reasonOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isBgpDecodeError(err) ? err.reason : `not a decode error: ${String(err)}`;
  }
  return undefined;
}

t.test('stored fuzz crashers (test/fixtures/crashers/*.hex) now decode or throw BgpDecodeError', async (t) => {
  const dir = join(import.meta.dirname, '..', 'fixtures', 'crashers');
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.hex')) : [];
  if (files.length === 0) t.comment('no crashers stored: the fuzzer has found none');
  for (const f of files) {
    const text = readFileSync(join(dir, f), 'utf8');
    const ctx = JSON.parse(/^# context: (.*)$/m.exec(text)?.[1] ?? '{}') as CodecContext;
    const bytes = hex(text);
    let outcome = 'decoded';
    try {
      decodeMessage(bytes, ctx);
    } catch (err) {
      outcome = isBgpDecodeError(err) ? 'rejected' : `crashed: ${String(err)}`;
    }
    t.not(outcome.slice(0, 7), 'crashed', f);
  }
});
