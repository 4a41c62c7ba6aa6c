import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createMember, type Member } from '../../src/index.js';

const fixture = fileURLToPath(new URL('../fixtures/stall-node.ts', import.meta.url));
const ips = Array.from({ length: 60 }, (_, i) => ({ ip: `203.0.113.${i + 1}` }));

function lines(child: ChildProcess): (prefix: string) => Promise<string> {
  const waiting: Array<{ prefix: string; resolve: (s: string) => void }> = [];
  const seen: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const i = waiting.findIndex((w) => line.startsWith(w.prefix));
    if (i >= 0) waiting.splice(i, 1)[0]!.resolve(line);
    else seen.push(line);
  });
  return (prefix) => {
    const i = seen.findIndex((l) => l.startsWith(prefix));
    if (i >= 0) return Promise.resolve(seen.splice(i, 1)[0]!);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "${prefix}" line from the child within 20 s`)), 20_000);
      waiting.push({ prefix, resolve: (s) => (clearTimeout(timer), resolve(s)) });
    });
  };
}

async function stallTrial(
  t: { ok(v: unknown, msg: string): unknown; teardown(fn: () => unknown): void },
  mode: 'worker' | 'main',
): Promise<number> {
  const secret = 'stall-secret';
  const local: Member[] = [];
  const a = createMember({ name: 'peer-a', bindAddress: '127.0.0.1', port: 0, secrets: [secret], addresses: ips });
  await a.start();
  local.push(a);
  const b = createMember({
    name: 'peer-b',
    bindAddress: '127.0.0.1',
    port: 0,
    secrets: [secret],
    addresses: ips,
    seeds: [a.address],
  });
  await b.start();
  local.push(b);
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, mode, 'stalled', a.address, secret], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  t.teardown(async () => {
    child.kill('SIGKILL');
    for (const m of local) await m.stop();
  });
  const next = lines(child);
  await next('ready');
  const end = performance.now() + 5000;
  while (performance.now() < end && !local.every((m) => m.members().filter((v) => v.status === 'alive').length === 3))
    await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 1000));
  const owned = [...a.ownersFor(ips.map((e) => e.ip)).values()].filter((o) => o.owner === 'stalled').length;
  t.ok(owned > 0, `the stalled process owns ${owned} IPs`);
  let claims = 0;
  for (const m of local) m.on('claim', (e) => (claims += e.owner === 'stalled' ? 1 : 0));
  for (let i = 0; i < 3; i++) {
    child.stdin!.write('stall 500\n');
    await next('stalled');
    await new Promise((r) => setTimeout(r, 1000));
  }
  return claims;
}

t.test('a main thread stalled 500 ms never causes a takeover when the member runs in a worker', async (t) => {
  const claims = await stallTrial(t, 'worker');
  t.equal(claims, 0, 'no claim in three 500 ms stalls');
});

t.test('the same stalls do cause claims when the member runs on the main thread (why the worker exists)', async (t) => {
  const claims = await stallTrial(t, 'main');
  t.comment(`claims with the member on the stalled main thread: ${claims}`);
  t.ok(claims > 0, 'the standbys claimed during the stalls');
});
