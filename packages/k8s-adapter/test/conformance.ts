/**
 * Behaviours the adapter relies on, run against any API server: the in-process one by default, a real
 * kube-apiserver in the opt-in tier. Each check states what a real server does.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import {
  ApiextensionsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
} from '@kubernetes/client-node';
import { realClock } from '@lbkit/core';
import { metallbCrds } from '../src/crds/manifests.js';
import { ClusterWatcher } from '../src/io/cluster-watcher.js';
import { EventRecorder } from '../src/io/event-recorder.js';
import { createLeaseStore } from '../src/io/lease-store.js';
import { ServiceStatusWriter } from '../src/io/service-status-writer.js';
import { StatusObjectWriter } from '../src/io/status-objects.js';
import { LeaseElector } from '../src/election/lease-elector.js';
import type { Service } from '../src/api/core.js';
import { eventually } from './wait.js';
import type { Test } from 'tap';

type T = Test;

/**
 * POSTs `body` as-is. The typed `createCustomResourceDefinition` is no use for our manifests: its
 * serializer maps model fields by their TypeScript names (`_default`, `_enum`,
 * `x_kubernetes_preserve_unknown_fields`), so a plain manifest loses `default`, `enum` and every
 * `x-kubernetes-*` key on the way out, and a real server then stores a CRD without defaults.
 */
