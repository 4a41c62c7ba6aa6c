import t from 'tap';
import fc from 'fast-check';
import {
  decodePacket,
  decodeState,
  encodePacket,
  encodeState,
  ElectionDecodeError,
  type Message,
} from '../../src/index.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

// Golden packets, written by hand from the byte layout in src/wire/codec.ts (our own format: there is no
// other implementation to capture). Every packet: sender "a" (01 61), epoch 1, seq 2, one message.
const HEAD = '0161 00000001 00000002 01';
const GOLDEN: ReadonlyArray<{ name: string; msg: Message; hex: string }> = [
  // type 01, length 6: seq 7, target "b"
  { name: 'ping', msg: { type: 'ping', seq: 7, target: 'b' }, hex: '01 0006 00000007 0162' },
  { name: 'ping-req', msg: { type: 'ping-req', seq: 7, target: 'b' }, hex: '02 0006 00000007 0162' },
  // type 03, length 8: seq 7, incarnation 5
  { name: 'ack', msg: { type: 'ack', seq: 7, incarnation: 5 }, hex: '03 0008 00000007 00000005' },
  { name: 'nack', msg: { type: 'nack', seq: 7 }, hex: '04 0004 00000007' },
  // type 05, length 11: node "b", addr "x:1", incarnation 9, flags 1 (fenced)
  {
    name: 'alive',
    msg: { type: 'alive', node: 'b', addr: 'x:1', incarnation: 9, flags: 1 },
    hex: '05 000b 0162 03783a31 00000009 01',
  },
  // type 06, length 8: node "b", incarnation 9, from "a"
  {
    name: 'suspect',
    msg: { type: 'suspect', node: 'b', incarnation: 9, from: 'a' },
    hex: '06 0008 0162 00000009 0161',
  },
  // type 07: from == node is a graceful leave
  {
    name: 'dead (left)',
    msg: { type: 'dead', node: 'b', incarnation: 9, from: 'b' },
    hex: '07 0008 0162 00000009 0162',
  },
  { name: 'heartbeat', msg: { type: 'heartbeat', incarnation: 9 }, hex: '08 0004 00000009' },
  // an unknown type keeps its bytes
  { name: 'unknown type 200', msg: { type: 'unknown', code: 200, body: hex('abcd') }, hex: 'c8 0002 abcd' },
];

t.test('golden packets decode and encode both ways', async (t) => {
  for (const g of GOLDEN) {
    const bytes = hex(HEAD + g.hex);
    t.same(decodePacket(bytes), { sender: 'a', epoch: 1, seq: 2, messages: [g.msg] }, `${g.name}: decode`);
    t.equal(
      toHex(encodePacket({ sender: 'a', epoch: 1, seq: 2, messages: [g.msg] })),
      toHex(bytes),
      `${g.name}: encode`,
    );
  }
});

t.test('golden push-pull state', async (t) => {
  // sender "a", epoch 1, seq 2, join 1, one record: node "b", addr "x:1", incarnation 9, status suspect (1), flags 0
  const bytes = hex('0161 00000001 00000002 01 00000001 0162 03783a31 00000009 01 00');
  const want = {
    sender: 'a',
    epoch: 1,
    seq: 2,
    join: true,
    members: [{ node: 'b', addr: 'x:1', incarnation: 9, status: 'suspect', flags: 0 }],
  };
  t.same(decodeState(bytes), want);
  t.equal(toHex(encodeState(want as Parameters<typeof encodeState>[0])), toHex(bytes));
});

t.test('malformed packets are refused with named reasons', async (t) => {
  const cases = [
    { name: 'empty', bytes: '', reason: 'truncated' },
    { name: 'empty sender', bytes: '00 00000001 00000002 00', reason: 'bad-string' },
    { name: 'truncated header', bytes: '0161 000000', reason: 'truncated' },
    { name: 'message longer than packet', bytes: HEAD + '01 0010 00000007', reason: 'truncated' },
    { name: 'length disagrees with body', bytes: HEAD + '03 0009 00000007 00000005 00', reason: 'bad-length' },
    { name: 'trailing bytes', bytes: HEAD + '04 0004 00000007 ff', reason: 'bad-length' },
    { name: 'string longer than body', bytes: HEAD + '01 0006 00000007 0562', reason: 'truncated' },
    { name: 'bad UTF-8 in a name', bytes: '01ff 00000001 00000002 00', reason: 'bad-string' },
  ];
  for (const c of cases)
    t.throws(() => decodePacket(hex(c.bytes)), { code: 'ERR_ELECTION_DECODE', reason: c.reason }, c.name);
  t.throws(
    () => decodeState(hex('0161 00000001 00000002 01 ffffffff')),
    { code: 'ERR_ELECTION_DECODE', reason: 'too-many' },
    'huge member count is refused before allocating',
  );
  t.throws(
    () => decodeState(hex('0161 00000001 00000002 01 00000001 0162 03783a31 00000009 07 00')),
    { code: 'ERR_ELECTION_DECODE', reason: 'bad-type' },
    'unknown status',
  );
});

const name = fc.stringMatching(/^[a-z0-9.-]{1,40}$/);
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const message: fc.Arbitrary<Message> = fc.oneof(
  fc.record({ type: fc.constant('ping' as const), seq: u32, target: name }),
  fc.record({ type: fc.constant('ping-req' as const), seq: u32, target: name }),
  fc.record({ type: fc.constant('ack' as const), seq: u32, incarnation: u32 }),
  fc.record({ type: fc.constant('nack' as const), seq: u32 }),
  fc.record({
    type: fc.constant('alive' as const),
    node: name,
    addr: fc.string({ maxLength: 60 }),
    incarnation: u32,
    flags: fc.integer({ min: 0, max: 255 }),
  }),
  fc.record({ type: fc.constant('suspect' as const), node: name, incarnation: u32, from: name }),
  fc.record({ type: fc.constant('dead' as const), node: name, incarnation: u32, from: name }),
  fc.record({ type: fc.constant('heartbeat' as const), incarnation: u32 }),
);

t.test('any packet round-trips (property)', async (t) => {
  fc.assert(
    fc.property(name, u32, u32, fc.array(message, { maxLength: 20 }), (sender, epoch, seq, messages) => {
      const p = { sender, epoch, seq, messages };
      const back = decodePacket(encodePacket(p));
      return JSON.stringify(back) === JSON.stringify(p);
    }),
    { numRuns: 500 },
  );
  t.pass('round trip held');
});

t.test('random bytes never crash the decoders (fuzz)', async (t) => {
  let refused = 0;
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      for (const decode of [decodePacket, decodeState]) {
        try {
          decode(bytes);
        } catch (err) {
          if (!(err instanceof ElectionDecodeError)) throw err;
          refused++;
        }
      }
      return true;
    }),
    { numRuns: 3000 },
  );
  // Mutations of a valid packet reach deeper into the decoder than random bytes do.
  const valid = encodePacket({ sender: 'node-a', epoch: 1, seq: 1, messages: GOLDEN.map((g) => g.msg) });
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: valid.length - 1 }),
      fc.integer({ min: 0, max: 255 }),
      fc.integer({ min: 0, max: valid.length }),
      (i, v, cut) => {
        const m = valid.slice(0, cut);
        if (i < m.length) m[i] = v;
        try {
          decodePacket(m);
        } catch (err) {
          if (!(err instanceof ElectionDecodeError)) throw err;
        }
        return true;
      },
    ),
    { numRuns: 3000 },
  );
  t.ok(refused > 0, 'random input is refused with our own error');
});
