// Pool counters and the controller's ConfigurationState, written to an API server (the adapter's in-process
// one through the real client) from a real reconcile.
import t from 'tap';
import { realClock, silentLogger } from '@lbkit/core';
import type { IPAddressPool } from '@lbkit/k8s-adapter';
import { FakeApiServer } from '@lbkit/k8s-adapter/testing';
import { Controller } from '../../src/controller/controller.js';
import { ControllerStatusSync } from '../../src/controller/status-sync.js';
import { emptyObjectSet } from '../../src/objects/object-set.js';

const NS = 'metallb-system';

t.test('pool counters and ConfigurationState follow the allocations, written only when changed', async (t) => {
  const server = await FakeApiServer.start();
  t.teardown(() => server.stop());
  const s = server.store;
  s.create('namespaces', undefined, { metadata: { name: NS } });
  s.create('ipaddresspools.metallb.io', NS, {
    metadata: { name: 'v4' },
    spec: { addresses: ['192.0.2.0/29'] },
  });
  s.create('ipaddresspools.metallb.io', NS, {
    metadata: { name: 'v6' },
    spec: { addresses: ['2001:db8::/120'] },
  });
  const pools = () => s.list('ipaddresspools.metallb.io', { namespace: NS }).items as unknown as IPAddressPool[];
  const svc = (name: string, family: 'IPv4' | 'IPv6') => ({
    metadata: { name, namespace: 'shop' },
    spec: {
      type: 'LoadBalancer',
      clusterIPs: [family === 'IPv4' ? '10.96.0.1' : 'fd00::1'],
      ipFamilies: [family],
      ports: [{ port: 80, protocol: 'TCP' }],
    },
  });
  const controller = new Controller(
    { namespace: NS, loadBalancerClass: '' },
    { clock: realClock, logger: silentLogger },
  );
  const sync = new ControllerStatusSync(server.kubeConfig(), { namespace: NS }, { logger: silentLogger });
  const pass = (services: ReturnType<typeof svc>[], extraPools: IPAddressPool[] = []) => {
    const out = controller.reconcile({
      ...emptyObjectSet(),
      config: { ipAddressPools: [...pools(), ...extraPools] },
      services,
    });
    return sync.sync(out.config, out.counts, pools());
  };

  t.equal(await pass([svc('a', 'IPv4'), svc('b', 'IPv4'), svc('c', 'IPv6')]), 3, 'state and both pools written');
  const byName = new Map(pools().map((p) => [p.metadata?.name, p.status]));
  t.same(byName.get('v4'), { assignedIPv4: 2, assignedIPv6: 0, availableIPv4: 6, availableIPv6: 0 });
  t.same(byName.get('v6'), { assignedIPv4: 0, assignedIPv6: 1, availableIPv4: 0, availableIPv6: 255 });
  const state = s.get('configurationstates.metallb.io', NS, 'controller') as {
    metadata?: { labels?: Record<string, string> };
    status?: { result?: string };
  };
  t.equal(state.status?.result, 'Valid');
  t.equal(state.metadata?.labels?.['metallb.io/component-type'], 'controller');

  t.equal(await pass([svc('a', 'IPv4'), svc('b', 'IPv4'), svc('c', 'IPv6')]), 0, 'nothing changed, nothing written');
  t.equal(await pass([svc('a', 'IPv4'), svc('c', 'IPv6')]), 1, 'a release rewrites only its pool');
  t.equal(
    (s.get('ipaddresspools.metallb.io', NS, 'v4') as unknown as IPAddressPool).status?.assignedIPv4,
    1,
    'the counter follows',
  );

  const bad: IPAddressPool = { metadata: { name: 'bad', namespace: NS }, spec: { addresses: ['192.0.2.0/33'] } };
  t.equal(await pass([svc('a', 'IPv4'), svc('c', 'IPv6')], [bad]), 1, 'an invalid configuration: the state only');
  const invalid = s.get('configurationstates.metallb.io', NS, 'controller') as {
    status?: { result?: string; errorSummary?: string };
  };
  t.equal(invalid.status?.result, 'Invalid');
  t.match(invalid.status?.errorSummary ?? '', /bad/, 'naming the object');
  t.equal(
    (s.get('ipaddresspools.metallb.io', NS, 'v4') as unknown as IPAddressPool).status?.assignedIPv4,
    1,
    'the counters of the configuration in force stay',
  );
});
