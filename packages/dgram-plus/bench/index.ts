// Receive benchmark: a bounded flood of ARP frames from one namespace to another, received by a packet
// socket of ours (frames delivered to JavaScript, CPU per frame) and by `tcpdump -w /dev/null` on the same
// interface in the same run. `-- --json` prints JSON lines only; `-- --frames N` sets the flood size.
import { readFileSync } from 'node:fs';
import { release } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import { BenchReporter, Lab, hasProgram, roundTo, type Netns } from '@lbkit/testkit';

const report = new BenchReporter();
const { emit, say } = report;
const FRAMES = report.number('frames', 1_000_000);
const FLOODER = fileURLToPath(new URL('../build/Release/arp_flood', import.meta.url));
const RECEIVER = fileURLToPath(new URL('./receiver.ts', import.meta.url));
const CLK_TCK = 100; // USER_HZ, the unit of /proc/PID/stat times on Linux
const round = (x: number): number => roundTo(x, 3);

function waitFor(child: ChildProcess, stream: 'stdout' | 'stderr', pattern: RegExp, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start: ${buf}`)), 30_000);
    child[stream]?.on('data', (d: Buffer) => {
      buf += d.toString();
      if (pattern.test(buf)) {
        clearTimeout(timer);
        resolve(buf);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited ${code}: ${buf}`));
    });
  });
}

function cpuTicks(pid: number): number {
  // Fields 14 and 15 (utime, stime) after the command name in parentheses.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function collect(child: ChildProcess, stream: 'stdout' | 'stderr'): () => string {
  let buf = '';
  child[stream]?.on('data', (d: Buffer) => (buf += d.toString()));
  return () => buf;
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', () => r())));
}

async function run(lab: Lab, flood: Netns, sink: Netns, mode: 'event' | 'iterator'): Promise<void> {
  const tcpdump = sink.spawn('tcpdump', ['-p', '-n', '-i', 'eth0', '-w', '/dev/null', 'arp']);
  const tcpdumpErr = collect(tcpdump, 'stderr');
  await waitFor(tcpdump, 'stderr', /listening on/, 'tcpdump');
  const receiver = sink.node(RECEIVER, ['eth0', mode]);
  const receiverOut = collect(receiver, 'stdout');
  await waitFor(receiver, 'stdout', /ready/, 'receiver');
  const tcpdumpCpu0 = cpuTicks(tcpdump.pid as number);

  const r = await flood.exec(FLOODER, ['eth0', String(FRAMES)], { timeoutMs: 120_000 });
  const { sent, seconds } = JSON.parse(r.stdout) as { sent: number; seconds: number };
  // Let both readers drain what the kernel queued for them.
  await new Promise((res) => setTimeout(res, 1500));

  const tcpdumpCpuUs = ((cpuTicks(tcpdump.pid as number) - tcpdumpCpu0) / CLK_TCK) * 1e6;
  receiver.kill('SIGUSR2');
  await exited(receiver);
  tcpdump.kill('SIGINT');
  await exited(tcpdump);
  const ours = JSON.parse(receiverOut().trim().split('\n').pop() as string) as {
    delivered: number;
    queueDrops: number;
    kernelDrops: number;
    cpuUs: number;
  };
  const captured = Number(/(\d+) packets? captured/.exec(tcpdumpErr())?.[1] ?? NaN);
  const tcpdumpDrops = Number(/(\d+) packets? dropped by kernel/.exec(tcpdumpErr())?.[1] ?? NaN);
  void lab;

  const bench = `packet.receive.${mode}`;
  const oursRate = ours.delivered / seconds;
  const theirRate = captured / seconds;
  emit({ bench, metric: 'offered_frames_per_s', value: Math.round(sent / seconds), unit: 'frames/s', n: sent });
  emit({
    bench,
    metric: 'frames_per_s',
    value: Math.round(oursRate),
    unit: 'frames/s',
    n: sent,
    baseline: 'tcpdump',
    baseline_value: Math.round(theirRate),
    ratio: round(oursRate / theirRate),
  });
  emit({
    bench,
    metric: 'delivered_fraction',
    value: round(ours.delivered / sent),
    unit: 'fraction',
    n: sent,
    baseline: 'tcpdump',
    baseline_value: round(captured / sent),
    ratio: round(ours.delivered / captured),
  });
  const oursCpu = ours.cpuUs / Math.max(1, ours.delivered);
  const theirCpu = tcpdumpCpuUs / Math.max(1, captured);
  emit({
    bench,
    metric: 'cpu_per_frame',
    value: round(oursCpu),
    unit: 'us',
    n: ours.delivered,
    baseline: 'tcpdump',
    baseline_value: round(theirCpu),
    ratio: round(oursCpu / theirCpu),
  });
  emit({
    bench,
    metric: 'kernel_drops',
    value: ours.kernelDrops,
    unit: 'frames',
    n: sent,
    baseline: 'tcpdump',
    baseline_value: tcpdumpDrops,
  });
  emit({ bench, metric: 'queue_drops', value: ours.queueDrops, unit: 'frames', n: sent });
}

async function main(): Promise<void> {
  report.header('dgram-plus receive benchmark', `kernel ${release()}`);
  if (process.getuid?.() !== 0 || !hasProgram('tcpdump') || !hasProgram('ip')) {
    say('skipped: needs root (network namespaces, packet sockets), ip and tcpdump');
    emit({ bench: 'packet.receive', metric: 'skipped', value: 0, unit: 'none', n: 0 });
    return;
  }
  const lab = Lab.create({ tag: 'bench' });
  try {
    const flood = await lab.namespace('flood');
    const sink = await lab.namespace('sink');
    await lab.link(flood, 'eth0', sink, 'eth0', { macA: '02:00:5e:00:00:0a', macB: '02:00:5e:00:00:0b' });
    for (const mode of ['event', 'iterator'] as const) {
      say(`flooding ${FRAMES.toLocaleString('en')} ARP frames (${mode} API beside tcpdump)…`);
      await run(lab, flood, sink, mode);
    }
  } finally {
    await lab.destroy();
  }
  say('');
  report.table(
    [
      { title: 'bench', width: 28, cell: (r) => r.bench },
      { title: 'metric', width: 22, cell: (r) => r.metric },
      { title: 'ours', width: 14, cell: (r) => `${r.value} ${r.unit}` },
      { title: 'tcpdump', width: 14, cell: (r) => r.baseline_value },
      { title: 'ratio', cell: (r) => r.ratio },
    ],
    { separator: ' ' },
  );
}

await main();
