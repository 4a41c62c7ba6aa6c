/**
 * Mutation fuzzer for the decoder. Seeds are every golden fixture plus random valid messages; each input is a
 * seed with 1–8 mutations (flip a bit, set an octet, insert, delete, duplicate a run, truncate, splice another
 * seed, patch a length field to a boundary value), decoded in a random context. Anything thrown that is not
 * BgpDecodeError is a crash: the input is written to test/fixtures/crashers/ as a named fixture and the run
 * fails. Deterministic for a given seed.
 *
 *   npm run fuzz -w @lbkit/bgp -- [--runs 1000000] [--seed 1]
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import {
  decodeMessage,
  encodeMessage,
  isBgpDecodeError,
  validateUpdate,
  type CodecContext,
} from '../src/codec/index.js';
import { messageWithContext } from '../test/codec/arbitraries.js';
import { parseFixture } from '../test/fixtures/format.js';

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, '..', 'test', 'fixtures');
const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? dflt : Number(process.argv[i + 1]);
};
const runs = arg('runs', 1_000_000);
let state = arg('seed', 1) >>> 0 || 1;

/** xorshift32: a fixed, seedable stream so a crash can be replayed. */
function rand(n: number): number {
  state ^= state << 13;
  state >>>= 0;
  state ^= state >>> 17;
  state ^= state << 5;
  state >>>= 0;
  return state % n;
}

const seeds: Uint8Array[] = [];
for (const f of readdirSync(fixtures).filter((n) => n.endsWith('.fixture.txt'))) {
  for (const e of parseFixture(readFileSync(join(fixtures, f), 'utf8')).entries) seeds.push(e.bytes);
}
const fixtureSeeds = seeds.length;
for (const { ctx, msg } of fc.sample(messageWithContext, { numRuns: 2000, seed: arg('seed', 1) }))
  seeds.push(encodeMessage(msg, ctx));

const contexts: CodecContext[] = [
  { fourOctetAs: true },
  { fourOctetAs: false },
  { fourOctetAs: true, extendedMessage: true },
  {
    fourOctetAs: true,
    addPath: [
      { afi: 1, safi: 1 },
      { afi: 2, safi: 1 },
    ],
  },
  { fourOctetAs: false, addPath: [{ afi: 2, safi: 1 }], extendedMessage: true },
];

const boundary = [0, 1, 2, 3, 4, 5, 16, 19, 23, 28, 29, 127, 128, 255, 256, 4095, 4096, 4097, 65535];

function mutate(src: Uint8Array): Uint8Array {
  let b = Array.from(src);
  const n = 1 + rand(8);
  for (let k = 0; k < n; k++) {
    const i = b.length === 0 ? 0 : rand(b.length);
    switch (rand(8)) {
      case 0:
        if (b.length > 0) b[i] = b[i]! ^ (1 << rand(8));
        break;
      case 1:
        if (b.length > 0) b[i] = rand(256);
        break;
      case 2:
        b.splice(i, 0, rand(256));
        break;
      case 3:
        b.splice(i, 1 + rand(4));
        break;
      case 4: {
        const len = 1 + rand(16);
        b.splice(i, 0, ...b.slice(i, i + len));
        break;
      }
      case 5:
        b = b.slice(0, i);
        break;
      case 6: {
        const other = seeds[rand(seeds.length)]!;
        const at = rand(other.length);
        b.splice(i, 0, ...Array.from(other.subarray(at, at + 1 + rand(32))));
        break;
      }
      default: {
        const v = boundary[rand(boundary.length)]!;
        if (b.length > i + 1) {
          b[i] = (v >> 8) & 255;
          b[i + 1] = v & 255;
        }
      }
    }
  }
  const out = Uint8Array.from(b);
  // Usually keep the header valid so the body decoders, where the work is, see the input.
  if (rand(4) !== 0 && out.length >= 19) {
    out.fill(0xff, 0, 16);
    out[16] = out.length >> 8;
    out[17] = out.length & 255;
  }
  return out;
}

const start = process.hrtime.bigint();
let decoded = 0;
let rejected = 0;
const crashes: { input: Uint8Array; ctx: CodecContext; error: string }[] = [];
for (let r = 0; r < runs; r++) {
  const input = mutate(seeds[rand(seeds.length)]!);
  const ctx = contexts[rand(contexts.length)]!;
  try {
    const m = decodeMessage(input, ctx);
    // What decodes must also validate and re-encode without a foreign exception.
    if (m.type === 'update') validateUpdate(m, { ...ctx, external: rand(2) === 0, peerAs: 64513 });
    encodeMessage(m, ctx);
    decoded++;
  } catch (err) {
    if (isBgpDecodeError(err)) {
      rejected++;
      continue;
    }
    crashes.push({ input, ctx, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
    if (crashes.length >= 20) break;
  }
}
const secs = Number(process.hrtime.bigint() - start) / 1e9;
if (crashes.length > 0) {
  const dir = join(fixtures, 'crashers');
  mkdirSync(dir, { recursive: true });
  crashes.forEach((c, i) => {
    const name = `crash-seed${arg('seed', 1)}-${i}.hex`;
    writeFileSync(
      join(dir, name),
      `# ${c.error}\n# context: ${JSON.stringify(c.ctx)}\n${Buffer.from(c.input).toString('hex')}\n`,
    );
  });
}
console.log(
  JSON.stringify({
    runs: decoded + rejected + crashes.length,
    decoded,
    rejected,
    crashes: crashes.length,
    seeds: seeds.length,
    fixtureSeeds,
    seconds: Number(secs.toFixed(1)),
  }),
);
for (const c of crashes.slice(0, 5)) console.log(c.error);
process.exit(crashes.length === 0 ? 0 : 1);
