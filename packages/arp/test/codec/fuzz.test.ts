import t from 'tap';
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { parseMac } from '@lbkit/core';
import {
  ArpDecodeError,
  Responder,
  decodeArp,
  decodeEthernet,
  decodeIpv6,
  decodeNdp,
  encodeArp,
  encodeNdp,
  type NdpMessage,
} from '../../src/index.js';
import { golden } from '../fixtures/frames.js';

const NUM_RUNS = 3000;

// Decoded addresses are views into a larger buffer: compare contents, not buffers.
function plain(v: unknown): unknown {
  if (v instanceof Uint8Array) return [...v];
  if (Array.isArray(v)) return v.map(plain);
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

function onlyDecodeErrors(fn: (b: Uint8Array) => unknown): (b: Uint8Array) => void {
  return (b) => {
    try {
      fn(b);
    } catch (err) {
      if (!(err instanceof ArpDecodeError)) throw err;
    }
  };
}

// Random bytes, and mutations of real frames (more interesting: they get past the first checks).
const seeds = ['arp-request-1', 'ndp-ns-na-1', 'ndp-ns-na-2', 'ndp-dad-1'].map(golden);
const mutated = fc
  .tuple(
    fc.constantFrom(...seeds),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
    fc.nat(),
  )
  .map(([seed, edits, cut]) => {
    const b = new Uint8Array(seed);
    for (const [i, v] of edits) b[i % b.length] = v;
    return b.subarray(0, b.length - (cut % 8 === 0 ? cut % b.length : 0));
  });
const bytes = fc.oneof(fc.uint8Array({ maxLength: 128 }), mutated);

t.test('decoders throw nothing but ArpDecodeError on any input', async (t) => {
  for (const [name, fn] of [
    ['ethernet', decodeEthernet],
    ['arp', decodeArp],
    ['ipv6', decodeIpv6],
    ['ndp', decodeNdp],
    ['whole frame', (b: Uint8Array) => decodeNdp(decodeIpv6(decodeEthernet(b).payload).payload)],
  ] as const) {
    t.doesNotThrow(() => fc.assert(fc.property(bytes, onlyDecodeErrors(fn)), { numRuns: NUM_RUNS }), name);
  }
});

t.test('the responder gives every input a reason and never throws', async (t) => {
  const r = new Responder();
  r.setInterface({ name: 'eth0', mac: parseMac('02:00:00:00:00:0b'), linkLocal: new Uint8Array(16).fill(0xfe) });
  r.setVip(Uint8Array.of(192, 0, 2, 2), ['eth0']);
  r.setVip(Uint8Array.of(0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2), ['eth0']);
  let n = 0;
  fc.assert(
    fc.property(
      bytes,
      fc.constantFrom('host', 'broadcast', 'multicast', 'otherhost') as fc.Arbitrary<'host'>,
      (data, packetType) => {
        const d = r.handle('eth0', { data, packetType, ifindex: 2 });
        n++;
        return typeof d.reason === 'string';
      },
    ),
    { numRuns: NUM_RUNS },
  );
  t.equal(
    Object.values(r.counts).reduce((a, b) => a + b, 0),
    n,
    'every frame counted once',
  );
});

t.test('ARP encode then decode is the identity', async (t) => {
  const addr = (n: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ minLength: n, maxLength: n });
  const packet = fc.tuple(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 15 })).chain(([h, p]) =>
    fc.record({
      hardwareType: fc.integer({ min: 0, max: 0xffff }),
      protocolType: fc.integer({ min: 0, max: 0xffff }),
      operation: fc.integer({ min: 0, max: 0xffff }),
      senderHardwareAddress: addr(h),
      senderProtocolAddress: addr(p),
      targetHardwareAddress: addr(h),
      targetProtocolAddress: addr(p),
    }),
  );
  t.doesNotThrow(() =>
    fc.assert(
      fc.property(packet, (p) => isDeepStrictEqual(plain(decodeArp(encodeArp(p))), plain(p))),
      { numRuns: 500 },
    ),
  );
});

t.test('NDP encode then decode is the identity, raw options included', async (t) => {
  const mac = fc.uint8Array({ minLength: 6, maxLength: 6 });
  const option = fc.oneof(
    fc.record({
      type: fc.constantFrom('source-link-layer-address' as const, 'target-link-layer-address' as const),
      address: mac,
    }),
    fc.record({
      type: fc.constant('raw' as const),
      code: fc.integer({ min: 3, max: 255 }),
      data: fc.integer({ min: 0, max: 4 }).chain((u) => fc.uint8Array({ minLength: u * 8 + 6, maxLength: u * 8 + 6 })),
    }),
  );
  const target = fc.uint8Array({ minLength: 16, maxLength: 16 });
  const msg: fc.Arbitrary<NdpMessage> = fc.oneof(
    fc.record({
      type: fc.constant('neighbor-solicitation' as const),
      code: fc.integer({ min: 0, max: 255 }),
      targetAddress: target,
      options: fc.array(option, { maxLength: 3 }),
    }),
    fc.record({
      type: fc.constant('neighbor-advertisement' as const),
      code: fc.integer({ min: 0, max: 255 }),
      router: fc.boolean(),
      solicited: fc.boolean(),
      override: fc.boolean(),
      targetAddress: target,
      options: fc.array(option, { maxLength: 3 }),
    }),
  );
  const src = new Uint8Array(16);
  t.doesNotThrow(() =>
    fc.assert(
      fc.property(msg, (m) => isDeepStrictEqual(plain(decodeNdp(encodeNdp(m, src, src))), plain(m))),
      { numRuns: 500 },
    ),
  );
});
