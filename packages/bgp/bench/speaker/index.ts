// Speaker benchmarks, in network namespaces (root needed):
//  1. advertise N preloaded IPv4 /32 or IPv6 /128 routes to BIRD: time from BIRD seeing the session Established
//     to BIRD holding all N, and the sender's peak RSS — for our speaker, gobgpd and FRR's bgpd, one after
//     another in the same run, against a fresh BIRD each time;
//  2. 200 sessions from one process with 1,000 routes each: keepalive interval jitter seen by the peers and
//     hold-timer expiries (20 s by default, 10 minutes with --soak).
// Usage: tsx bench/speaker/index.ts [--json] [--soak] [--sizes 1000,10000,100000] [--skip-sessions]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BenchReporter, BirdPeer, FrrPeer, GobgpPeer, Lab, roundTo, type Netns, type PeerInit } from '@lbkit/testkit';
import { SpeakerWorker } from '../../test/interop/speaker-worker-client.js';
import { benchPrefix, writeMrt } from './mrt.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const reporter = new BenchReporter();
const { emit: report, say } = reporter;
const SOAK = reporter.flag('soak');
const SIZES = reporter.list('sizes')?.map(Number) ?? [1000, 10_000, 100_000];
const SKIP_SESSIONS = reporter.flag('skip-sessions');
const SKIP_ADVERTISE = reporter.flag('skip-advertise');

const BIRD_AS = 64513;
const SENDER_AS = 64512;
type Impl = 'lbkit' | 'gobgp' | 'frr';
const IMPLS: readonly Impl[] = ['lbkit', 'gobgp', 'frr'];
// Each sender in its own namespace and subnet, linked to BIRD's namespace.
const ADDR: Record<Impl, { v4: string; v6: string; bird4: string; bird6: string; ifname: string }> = {
  lbkit: { v4: '192.0.2.1', v6: '2001:db8:1::1', bird4: '192.0.2.2', bird6: '2001:db8:1::2', ifname: 'l0' },
  gobgp: { v4: '192.0.2.65', v6: '2001:db8:2::1', bird4: '192.0.2.66', bird6: '2001:db8:2::2', ifname: 'g0' },
  frr: { v4: '192.0.2.129', v6: '2001:db8:3::1', bird4: '192.0.2.130', bird6: '2001:db8:3::2', ifname: 'f0' },
};

async function peakRss(ns: Netns, comm: string): Promise<number | undefined> {
  const pids = (await ns.exec('ip', ['netns', 'pids', ns.name], { allowFail: true })).stdout
    .split('\n')
    .filter(Boolean);
  let best: number | undefined;
  for (const pid of pids) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== comm) continue;
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m !== null) best = Math.max(best ?? 0, Number(m[1]) / 1024);
    } catch {
      /* exited */
    }
  }
  return best;
}

/** Polls BIRD: the time it first reports the session Established, and the time it holds all `n` routes. */
async function measure(bird: BirdPeer, n: number, timeoutMs: number): Promise<{ ms: number } | { error: string }> {
  let established: number | undefined;
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const out = await bird.birdc(['show', 'protocols', 'all', 'n0']);
    const now = performance.now();
    if (established === undefined && /BGP state:\s+Established/.test(out)) established = now;
    const m = /Routes:\s+(\d+) imported/.exec(out);
    if (established !== undefined && m !== null && Number(m[1]) >= n) return { ms: now - established };
    if (now > deadline)
      return { error: `timeout: ${established === undefined ? 'never established' : `${m?.[1] ?? 0} of ${n} routes`}` };
    await new Promise((r) => setTimeout(r, 10));
  }
}

