import t from 'tap';
import { mkdtempSync, readFileSync, rmSync, copyFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CapturingLogger } from '@lbkit/core';
import { parse, stringify } from 'yaml';
import { StandaloneController } from '../../src/controller/standalone.js';
import { createMetrics } from '../../src/ops/metrics.js';

const fx = (name: string): string => fileURLToPath(new URL(`../fixtures/basic/${name}`, import.meta.url));

function setup(t: { teardown(fn: () => void): void }): {
  dir: string;
  state: string;
  config: string;
  services: string;
} {
  const dir = mkdtempSync(join(tmpdir(), 'lbkit-ctl-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const config = join(dir, 'config.yaml');
  const services = join(dir, 'services.yaml');
  copyFileSync(fx('config.yaml'), config);
  copyFileSync(fx('services.yaml'), services);
  return { dir, state: join(dir, 'state.json'), config, services };
}

const readState = (p: string): { services: Record<string, { ips: string[]; pool: string }> } =>
  JSON.parse(readFileSync(p, 'utf8'));

t.test('allocates every LoadBalancer Service and writes the state file; a second pass changes nothing', async (t) => {
  const f = setup(t);
  const log = new CapturingLogger();
  const metrics = createMetrics({ processMetrics: false });
  const ctl = new StandaloneController(
    { namespace: 'metallb-system', loadBalancerClass: '', files: [f.config, f.services], stateFile: f.state },
    { logger: log, metrics },
  );
  t.equal(ctl.pass(), 3);
  t.ok(ctl.ready);
  const s = readState(f.state).services;
  t.same(Object.keys(s).sort(), ['default/dual', 'default/web', 'team-a/api']);
  t.equal(s['team-a/api']?.pool, 'team-a');
  t.match(s['default/dual']?.ips, [/^192\.0\.2\./, /^2001:db8::1[0-2]$/]);
  t.equal(ctl.pass(), 0, 'idempotent');
  t.ok(log.find('service status written').length === 3);
  t.match(await metrics.registry.metrics(), /metallb_allocator_addresses_in_use_total\{pool="public"\} 3/);
  t.match(await metrics.registry.metrics(), /metallb_k8s_client_config_loaded_bool 1/);
});

t.test('a restarted controller keeps every address; a bad config change keeps the last good one', async (t) => {
  const f = setup(t);
  const log = new CapturingLogger();
  const first = new StandaloneController(
    { namespace: 'metallb-system', loadBalancerClass: '', files: [f.config, f.services], stateFile: f.state },
    { logger: log },
  );
  first.pass();
  const before = readState(f.state);
  // Reverse the Services in the file: a naive controller would hand out addresses in a different order.
  const list = parse(readFileSync(f.services, 'utf8')) as { items: unknown[] };
  list.items.reverse();
  writeFileSync(f.services, stringify(list));
  const second = new StandaloneController(
    { namespace: 'metallb-system', loadBalancerClass: '', files: [f.config, f.services], stateFile: f.state },
    { logger: log },
  );
  t.equal(second.pass(), 0, 'restart changes no IP');
  t.same(readState(f.state), before);

  copyFileSync(fx('bad-config.yaml'), f.config);
  const metrics = createMetrics({ processMetrics: false });
  const third = new StandaloneController(
    { namespace: 'metallb-system', loadBalancerClass: '', files: [f.config, f.services], stateFile: f.state },
    { logger: log, metrics },
  );
  t.equal(third.pass(), 0, 'an invalid first configuration touches no Service');
  t.equal(third.ready, false);
  t.same(readState(f.state), before);
  t.ok(log.find('spec.addresses[0]', 'error').length > 0, 'the error names the field');
});
