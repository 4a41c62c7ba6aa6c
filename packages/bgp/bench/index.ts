/**
 * Codec throughput on an UPDATE stream shaped like a full table: 1,000,000 IPv4 prefixes (in 240.0.0.0/4) and
 * 200,000 IPv6 prefixes (in 2001:db8::/32) with realistic attribute sets (AS paths of 1–9 hops, 0–6
 * communities, some MEDs and large communities) shared by groups of prefixes (1–16, mostly small), as a
 * table dump sends them. Encode packs each group with encodeUpdates (4,096-octet messages); decode reads
 * every message back with decodeMessage. Prints prefixes/s each way, messages/s and retained heap.
 *
 *   npm run bench -w @lbkit/bgp            # table
 *   npm run bench -w @lbkit/bgp -- --json  # JSON lines only
 *   npm run bench -w @lbkit/bgp -- --scale 0.1
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { BenchReporter, machineInfo } from '@lbkit/testkit';
import {
  decodeMessage,
  encodeUpdates,
  type CodecContext,
  type NlriPrefix,
  type PathAttribute,
} from '../src/codec/index.js';

const report = new BenchReporter();
const { emit, say } = report;
const scale = report.number('scale', 1);
const V4 = Math.round(1_000_000 * scale);
const V6 = Math.round(200_000 * scale);

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** A fixed pseudo-random stream, so every run measures the same table. */
let seed = 0x9e3779b9;
function rnd(n: number): number {
  seed ^= seed << 13;
  seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  seed >>>= 0;
  return seed % n;
}

const asPool = Array.from({ length: 4000 }, (_, i) => 64512 + (i % 1000) + (i >= 1000 ? 4200000000 - 64512 : 0));

function attributeSet(v6: boolean): PathAttribute[] {
  const hops = 1 + rnd(9);
  const asns = Array.from({ length: hops }, () => asPool[rnd(asPool.length)]!);
  const attrs: PathAttribute[] = [
    { type: 'origin', origin: rnd(10) === 0 ? 2 : 0 },
    { type: 'as-path', segments: [{ type: 'as-sequence', asns }] },
  ];
  if (v6)
    attrs.push({
      type: 'mp-reach-nlri',
      afi: 2,
      safi: 1,
      nextHop: '2001:db8::1',
      linkLocalNextHop: 'fe80::1',
      nlri: [],
    });
  else attrs.push({ type: 'next-hop', nextHop: '192.0.2.1' });
  if (rnd(3) === 0) attrs.push({ type: 'multi-exit-disc', med: rnd(1000) });
  const nc = rnd(7);
  if (nc > 0)
    attrs.push({
      type: 'communities',
      communities: Array.from({ length: nc }, () => (asns[0]! & 0xffff) * 65536 + rnd(1000)),
    });
  if (rnd(5) === 0)
    attrs.push({
      type: 'large-communities',
      communities: [{ globalAdministrator: asns[0]!, localData1: rnd(100), localData2: rnd(100) }],
    });
  return attrs;
}

function groupSize(): number {
  // Mostly 1–4 prefixes per attribute set, with a tail up to 16: about 3.5 on average.
  const r = rnd(100);
  return r < 40 ? 1 : r < 65 ? 2 : r < 80 ? 4 : r < 92 ? 8 : 16;
}

function v4Prefixes(n: number): NlriPrefix[] {
  // Distinct prefixes in 240.0.0.0/4: /24s mostly, with /22, /20 and /16 mixed in; each takes its own block.
  const out: NlriPrefix[] = [];
  let next = 0xf0000000;
  for (let i = 0; i < n; i++) {
    const r = rnd(100);
    const length = r < 70 ? 24 : r < 85 ? 23 : r < 95 ? 22 : 21;
    const size = 2 ** (32 - length);
    next = Math.ceil(next / size) * size;
    out.push({ family: 4, base: BigInt(next), length });
    next += size;
  }
  return out;
}

function v6Prefixes(n: number): NlriPrefix[] {
  const out: NlriPrefix[] = [];
  const top = 0x20010db8n << 96n;
  // /48s first (as many as fit the /32), then /56s and /64s, as a v6 table mixes them.
  for (let i = 0; i < n; i++) {
    if (i < 20_000) out.push({ family: 6, base: top | (BigInt(i) << 80n), length: 48 });
    else if (i % 2 === 0) out.push({ family: 6, base: top | (1n << 95n) | (BigInt(i) << 72n), length: 56 });
    else out.push({ family: 6, base: top | (1n << 95n) | (BigInt(i) << 72n) | (1n << 64n), length: 64 });
  }
  return out;
}

interface Batch {
  attributes: PathAttribute[];
  announce: NlriPrefix[];
}

function batches(prefixes: NlriPrefix[], v6: boolean): Batch[] {
  const out: Batch[] = [];
  for (let i = 0; i < prefixes.length;) {
    const n = groupSize();
    out.push({ attributes: attributeSet(v6), announce: prefixes.slice(i, i + n) });
    i += n;
  }
  return out;
}