class GobgpAdminDown extends GobgpPeer {
  override config(): string {
    return super.config().replace(/(neighbor-address = "[^"]+")/g, '$1\n    admin-down = true');
  }
}

class FrrShutdown extends FrrPeer {
  override config(): string {
    return super.config().replace(/( neighbor (\S+) remote-as \d+)/g, '$1\n neighbor $2 shutdown');
  }
}

async function advertiseRun(
  lab: Lab,
  birdNs: Netns,
  senderNs: Record<Impl, Netns>,
  impl: Impl,
  family: 4 | 6,
  n: number,
): Promise<{ ms?: number; rss?: number; error?: string }> {
  const a = ADDR[impl];
  const senderAddr = family === 4 ? a.v4 : a.v6;
  const birdAddr = family === 4 ? a.bird4 : a.bird6;
  const ns = senderNs[impl];
  const bird = new BirdPeer(birdNs, {
    asn: BIRD_AS,
    routerId: '192.0.2.2',
    neighbors: [{ address: senderAddr, asn: SENDER_AS, passive: true, holdTime: 90 }],
  });
  await bird.start();
  const timeoutMs = 30_000 + n / 2;
  try {
    if (impl === 'lbkit') {
      const w = await SpeakerWorker.spawn(
        ns,
        {
          asn: SENDER_AS,
          routerId: '192.0.2.1',
          peers: [
            {
              address: birdAddr,
              asn: BIRD_AS,
              families: [family === 4 ? 'ipv4-unicast' : 'ipv6-unicast'],
              connectRetryTime: 1,
            },
          ],
        },
        join(HERE, 'speaker-worker.mjs'),
      );
      try {
        await w.call('announce-range', { prefix: String(family), message: String(n) });
        await w.call('start');
        const r = await measure(bird, n, timeoutMs);
        const rss = await peakRss(ns, 'node');
        return 'ms' in r ? { ms: r.ms, ...(rss === undefined ? {} : { rss }) } : { error: r.error };
      } finally {
        await w.close();
      }
    }
    if (impl === 'gobgp') {
      const init: PeerInit = {
        asn: SENDER_AS,
        routerId: a.v4,
        listen: false,
        neighbors: [{ address: birdAddr, asn: BIRD_AS, families: [family === 4 ? 'ipv4' : 'ipv6'] }],
      };
      const g = new GobgpAdminDown(ns, init);
      const dir = mkdtempSync(join(tmpdir(), 'lbk-mrt-'));
      try {
        await g.start();
        // The CLI streams the file and may exit before its last batch is applied: a second pass over the same
        // routes in reverse order completes that tail (paths already present are unchanged).
        for (const reverse of [false, true]) {
          const file = join(dir, `rib-${reverse}.mrt`);
          writeMrt(file, family, n, SENDER_AS, senderAddr, a.v4, reverse);
          await ns.exec('gobgp', ['-p', String(g.apiPort), 'mrt', 'inject', 'global', file], { timeoutMs: 300_000 });
        }
        const loadDeadline = Date.now() + timeoutMs;
        for (;;) {
          const summary = await g.gobgp(['global', 'rib', '-a', family === 4 ? 'ipv4' : 'ipv6', 'summary']);
          const loaded = Number(/Destination:\s*(\d+)/.exec(summary)?.[1] ?? 0);
          if (loaded >= n) break;
          if (Date.now() > loadDeadline) return { error: `gobgp loaded ${loaded} of ${n}` };
          await new Promise((r) => setTimeout(r, 200));
        }
        await g.gobgp(['neighbor', birdAddr, 'enable']);
        const r = await measure(bird, n, timeoutMs);
        const rss = await peakRss(ns, 'gobgpd');
        return 'ms' in r ? { ms: r.ms, ...(rss === undefined ? {} : { rss }) } : { error: r.error };
      } finally {
        await g.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    }
    const routes = Array.from({ length: n }, (_, i) => ({ prefix: benchPrefix(family, i) }));
    const f = new FrrShutdown(ns, {
      asn: SENDER_AS,
      routerId: a.v4,
      listen: false,
      neighbors: [{ address: birdAddr, asn: BIRD_AS, families: [family === 4 ? 'ipv4' : 'ipv6'] }],
      routes,
    });
    try {
      await f.start();
      const afi = family === 4 ? 'ipv4' : 'ipv6';
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const j = JSON.parse(await f.vtysh([`show bgp ${afi} unicast summary json`])) as { ribCount?: number };
        if ((j.ribCount ?? 0) >= n) break;
        if (Date.now() > deadline) return { error: `frr loaded ${j.ribCount ?? 0} of ${n}` };
        await new Promise((r) => setTimeout(r, 200));
      }
      await f.vtysh(['configure terminal', `router bgp ${SENDER_AS}`, `no neighbor ${birdAddr} shutdown`, 'end']);
      const r = await measure(bird, n, timeoutMs);
      const rss = await peakRss(ns, 'bgpd');
      return 'ms' in r ? { ms: r.ms, ...(rss === undefined ? {} : { rss }) } : { error: r.error };
    } finally {
      await f.stop();
    }
  } finally {
    await bird.stop();
    void lab;
  }
}

async function advertiseBench(lab: Lab): Promise<void> {
  const birdNs = await lab.namespace('bird');
  const senderNs = {} as Record<Impl, Netns>;
  for (const impl of IMPLS) {
    const ns = await lab.namespace(impl);
    const a = ADDR[impl];
    await lab.link(ns, 'eth0', birdNs, a.ifname, {
      addressA: [`${a.v4}/26`, `${a.v6}/64`],
      addressB: [`${a.bird4}/26`, `${a.bird6}/64`],
    });
    senderNs[impl] = ns;
  }
  say('\nadvertise preloaded routes to BIRD: Established → BIRD holds all (ms), sender peak RSS (MB)');
  say(
    `${'routes'.padEnd(14)}${IMPLS.map((i) => `${i} ms`.padStart(12) + `${i} MB`.padStart(10)).join('')}${'÷gobgp'.padStart(9)}${'÷frr'.padStart(8)}`,
  );
  for (const family of [4, 6] as const) {
    for (const n of SIZES) {
      const res = {} as Record<Impl, { ms?: number; rss?: number; error?: string }>;
      for (const impl of IMPLS) res[impl] = await advertiseRun(lab, birdNs, senderNs, impl, family, n);
      const bench = `bgp.advertise.ipv${family}`;
      const ours = res.lbkit;
      for (const impl of IMPLS) {
        const r = res[impl];
        if (r.error !== undefined) say(`  ${impl} ipv${family} ${n}: ${r.error}`);
      }
      if (ours.ms !== undefined) {
        for (const base of ['gobgp', 'frr'] as const) {
          const b = res[base].ms;
          // A baseline under the poll resolution (0 ms) has no meaningful ratio.
          report({
            bench,
            metric: 'established_to_all_ms',
            value: round(ours.ms),
            unit: 'ms',
            n,
            ...(b === undefined || b <= 0
              ? {}
              : { baseline: base, baseline_value: round(b), ratio: round(ours.ms / b, 3) }),
          });
        }
      }
      if (ours.rss !== undefined) {
        for (const base of ['gobgp', 'frr'] as const) {
          const b = res[base].rss;
          report({
            bench,
            metric: 'sender_peak_rss_mb',
            value: round(ours.rss),
            unit: 'MB',
            n,
            ...(b === undefined ? {} : { baseline: base, baseline_value: round(b), ratio: round(ours.rss / b, 3) }),
          });
        }
      }
      const cell = (x: number | undefined, w: number): string =>
        (x === undefined ? '—' : round(x).toString()).padStart(w);
      const ratio = (base: 'gobgp' | 'frr'): string =>
        ours.ms !== undefined && (res[base].ms ?? 0) > 0 ? round(ours.ms / res[base].ms!, 2).toString() : '—';
      say(
        `${`${n} IPv${family}`.padEnd(14)}${IMPLS.map((i) => cell(res[i].ms, 12) + cell(res[i].rss, 10)).join('')}${ratio('gobgp').padStart(9)}${ratio('frr').padStart(8)}`,
      );
    }
  }
}

async function sessionsBench(lab: Lab): Promise<void> {
  const SESSIONS = 200;
  const ROUTES = 1000;
  const durationMs = SOAK ? 600_000 : 20_000;
  const hub = await lab.namespace('hub');
  const peers = await lab.namespace('peers');
  await lab.link(hub, 'eth0', peers, 'eth0', { addressA: ['192.0.2.1/24'], addressB: [] });
  // Peers live at 198.51.100.1..200 (static neighbour entries keep the shared neighbour table small).
  await peers.exec('ip', ['addr', 'add', '198.51.100.254/24', 'dev', 'eth0']);
  await hub.exec('ip', ['addr', 'add', '198.51.100.253/24', 'dev', 'eth0']);
  const peerAddrs = Array.from({ length: SESSIONS }, (_, i) => `198.51.100.${i + 1}`);
  for (const a of peerAddrs) await peers.exec('ip', ['addr', 'add', `${a}/32`, 'dev', 'eth0']);
  const hubInit = {
    asn: 64512,
    routerId: '192.0.2.1',
    peers: peerAddrs.map((address) => ({
      address,
      asn: 64513,
      holdTime: 9,
      keepaliveTime: 3,
      families: ['ipv4-unicast' as const],
      localAddress: '198.51.100.253',
    })),
  };
  const measured = await SpeakerWorker.spawn(hub, hubInit, join(HERE, 'speaker-worker.mjs'));
  const observer = await SpeakerWorker.spawn(
    peers,
    { asn: 64513, routerId: '198.51.100.254' },
    join(HERE, 'keepalive-observer.ts'),
    { addresses: peerAddrs, peerAddress: '198.51.100.253', asn: 64512 },
  );
  try {
    await observer.call('start');
    await measured.call('announce-range', { prefix: '4', message: String(ROUTES) });
    await measured.call('start');
    const upDeadline = Date.now() + 120_000;
    for (;;) {
      const st = await measured.status();
      if (st.filter((s) => s.state === 'established').length === SESSIONS) break;
      if (Date.now() > upDeadline)
        throw new Error(`only ${st.filter((s) => s.state === 'established').length} sessions up`);
      await new Promise((r) => setTimeout(r, 500));
    }
    await observer.call('reset');
    say(`\n${SESSIONS} sessions × ${ROUTES} routes: observing keepalives for ${durationMs / 1000} s…`);
    await new Promise((r) => setTimeout(r, durationMs));
    const j = await observer.call<{ samples: number; p50: number; p99: number; max: number; routes: number }>('jitter');
    const st = await measured.status();
    const expiries = st.reduce((n, s) => n + s.counters.holdTimerExpiries, 0);
    const down = st.filter((s) => s.state !== 'established').length;
    const rss = await peakRss(hub, 'node');
    const bench = 'bgp.sessions200';
    report({ bench, metric: 'keepalive_jitter_p99_ms', value: round(j.p99), unit: 'ms', n: j.samples });
    report({ bench, metric: 'keepalive_jitter_p50_ms', value: round(j.p50), unit: 'ms', n: j.samples });
    report({ bench, metric: 'keepalive_jitter_max_ms', value: round(j.max), unit: 'ms', n: j.samples });
    report({ bench, metric: 'hold_timer_expiries', value: expiries, unit: 'count', n: SESSIONS });
    report({ bench, metric: 'sessions_down_at_end', value: down, unit: 'count', n: SESSIONS });
    report({ bench, metric: 'routes_received_by_peers', value: j.routes, unit: 'routes', n: SESSIONS * ROUTES });
    if (rss !== undefined) report({ bench, metric: 'peak_rss_mb', value: round(rss), unit: 'MB', n: SESSIONS });
    say(
      `keepalive jitter p50 ${round(j.p50)} ms, p99 ${round(j.p99)} ms, max ${round(j.max)} ms over ${j.samples} intervals`,
    );
    say(
      `hold-timer expiries ${expiries}, sessions down ${down}, routes at peers ${j.routes}/${SESSIONS * ROUTES}, speaker peak RSS ${rss === undefined ? '?' : round(rss)} MB`,
    );
  } finally {
    await measured.close();
    await observer.close();
  }
}

function round(v: number, digits = 1): number {
  return roundTo(v, digits);
}

/** Heap per advertised route (route table + one Adj-RIB-Out), in a child process with --expose-gc. */
function memoryBench(): void {
  say("\nheap per advertised route (route table + one peer's Adj-RIB-Out)");
  for (const family of [4, 6] as const) {
    const n = 100_000;
    const out = execFileSync(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', join(HERE, 'memory.ts'), String(family), String(n)],
      { encoding: 'utf8' },
    );
    const r = JSON.parse(out.trim().split('\n').pop()!) as { bytesPerRoute: number };
    report({
      bench: `bgp.memory.ipv${family}`,
      metric: 'heap_bytes_per_route',
      value: round(r.bytesPerRoute),
      unit: 'B',
      n,
    });
    say(`  IPv${family}: ${round(r.bytesPerRoute)} bytes per route (${n} routes)`);
  }
}

async function main(): Promise<void> {
  reporter.header('bgp speaker bench');
  memoryBench();
  if (process.getuid?.() !== 0) {
    say('the advertise and session benchmarks need root (network namespaces): not run');
    return;
  }
  const lab = Lab.create({ tag: 'bgpbench' });
  try {
    if (!SKIP_ADVERTISE) await advertiseBench(lab);
    if (!SKIP_SESSIONS) await sessionsBench(lab);
  } finally {
    await lab.destroy();
  }
}

await main();
