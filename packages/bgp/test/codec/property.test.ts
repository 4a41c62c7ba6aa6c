import t from 'tap';
import fc from 'fast-check';
import { decodeMessage, encodeMessage, isBgpDecodeError } from '../../src/codec/index.js';
import { messageWithContext } from './arbitraries.js';

const RUNS = Number(process.env['BGP_PROPERTY_RUNS'] ?? 400);

t.test('random valid messages round-trip exactly: decode(encode(m)) = m and encode(decode(b)) = b', async (t) => {
  fc.assert(
    fc.property(messageWithContext, ({ ctx, msg }) => {
      const bytes = encodeMessage(msg, ctx);
      const back = decodeMessage(bytes, ctx);
      t.same(back, msg);
      const again = encodeMessage(back, ctx);
      return Buffer.compare(Buffer.from(again), Buffer.from(bytes)) === 0;
    }),
    { numRuns: RUNS },
  );
  t.pass(`${RUNS} random messages`);
});

/** Array elements and octets held by a decoded value: each needs at least one input octet. */
function footprint(v: unknown): number {
  if (v instanceof Uint8Array) return v.length;
  if (Array.isArray(v)) return v.length + v.reduce((n: number, x) => n + footprint(x), 0);
  if (v !== null && typeof v === 'object') return Object.values(v).reduce((n: number, x) => n + footprint(x), 0);
  return 0;
}

/**
 * Decoding only ever returns a message or throws our decode error, and what it returns is never larger than
 * the input implies: no length field can make it allocate more elements than there are octets.
 */
function decodesCleanly(bytes: Uint8Array, ctx: Parameters<typeof decodeMessage>[1]): boolean {
  try {
    const m = decodeMessage(bytes, ctx);
    if (footprint(m) > bytes.length)
      throw new Error(`decoded value holds ${footprint(m)} elements from ${bytes.length} octets`);
    return true;
  } catch (err) {
    if (isBgpDecodeError(err)) return true;
    throw err;
  }
}

t.test('mutated valid messages decode or throw BgpDecodeError, nothing else', async (t) => {
  const mutation = fc.record({
    at: fc.nat(),
    value: fc.integer({ min: 0, max: 255 }),
    kind: fc.constantFrom('set', 'drop', 'insert', 'cut'),
  });
  fc.assert(
    fc.property(
      messageWithContext,
      fc.array(mutation, { minLength: 1, maxLength: 6 }),
      fc.boolean(),
      ({ ctx, msg }, muts, fixLength) => {
        let b = Array.from(encodeMessage(msg, ctx));
        for (const m of muts) {
          const i = m.at % (b.length + 1);
          if (m.kind === 'set' && i < b.length) b[i] = m.value;
          else if (m.kind === 'drop') b.splice(i, 1);
          else if (m.kind === 'insert') b.splice(i, 0, m.value);
          else b = b.slice(0, i);
        }
        const bytes = Uint8Array.from(b);
        // Keep the header consistent half the time, so mutations reach the body decoders.
        if (fixLength && bytes.length >= 19) {
          bytes.fill(0xff, 0, 16);
          bytes[16] = bytes.length >> 8;
          bytes[17] = bytes.length & 255;
        }
        return decodesCleanly(bytes, ctx);
      },
    ),
    { numRuns: RUNS * 5 },
  );
  t.pass('no foreign exception');
});

t.test('random bytes behind a valid header decode or throw BgpDecodeError', async (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 5 }), fc.uint8Array({ maxLength: 300 }), fc.boolean(), (type, body, four) => {
      const b = new Uint8Array(19 + body.length);
      b.fill(0xff, 0, 16);
      b[16] = b.length >> 8;
      b[17] = b.length & 255;
      b[18] = type;
      b.set(body, 19);
      return decodesCleanly(b, { fourOctetAs: four, addPath: four ? [{ afi: 1, safi: 1 }] : [] });
    }),
    { numRuns: RUNS * 5 },
  );
  t.pass('no foreign exception');
});
