// Benchmarks of @lbkit/arp. `npm run bench -w @lbkit/arp` prints a table; `-- --json` prints JSON lines only.
//
// 1. Codec: decode + answer decisions per second for an ARP request, in process (no I/O).
// 2. ARP flood (needs root): a generator namespace floods ARP requests at the announcing namespace over a
//    veth pair, first paced at 10,000/s, then flat out; replies per second and request-to-reply latency for
//    our responder (a VIP on no interface), then for the Linux kernel answering for an address configured on
//    the same interface, in the same run. Latency is measured in the generator's user space, so it includes
//    the generator's own receive path, the same for both.
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { ipToBytes, parseIp, parseMac } from '@lbkit/core';
import { BenchReporter, Lab, hasProgram, roundTo } from '@lbkit/testkit';
import { Responder, buildArpProbe, encodeArp, encodeEthernet, EtherType } from '../src/index.js';

const report = new BenchReporter();
const { emit, say } = report;
const PACED = report.number('paced', 100_000);
const FLAT = report.number('flat', 100_000);
const RATE = report.number('rate', 10_000);
const round = (v: number, d = 2): number => roundTo(v, d);

report.header('@lbkit/arp benchmark');

// 1. In-process decisions.
{
  const r = new Responder();
  const mac = parseMac('02:00:00:00:00:0b');
  r.setInterface({ name: 'eth0', mac });
  r.setVip(ipToBytes(parseIp('192.0.2.100')), ['eth0']);
  const req = encodeEthernet({
    destination: parseMac('ff:ff:ff:ff:ff:ff'),
    source: parseMac('02:00:00:00:00:0a'),
    etherType: EtherType.ARP,
    payload: encodeArp({
      hardwareType: 1,
      protocolType: 0x0800,
      operation: 1,
      senderHardwareAddress: parseMac('02:00:00:00:00:0a'),
      senderProtocolAddress: ipToBytes(parseIp('192.0.2.1')),
      targetHardwareAddress: new Uint8Array(6),
      targetProtocolAddress: ipToBytes(parseIp('192.0.2.100')),
    }),
  });
  const other = buildArpProbe(parseMac('02:00:00:00:00:0a'), ipToBytes(parseIp('192.0.2.7')));
  for (const [name, frame] of [
    ['respond.reply', req],
    ['respond.not-ours', other],
  ] as const) {
    const n = 500_000;
    for (let i = 0; i < 50_000; i++) r.handle('eth0', { data: frame, packetType: 'broadcast', ifindex: 2 });
    const t0 = performance.now();
    for (let i = 0; i < n; i++) r.handle('eth0', { data: frame, packetType: 'broadcast', ifindex: 2 });
    const s = (performance.now() - t0) / 1000;
    emit({ bench: `arp.${name}`, metric: 'frames_per_s', value: Math.round(n / s), unit: 'frames/s', n });
  }
}

// 2. The flood, ours beside the kernel's.
const root = process.getuid?.() === 0 && process.platform === 'linux' && hasProgram('ip');
if (!root) {
  say('arp.flood: skipped (needs root for network namespaces and raw sockets)');
} else {
  const lab = Lab.create({ tag: 'arpbench' });
  try {
    const gen = await lab.namespace('gen');
    const a = await lab.namespace('a');
    await lab.link(gen, 'eth0', a, 'eth0', {
      macA: '02:00:00:00:00:0a',
      macB: '02:00:00:00:00:0b',
      addressB: '192.0.2.2/24',
    });
    const responder = a.node(new URL('./responder-node.ts', import.meta.url).pathname, ['192.0.2.100']);
    const lines = createInterface({ input: responder.stdout! });
    const pending: Array<(l: string) => void> = [];
    lines.on('line', (l) => pending.shift()?.(l));
    const next = (): Promise<string> => new Promise((resolve) => pending.push(resolve));
    await next();
    const flood = async (target: string, count: number, rate: number): Promise<Record<string, number>> => {
      const args = JSON.stringify({ iface: 'eth0', mac: '02:00:00:00:00:0a', target, count, rate, slots: 64 });
      const r = await gen.exec(
        process.execPath,
        ['--import', 'tsx', new URL('./flood.ts', import.meta.url).pathname, args],
        { timeoutMs: 120_000 },
      );
      return JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, number>;
    };
    // Warm-up, not measured: JIT-compiles the responder's receive and reply path and fills neighbour caches.
    await flood('192.0.2.100', 5_000, RATE);
    await flood('192.0.2.2', 5_000, RATE);
    const results: Record<string, Record<string, number>> = {};
    for (const [label, target] of [
      ['lbkit', '192.0.2.100'],
      ['kernel', '192.0.2.2'],
    ] as const) {
      results[`${label}.paced`] = await flood(target, PACED, RATE);
      results[`${label}.flat`] = await flood(target, FLAT, 0);
    }
    const stop = next();
    responder.kill('SIGTERM');
    const stats = JSON.parse(
      await Promise.race([stop, new Promise<string>((r) => setTimeout(() => r('{}'), 3000))]),
    ) as { stats?: { frames: Record<string, number> } };
    for (const phase of ['paced', 'flat'] as const) {
      const ours = results[`lbkit.${phase}`] ?? {};
      const theirs = results[`kernel.${phase}`] ?? {};
      const bench = `arp.flood.${phase}${phase === 'paced' ? `_${RATE}` : ''}`;
      const n = ours['sent'] ?? 0;
      const side = (metric: string, unit: string, key: string, digits = 0): void => {
        const v = round(ours[key] ?? Number.NaN, digits);
        const b = round(theirs[key] ?? Number.NaN, digits);
        emit({
          bench,
          metric,
          value: v,
          unit,
          n,
          baseline: 'linux-kernel',
          baseline_value: b,
          ratio: round(v / b, 3),
        });
      };
      side('replies_per_s', 'replies/s', 'repliesPerS');
      side('latency_p50', 'us', 'p50Us', 1);
      side('latency_p99', 'us', 'p99Us', 1);
      emit({
        bench,
        metric: 'reply_fraction',
        value: round((ours['replies'] ?? 0) / n, 4),
        unit: 'ratio',
        n,
        baseline: 'linux-kernel',
        baseline_value: round((theirs['replies'] ?? 0) / (theirs['sent'] ?? 1), 4),
        ratio: round((ours['replies'] ?? 0) / n / ((theirs['replies'] ?? 0) / (theirs['sent'] ?? 1)), 3),
      });
      emit({
        bench,
        metric: 'generator_send_rate',
        value: Math.round(ours['sendRate'] ?? 0),
        unit: 'frames/s',
        n,
      });
    }
    if (stats.stats !== undefined) say(`responder: ${JSON.stringify(stats.stats)}`);
  } finally {
    await lab.destroy();
  }
}

say('');
report.table([
  { title: 'bench', width: 30, cell: (r) => r.bench },
  { title: 'metric', width: 22, cell: (r) => r.metric },
  { title: 'value', width: 12, cell: (r) => r.value },
  { title: 'unit', width: 10, cell: (r) => r.unit },
  { title: 'n', width: 8, cell: (r) => r.n },
  { title: 'linux kernel', width: 14, cell: (r) => r.baseline_value },
  { title: 'ratio', width: 7, cell: (r) => r.ratio },
]);
