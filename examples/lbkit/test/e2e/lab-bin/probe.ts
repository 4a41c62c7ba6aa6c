// The lab's client: opens a NEW TCP connection with one HTTP GET to the target every `interval` ms (no agent, no
// keep-alive), each with its own deadline, and prints one JSON line per request on stdout:
//   {"s":START,"e":END,"node":"node-b"}  or  {"s":START,"e":END,"err":"timeout"}
// START and END are epoch milliseconds with sub-millisecond precision (performance.timeOrigin + performance.now()),
// comparable with the same expression in the process that reads them.
// Usage: probe.ts TARGET [PORT] [INTERVAL_MS] [TIMEOUT_MS]
import { get } from 'node:http';
import { performance } from 'node:perf_hooks';

const target = process.argv[2] ?? '';
const port = Number(process.argv[3] ?? 80);
const intervalMs = Number(process.argv[4] ?? 10);
const timeoutMs = Number(process.argv[5] ?? 250);
if (target === '' || !(intervalMs > 0) || !(timeoutMs > 0)) {
  process.stderr.write('usage: probe.ts TARGET [PORT] [INTERVAL_MS] [TIMEOUT_MS]\n');
  process.exit(2);
}

const now = (): number => performance.timeOrigin + performance.now();
const r3 = (v: number): number => Math.round(v * 1000) / 1000;

function request(): void {
  const s = now();
  let done = false;
  const finish = (result: { node: string } | { err: string }): void => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    process.stdout.write(`${JSON.stringify({ s: r3(s), e: r3(now()), ...result })}\n`);
  };
  const req = get(
    {
      host: target,
      port,
      path: '/',
      agent: false,
      headers: { connection: 'close' },
      family: target.includes(':') ? 6 : 4,
    },
    (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => finish(res.statusCode === 200 ? { node: body } : { err: `status ${res.statusCode}` }));
      res.on('error', (e: NodeJS.ErrnoException) => finish({ err: e.code ?? e.message }));
    },
  );
  req.on('error', (e: NodeJS.ErrnoException) => finish({ err: e.code ?? e.message }));
  const timer = setTimeout(() => {
    finish({ err: 'timeout' });
    req.destroy();
  }, timeoutMs);
}

// Paced on an absolute schedule, so a late timer does not shift every later request; a stall skips the
// missed slots instead of bursting to catch up.
const origin = performance.now();
let slot = 0;
function tick(): void {
  request();
  const elapsed = performance.now() - origin;
  slot = Math.max(slot + 1, Math.ceil(elapsed / intervalMs));
  setTimeout(tick, Math.max(0, origin + slot * intervalMs - performance.now()));
}
tick();
for (const sig of ['SIGTERM', 'SIGINT'] as const) process.on(sig, () => process.exit(0));