async function postRaw(kc: KubeConfig, path: string, body: unknown): Promise<{ status: number; text: string }> {
  const server = kc.getCurrentCluster()?.server;
  if (server === undefined) throw new Error('kubeconfig has no current cluster');
  const url = new URL(path, server);
  const options: https.RequestOptions = {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
  };
  await kc.applyToHTTPSOptions(options);
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = (url.protocol === 'https:' ? https : http).request(url, options, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** Installs our CRDs unless the server already serves them; waits until they are established. */
export async function installCrds(kc: KubeConfig): Promise<void> {
  const ext = kc.makeApiClient(ApiextensionsV1Api);
  for (const crd of metallbCrds()) {
    const r = await postRaw(kc, '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
    if (r.status !== 201 && r.status !== 409) {
      throw new Error(`creating CRD ${crd.metadata.name}: HTTP ${r.status} ${r.text}`);
    }
  }
  await eventually(
    async () => {
      const list = await ext.listCustomResourceDefinition();
      const names = new Set(metallbCrds().map((c) => c.metadata.name));
      const established = list.items.filter(
        (c) =>
          names.has(c.metadata?.name ?? '') &&
          c.status?.conditions?.some((x) => x.type === 'Established' && x.status === 'True'),
      );
      return established.length === names.size;
    },
    'CRDs established',
    60_000,
  );
}

/** Runs the checks in namespace-scoped isolation (`suffix` keeps runs apart on a shared server). */
export async function conformance(t: T, kc: KubeConfig, suffix: string): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const ns = `lbkit-${suffix}`;
  const mns = `lbkit-system-${suffix}`;
  for (const name of [ns, mns]) await core.createNamespace({ body: { metadata: { name } } });

  // Service status: merge patch through /status keeps metadata (the pool annotation) and ignores spec.
  const svc = (await core.createNamespacedService({
    namespace: ns,
    body: { metadata: { name: 'web' }, spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }] } },
  })) as Service;
  t.ok(svc.spec?.clusterIP, 'cluster IP allocated');
  const writer = new ServiceStatusWriter(kc, { retryDelayMs: 10 });
  const w1 = await writer.write(ns, 'web', { ips: ['192.0.2.10'], pool: 'public' }, svc);
  t.equal(w1.outcome, 'written');
  const after = (await core.readNamespacedService({ namespace: ns, name: 'web' })) as Service;
  t.same(
    after.status?.loadBalancer?.ingress?.map((i) => i.ip),
    ['192.0.2.10'],
    'ingress written',
  );
  t.equal(after.metadata?.annotations?.['metallb.io/ip-allocated-from-pool'], 'public', 'annotation written');
  // A stale resource version is a conflict, and the writer recovers from it.
  await t.rejects(
    core.patchNamespacedServiceStatus(
      {
        namespace: ns,
        name: 'web',
        body: { metadata: { resourceVersion: svc.metadata?.resourceVersion }, status: { loadBalancer: {} } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    ),
    { code: 409 },
    'stale resource version',
  );
  const w2 = await writer.write(ns, 'web', { ips: ['192.0.2.11'], pool: 'public' }, svc);
  t.equal(w2.outcome, 'written', 'written after a conflict');
  t.equal((await writer.write(ns, 'web', { ips: ['192.0.2.11'], pool: 'public' })).outcome, 'unchanged');

  // Custom resources: defaults, pruning, status subresource, BGPPeer served in both versions.
  const pool = (await custom.createNamespacedCustomObject({
    group: 'metallb.io',
    version: 'v1beta1',
    namespace: mns,
    plural: 'ipaddresspools',
    body: {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'IPAddressPool',
      metadata: { name: 'public' },
      spec: { addresses: ['192.0.2.0/24'], unknownField: 1 },
    },
  })) as { spec: Record<string, unknown> };
  t.same(pool.spec, { addresses: ['192.0.2.0/24'], autoAssign: true, avoidBuggyIPs: false }, 'defaults and pruning');
  const so = new StatusObjectWriter(kc, { namespace: mns, node: 'n1' });
  t.equal(
    await so.writePoolStatus('public', { assignedIPv4: 1, assignedIPv6: 0, availableIPv4: 255, availableIPv6: 0 }),
    'updated',
  );
  t.equal(await so.announceL2({ namespace: ns, name: 'web' }, ['eth0']), 'created');
  t.equal(await so.setBgp({ namespace: ns, name: 'web' }, ['b', 'a']), 'created');
  t.equal(await so.writeConfigurationState({ result: 'Valid', errorSummary: '', conditions: [] }), 'created');
  await custom.createNamespacedCustomObject({
    group: 'metallb.io',
    version: 'v1beta1',
    namespace: mns,
    plural: 'bgppeers',
    body: {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'BGPPeer',
      metadata: { name: 'old' },
      spec: { myASN: 64512, peerASN: 64513, peerAddress: '192.0.2.1' },
    },
  });
  const v2 = (await custom.getNamespacedCustomObject({
    group: 'metallb.io',
    version: 'v1beta2',
    namespace: mns,
    plural: 'bgppeers',
    name: 'old',
  })) as { apiVersion: string };
  t.equal(v2.apiVersion, 'metallb.io/v1beta2');

  // Watches: the typed view syncs and follows changes.
  const watcher = new ClusterWatcher(kc, { namespace: mns, statusObjects: true });
  await watcher.start();
  try {
    t.equal(watcher.configInput().ipAddressPools?.length, 1);
    t.equal(watcher.configInput().bgpPeers?.length, 1);
    await core.createNamespacedService({
      namespace: ns,
      body: { metadata: { name: 'late' }, spec: { type: 'LoadBalancer', ports: [{ port: 81, protocol: 'TCP' }] } },
    });
    await eventually(() => watcher.service(ns, 'late') !== undefined, 'watch delivers a new Service');
    t.equal(watcher.l2Statuses().filter((s) => s.status?.serviceName === 'web').length, 1);
  } finally {
    await watcher.stop();
  }

  // Events and the Lease.
  const rec = new EventRecorder(kc, { component: 'metallb-controller' });
  await rec.record(
    { kind: 'Service', apiVersion: 'v1', metadata: { name: 'web', namespace: ns, uid: after.metadata?.uid ?? '' } },
    'Normal',
    'IPAllocated',
    'Assigned IP ["192.0.2.11"]',
  );
  await rec.record(
    { kind: 'Service', apiVersion: 'v1', metadata: { name: 'web', namespace: ns, uid: after.metadata?.uid ?? '' } },
    'Normal',
    'IPAllocated',
    'Assigned IP ["192.0.2.11"]',
  );
  const events = await core.listNamespacedEvent({ namespace: ns });
  const ours = events.items.filter((e) => e.reason === 'IPAllocated');
  t.equal(ours.length, 1, 'one aggregated event');
  t.equal(ours[0]?.count, 2);
  const elector = new LeaseElector(
    { identity: 'pod-a', leaseDurationMs: 2000, renewDeadlineMs: 1500, retryPeriodMs: 200 },
    { clock: realClock, store: createLeaseStore(kc, mns, 'lbkit') },
  );
  await elector.start();
  try {
    await eventually(() => elector.isLeader(), 'leader on a fresh Lease');
  } finally {
    await elector.stop();
  }
}
