import t from 'tap';
import { ManualClock } from '@lbkit/core';
import { EventRecorder } from '../../src/io/event-recorder.js';
import { FakeApiServer } from '../../src/testing/index.js';
import type { CoreEvent } from '../../src/api/core.js';

t.test('events carry MetalLB reasons; repeats are aggregated', async (t) => {
  const server = await FakeApiServer.start();
  t.teardown(() => server.stop());
  const clock = new ManualClock({ wallTime: Date.UTC(2026, 0, 1) });
  const rec = new EventRecorder(
    server.kubeConfig(),
    { component: 'metallb-controller', aggregationWindowMs: 60_000 },
    { clock },
  );
  const svc = { kind: 'Service', apiVersion: 'v1', metadata: { name: 'web', namespace: 'default', uid: 'u1' } };
  await rec.record(svc, 'Normal', 'IPAllocated', 'Assigned IP ["192.0.2.10"]');
  clock.advance(1000);
  await rec.record(svc, 'Normal', 'IPAllocated', 'Assigned IP ["192.0.2.10"]');
  await rec.record(svc, 'Warning', 'AllocationFailed', 'no available IPs');
  clock.advance(61_000);
  await rec.record(svc, 'Warning', 'AllocationFailed', 'no available IPs');
  const events = server.store.list('events', { namespace: 'default' }).items as unknown as CoreEvent[];
  const summary = events
    .map((e) => [e.reason, e.type, e.count, e.source?.component, e.involvedObject.name, e.involvedObject.kind])
    .sort();
  t.same(summary, [
    ['AllocationFailed', 'Warning', 1, 'metallb-controller', 'web', 'Service'],
    ['AllocationFailed', 'Warning', 1, 'metallb-controller', 'web', 'Service'],
    ['IPAllocated', 'Normal', 2, 'metallb-controller', 'web', 'Service'],
  ]);
  const allocated = events.find((e) => e.reason === 'IPAllocated')!;
  t.equal(allocated.message, 'Assigned IP ["192.0.2.10"]');
  t.equal(allocated.firstTimestamp, '2026-01-01T00:00:00Z');
  t.equal(allocated.lastTimestamp, '2026-01-01T00:00:01Z');
});

t.test('a failing server does not throw', async (t) => {
  const server = await FakeApiServer.start();
  t.teardown(() => server.stop());
  server.injectFault({ code: 500, times: 1 });
  const rec = new EventRecorder(server.kubeConfig(), { component: 'metallb-speaker', host: 'n1' });
  await rec.record(
    { metadata: { name: 'web', namespace: 'default' } },
    'Normal',
    'nodeAssigned',
    'announcing from node "n1" with protocol "layer2"',
  );
  t.equal(server.store.count('events'), 0);
});
