// Benchmark of the Kubernetes adapter against the in-process API server (real HTTP, real client-node):
//   1. 5,000 LoadBalancer Services with 10 EndpointSlices each: time from creation to a complete typed view
//      (initial list, and live creation while watching), and the heap the caches take;
//   2. time to write 5,000 Service statuses (merge patch on /status, with the pool annotation);
//   3. a controller restart (API server restarted, fresh watcher and allocator rebuilt from Service status):
//      how many IPs change (must be zero).
// `npm run bench -w @lbkit/k8s-adapter` prints a table; `-- --json` prints JSON lines only. Never asserts.
import { cpus } from 'node:os';
import { createAllocator } from '@lbkit/ipam';
import { ClusterWatcher } from '../src/io/cluster-watcher.js';
import { ServiceStatusWriter } from '../src/io/service-status-writer.js';
import { parseConfig } from '../src/config/parse-config.js';
import { mapService } from '../src/mapping/service.js';
import { toIpamConfig, toIpamRequest, toRestoreEntry } from '../src/mapping/ipam.js';
import { FakeApiServer } from '../src/testing/index.js';
import type { Service } from '../src/api/core.js';

const json = process.argv.includes('--json');
const SERVICES = Number(process.env['BENCH_SERVICES'] ?? 5000);
const SLICES = 10;
const NS = 'metallb-system';
// Data only (no traffic): the reserved 240/4 block, as the project's bulk tests use.
const POOL = '240.1.0.0/18';

interface Row {
  bench: string;
  metric: string;
  value: number;
  unit: string;
  n: number;
}
const rows: Row[] = [];
function report(bench: string, metric: string, value: number, unit: string, n: number): void {
  const row = { bench, metric, value: Number(value.toFixed(unit === 'MiB' ? 1 : 3)), unit, n };
  rows.push(row);
  if (json) console.log(JSON.stringify(row));
}

const gc = (globalThis as { gc?: () => void }).gc;
function heapMiB(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
}
const now = () => performance.now();
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

function populate(server: FakeApiServer, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    const ns = `ns-${i % 50}`;
    server.store.create('services', ns, {
      metadata: { name: `svc-${i}`, labels: { app: `app-${i}` } },
      spec: {
        type: 'LoadBalancer',
        selector: { app: `app-${i}` },
        ports: [
          { port: 80, protocol: 'TCP' },
          { port: 443, protocol: 'TCP' },
        ],
      },
    });
    for (let s = 0; s < SLICES; s++) {
      server.store.create('endpointslices.discovery.k8s.io', ns, {
        metadata: { name: `svc-${i}-${s}`, labels: { 'kubernetes.io/service-name': `svc-${i}` } },
        addressType: 'IPv4',
        endpoints: [
          {
            addresses: [`10.${s}.${(i >> 8) & 255}.${i & 255}`],
            nodeName: `node-${(i + s) % 20}`,
            conditions: { ready: true },
          },
          {
            addresses: [`10.${s + 20}.${(i >> 8) & 255}.${i & 255}`],
            nodeName: `node-${(i + s + 1) % 20}`,
            conditions: { ready: s % 3 !== 0, serving: true },
          },
        ],
        ports: [{ port: 8080, protocol: 'TCP' }],
      });
    }
  }
}

async function completeView(w: ClusterWatcher, services: number): Promise<void> {
  for (;;) {
    if (w.services().length >= services && w.endpointSlices().length >= services * SLICES) return;
    await wait(5);
  }
}

