import t from 'tap';
import { OpsServer, configCheck } from '../../src/ops/health.js';
import { createMetrics } from '../../src/ops/metrics.js';

t.test('healthz, readyz with reasons, and metrics with MetalLB names', async (t) => {
  const metrics = createMetrics({ processMetrics: false });
  let joined = false;
  const server = new OpsServer({
    host: '127.0.0.1',
    port: 0,
    registry: metrics.registry,
    checks: [
      { name: 'config', check: () => ({ ok: true, reason: 'configuration loaded' }) },
      {
        name: 'memberlist',
        check: () => (joined ? { ok: true, reason: '3 members' } : { ok: false, reason: 'not joined yet' }),
      },
    ],
  });
  const port = await server.start();
  t.teardown(() => server.stop());
  const get = async (path: string): Promise<{ status: number; body: string }> => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`);
    return { status: res.status, body: await res.text() };
  };
  t.same(await get('/healthz'), { status: 200, body: 'ok\n' });
  const notReady = await get('/readyz');
  t.equal(notReady.status, 503);
  t.match(notReady.body, /\[-\] memberlist: not joined yet/);
  joined = true;
  const ready = await get('/readyz');
  t.equal(ready.status, 200);
  t.match(ready.body, /\[\+\] config: configuration loaded/);
  metrics.allocator.addressesTotal.set({ pool: 'default' }, 256);
  metrics.speaker.announced.set({ service: 'default/web', protocol: 'layer2', node: 'n1', ip: '192.0.2.10' }, 1);
  metrics.lbkit.failoverSeconds.observe({ service: 'default/web', reason: 'fast-takeover' }, 0.12);
  const m = await get('/metrics');
  t.equal(m.status, 200);
  t.match(m.body, /metallb_allocator_addresses_total\{pool="default"\} 256/);
  t.match(m.body, /# HELP metallb_speaker_announced Services being announced from this node\./);
  t.match(m.body, /metallb_speaker_announced\{service="default\/web",protocol="layer2",node="n1",ip="192.0.2.10"\} 1/);
  t.match(
    m.body,
    /lbkit_failover_duration_seconds_bucket\{le="0.15",service="default\/web",reason="fast-takeover"\} 1/,
  );
  t.equal((await get('/nope')).status, 404);
});

t.test('the config check: not ready without a configuration; says when the last good one is in force', async (t) => {
  const state = { loaded: false, stale: false };
  const c = configCheck(() => state);
  t.equal(c.name, 'config');
  t.same(c.check(), { ok: false, reason: 'no valid configuration yet' });
  state.loaded = true;
  t.same(c.check(), { ok: true, reason: 'configuration loaded' });
  state.stale = true;
  t.match(c.check(), { ok: true, reason: /last good one is in force/ });
});