const ctx: CodecContext = { fourOctetAs: true };
const table = [...batches(v4Prefixes(V4), false), ...batches(v6Prefixes(V6), true)];
const totalPrefixes = V4 + V6;

function heapMb(): number {
  gc();
  return process.memoryUsage().heapUsed / 1e6;
}

function encodeAll(): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const b of table) for (const m of encodeUpdates(b, ctx)) out.push(m);
  return out;
}

/** Decodes every message; `keep` retains the results (for the heap figure), otherwise they are dropped as a reader would. */
function decodeAll(msgs: readonly Uint8Array[], keep: boolean): { prefixes: number; kept: unknown[] } {
  let prefixes = 0;
  const kept: unknown[] = keep ? new Array(msgs.length) : [];
  for (let i = 0; i < msgs.length; i++) {
    const m = decodeMessage(msgs[i]!, ctx);
    if (m.type === 'update') {
      prefixes += m.nlri.length;
      for (const a of m.attributes) if (a.type === 'mp-reach-nlri') prefixes += a.nlri.length;
    }
    if (keep) kept[i] = m;
  }
  return { prefixes, kept };
}

report.header('@lbkit/bgp codec bench');
say(`table: ${V4} IPv4 + ${V6} IPv6 prefixes in ${table.length} attribute sets`);
emit({ bench: 'bgp.codec.machine', metric: 'cores', value: machineInfo().cores, unit: 'count', n: 1 });

// Warm up, then five measured rounds each way; the best round is reported (the least disturbed by other load).
encodeAll();
let msgs: Uint8Array[] = [];
let bestEncode = Infinity;
for (let r = 0; r < 5; r++) {
  msgs = [];
  gc();
  const t0 = process.hrtime.bigint();
  msgs = encodeAll();
  bestEncode = Math.min(bestEncode, Number(process.hrtime.bigint() - t0) / 1e9);
}
const bytes = msgs.reduce((n, m) => n + m.length, 0);
emit({
  bench: 'bgp.codec.encode',
  metric: 'prefixes_per_s',
  value: Math.round(totalPrefixes / bestEncode),
  unit: 'prefix/s',
  n: totalPrefixes,
});
emit({
  bench: 'bgp.codec.encode',
  metric: 'messages_per_s',
  value: Math.round(msgs.length / bestEncode),
  unit: 'msg/s',
  n: msgs.length,
});
emit({
  bench: 'bgp.codec.encode',
  metric: 'total_s',
  value: Number(bestEncode.toFixed(3)),
  unit: 's',
  n: totalPrefixes,
});
emit({
  bench: 'bgp.codec.encode',
  metric: 'wire_mb',
  value: Number((bytes / 1e6).toFixed(1)),
  unit: 'MB',
  n: msgs.length,
});

let bestDecode = Infinity;
let decodedPrefixes = 0;
for (let r = 0; r < 5; r++) {
  gc();
  const t0 = process.hrtime.bigint();
  decodedPrefixes = decodeAll(msgs, false).prefixes;
  bestDecode = Math.min(bestDecode, Number(process.hrtime.bigint() - t0) / 1e9);
}
emit({
  bench: 'bgp.codec.decode',
  metric: 'prefixes_per_s',
  value: Math.round(decodedPrefixes / bestDecode),
  unit: 'prefix/s',
  n: decodedPrefixes,
});
emit({
  bench: 'bgp.codec.decode',
  metric: 'messages_per_s',
  value: Math.round(msgs.length / bestDecode),
  unit: 'msg/s',
  n: msgs.length,
});
emit({
  bench: 'bgp.codec.decode',
  metric: 'total_s',
  value: Number(bestDecode.toFixed(3)),
  unit: 's',
  n: decodedPrefixes,
});

// Heap: what the encoded stream and a fully decoded table keep alive.
const before = heapMb();
const encodedAgain = encodeAll();
const afterEncode = heapMb();
const decoded = decodeAll(encodedAgain, true);
const afterDecode = heapMb();
emit({
  bench: 'bgp.codec.encode',
  metric: 'heap_growth_mb',
  value: Number((afterEncode - before).toFixed(1)),
  unit: 'MB',
  n: encodedAgain.length,
});
emit({
  bench: 'bgp.codec.decode',
  metric: 'heap_growth_mb',
  value: Number((afterDecode - afterEncode).toFixed(1)),
  unit: 'MB',
  n: decoded.kept.length,
});

say('');
report.table(
  [
    { title: 'bench', width: 21, cell: (r) => r.bench },
    { title: 'metric', width: 17, cell: (r) => r.metric },
    // Numbers right-aligned under a left-aligned heading, then four spaces.
    { title: 'value', width: 15, cell: (r) => String(r.value).padStart(12) },
    { title: 'unit', width: 9, cell: (r) => r.unit },
    { title: 'n', cell: (r) => r.n },
  ],
  { separator: ' ' },
);