async function main(): Promise<void> {
  if (!json) {
    console.log(
      `k8s-adapter bench — ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}`,
    );
    console.log(
      `${SERVICES} Services × ${SLICES} EndpointSlices, in-process API server over HTTP${gc === undefined ? ' (no --expose-gc: memory figures are rough)' : ''}\n`,
    );
  }
  const server = await FakeApiServer.start({ historyLimit: SERVICES * (SLICES + 3) + 1000 });
  server.store.create('namespaces', undefined, { metadata: { name: NS } });
  server.store.create('ipaddresspools.metallb.io', NS, { metadata: { name: 'bulk' }, spec: { addresses: [POOL] } });

  // 1a. Objects exist; the watcher starts: initial list → typed view.
  populate(server, 0, SERVICES);
  const before = heapMiB();
  let t0 = now();
  const w = new ClusterWatcher(server.kubeConfig(), { namespace: NS });
  await w.start();
  await completeView(w, SERVICES);
  report('k8s.view', 'initial_sync_s', (now() - t0) / 1000, 's', SERVICES * (SLICES + 1));
  report('k8s.view', 'cache_heap', heapMiB() - before, 'MiB', SERVICES * (SLICES + 1));

  // 1b. The watcher runs; another 10% of the objects are created: creation → typed view over the watch.
  const extra = Math.max(1, Math.floor(SERVICES / 10));
  t0 = now();
  populate(server, SERVICES, SERVICES + extra);
  await completeView(w, SERVICES + extra);
  report('k8s.view', 'watch_create_to_view_s', (now() - t0) / 1000, 's', extra * (SLICES + 1));
  const total = SERVICES + extra;

  // 2. Allocate with the real allocator, write every status (16 in flight).
  const parsed = parseConfig(w.configInput(), { namespace: NS });
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join('\n'));
  const ipam = createAllocator({ config: toIpamConfig(parsed.config) });
  const namespaces = w.configInput().namespaces ?? [];
  const services = w.services() as Service[];
  const desired = new Map<string, { ips: string[]; pool: string }>();
  t0 = now();
  for (const s of services) {
    const m = mapService(s);
    if (!m.handled) continue;
    const r = ipam.allocate(toIpamRequest(m.request, namespaces));
    if (r.ok) desired.set(m.request.key, { ips: [...r.assignment.ips], pool: r.assignment.pool });
  }
  report('k8s.allocate', 'map_and_allocate_s', (now() - t0) / 1000, 's', desired.size);
  const writer = new ServiceStatusWriter(server.kubeConfig());
  const queue = [...services];
  t0 = now();
  let written = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let s = queue.pop(); s !== undefined; s = queue.pop()) {
        const key = `${s.metadata?.namespace}/${s.metadata?.name}`;
        const d = desired.get(key);
        if (d === undefined) continue;
        const r = await writer.write(s.metadata?.namespace ?? '', s.metadata?.name ?? '', d, s);
        if (r.outcome === 'written') written++;
      }
    }),
  );
  const writeS = (now() - t0) / 1000;
  report('k8s.status', 'write_all_s', writeS, 's', written);
  report('k8s.status', 'writes_per_s', written / writeS, '1/s', written);
  await w.stop();

  // 3. Restart: API server restarted (history lost), fresh watcher and allocator rebuilt from status.
  await server.restart({ downMs: 100, compact: true });
  t0 = now();
  const w2 = new ClusterWatcher(server.kubeConfig(), { namespace: NS });
  await w2.start();
  await completeView(w2, total);
  const ipam2 = createAllocator({ config: toIpamConfig(parsed.config) });
  const entries = [];
  for (const s of w2.services()) {
    const m = mapService(s as Service);
    if (m.handled) entries.push(toRestoreEntry(m.request, namespaces));
  }
  const results = ipam2.restore(entries);
  let changed = 0;
  for (const r of results) {
    const before = desired.get(r.key);
    if (!r.ok || before === undefined || r.assignment.ips.join(',') !== before.ips.join(',')) changed++;
  }
  report('k8s.restart', 'resync_and_restore_s', (now() - t0) / 1000, 's', results.length);
  report('k8s.restart', 'ips_changed', changed, 'count', results.length);
  await w2.stop();
  await server.stop();

  if (!json) {
    const width = Math.max(...rows.map((r) => `${r.bench} ${r.metric}`.length));
    for (const r of rows)
      console.log(
        `${`${r.bench} ${r.metric}`.padEnd(width)}  ${String(r.value).padStart(10)} ${r.unit.padEnd(5)} n=${r.n}`,
      );
  }
}

await main();
