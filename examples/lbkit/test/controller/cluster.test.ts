// The controller against a Kubernetes API server (the adapter's in-process one, spoken to by the real
// @kubernetes/client-node): two replicas, one Lease, Services get addresses, a replica's exit hands over
// without moving any address.
import t from 'tap';
import { ApiextensionsV1Api, CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { silentLogger } from '@lbkit/core';
import { metallbCrds, type Service } from '@lbkit/k8s-adapter';
import { FakeApiServer } from '@lbkit/k8s-adapter/testing';
import { ClusterController } from '../../src/controller/cluster.js';
import { eventually } from '../wait.js';

async function seed(kc: KubeConfig): Promise<void> {
  const ext = kc.makeApiClient(ApiextensionsV1Api);
  for (const crd of metallbCrds()) await ext.createCustomResourceDefinition({ body: crd as never });
  const core = kc.makeApiClient(CoreV1Api);
  for (const name of ['metallb-system', 'shop']) await core.createNamespace({ body: { metadata: { name } } });
  const custom = kc.makeApiClient(CustomObjectsApi);
  await eventually('CRDs served', async () =>
    (await custom.listNamespacedCustomObject({
      group: 'metallb.io',
      version: 'v1beta1',
      namespace: 'metallb-system',
      plural: 'ipaddresspools',
    }))
      ? true
      : undefined,
  );
  await custom.createNamespacedCustomObject({
    group: 'metallb.io',
    version: 'v1beta1',
    namespace: 'metallb-system',
    plural: 'ipaddresspools',
    body: {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'IPAddressPool',
      metadata: { name: 'public' },
      spec: { addresses: ['192.0.2.10-192.0.2.20'] },
    },
  });
}

const lbService = (name: string) => ({
  metadata: { name },
  spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }] },
});

t.test('two replicas: one leader allocates, a handover keeps every address', async (t) => {
  const server = await FakeApiServer.start();
  t.teardown(() => server.stop());
  const kc = server.kubeConfig();
  await seed(kc);
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespacedService({ namespace: 'shop', body: lbService('web') });

  const a = new ClusterController(
    kc,
    { namespace: 'metallb-system', loadBalancerClass: '', identity: 'a' },
    { logger: silentLogger },
  );
  const b = new ClusterController(
    kc,
    { namespace: 'metallb-system', loadBalancerClass: '', identity: 'b' },
    { logger: silentLogger },
  );
  await a.start();
  await b.start();
  t.teardown(async () => {
    await a.stop();
    await b.stop();
  });

  const ipOf = async (name: string): Promise<string | undefined> => {
    const svc = (await core.readNamespacedService({ namespace: 'shop', name })) as Service;
    return svc.status?.loadBalancer?.ingress?.[0]?.ip;
  };
  const first = await eventually('web allocated', () => ipOf('web'));
  t.match(first, /^192\.0\.2\.(1\d|20)$/);
  const web = (await core.readNamespacedService({ namespace: 'shop', name: 'web' })) as Service;
  t.equal(web.metadata?.annotations?.['metallb.io/ip-allocated-from-pool'], 'public');
  t.equal([a.leader, b.leader].filter(Boolean).length, 1, 'exactly one leader');
  const custom = kc.makeApiClient(CustomObjectsApi);
  const poolStatus = async () =>
    (
      (await custom.getNamespacedCustomObject({
        group: 'metallb.io',
        version: 'v1beta1',
        namespace: 'metallb-system',
        plural: 'ipaddresspools',
        name: 'public',
      })) as { status?: { assignedIPv4?: number; availableIPv4?: number } }
    ).status;
  t.same(
    await eventually('pool counters', async () =>
      (await poolStatus())?.assignedIPv4 === 1 ? poolStatus() : undefined,
    ),
    { assignedIPv4: 1, assignedIPv6: 0, availableIPv4: 10, availableIPv6: 0 },
    'the leader writes the pool counters',
  );
  const state = (await custom.getNamespacedCustomObject({
    group: 'metallb.io',
    version: 'v1beta1',
    namespace: 'metallb-system',
    plural: 'configurationstates',
    name: 'controller',
  })) as { status?: { result?: string } };
  t.equal(state.status?.result, 'Valid', 'and its ConfigurationState');

  const [leader, follower] = a.leader ? [a, b] : [b, a];
  await leader.stop();
  await eventually('follower takes the lease', async () => (follower.leader ? true : undefined), 30_000);
  await core.createNamespacedService({ namespace: 'shop', body: lbService('api') });
  const second = await eventually('api allocated by the new leader', () => ipOf('api'));
  t.not(second, first, 'a different address for the new Service');
  t.equal(await ipOf('web'), first, 'the handover moved no address');
  await eventually('counters after the handover', async () =>
    (await poolStatus())?.assignedIPv4 === 2 ? true : undefined,
  );
  t.pass('the new leader keeps the counters up to date');
});
