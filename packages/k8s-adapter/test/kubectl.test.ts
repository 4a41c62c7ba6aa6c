// kubectl against the in-process API server: our CRD manifests and a MetalLB user's objects apply, and
// re-apply (strategic-merge and merge patches) as they would on a cluster.
import t from 'tap';
import { execFile, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { FakeApiServer } from '../src/testing/index.js';
import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { metallbCrds } from '../src/crds/manifests.js';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const hasKubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;

t.test(
  'kubectl apply',
  { skip: hasKubectl ? false : 'kubectl is not installed (Debian package kubernetes-client)' },
  async (t) => {
    const server = await FakeApiServer.start();
    t.teardown(() => server.stop());
    // Never a user's real cluster: no kubeconfig, explicit server.
    const kubectl = async (args: string[], input?: string) => {
      const child = run('kubectl', ['--server', server.url, ...args], {
        env: { ...process.env, KUBECONFIG: '/dev/null' },
      });
      if (input !== undefined) {
        child.child.stdin?.end(input);
      }
      return (await child).stdout;
    };
    const crds = join(here, '..', 'crds');
    const first = await kubectl(['apply', '--validate=false', '-f', crds]);
    t.equal(
      first
        .trim()
        .split('\n')
        .filter((l) => l.endsWith(' created')).length,
      9,
      'nine CRDs created',
    );
    const again = await kubectl(['apply', '--validate=false', '-f', crds]);
    t.equal(
      again
        .trim()
        .split('\n')
        .filter((l) => l.endsWith(' unchanged')).length,
      9,
      'second apply changes nothing',
    );
    t.match(await kubectl(['get', 'crd', '-o', 'name']), /ipaddresspools\.metallb\.io/);

    const sample = readFileSync(join(here, 'fixtures', 'metallb-sample.yaml'), 'utf8');
    await kubectl(['apply', '--validate=false', '-f', '-'], sample);
    const pool = JSON.parse(
      await kubectl(['get', 'ipaddresspools.metallb.io', 'public', '-n', 'metallb-system', '-o', 'json']),
    ) as { spec: Record<string, unknown> };
    t.same(
      pool.spec,
      { addresses: ['192.0.2.0/24', '2001:db8::/120'], autoAssign: true, avoidBuggyIPs: false },
      'defaults applied',
    );
    const changed = sample
      .replace('app: web\n  ports', 'app: web2\n  ports')
      .replace('metallb.universe.tf/address-pool', 'metallb.io/address-pool');
    const out = await kubectl(['apply', '--validate=false', '-f', '-'], changed);
    t.match(out, /service\/web configured/);
    const svc = JSON.parse(await kubectl(['get', 'service', 'web', '-n', 'default', '-o', 'json'])) as {
      metadata: { annotations: Record<string, string> };
      spec: { selector: Record<string, string> };
    };
    t.same(svc.spec.selector, { app: 'web2' });
    t.equal(svc.metadata.annotations['metallb.io/address-pool'], 'public');
    t.equal(svc.metadata.annotations['metallb.universe.tf/address-pool'], undefined, 'removed by the three-way merge');
    t.ok(
      server.requests.some((r) => r.method === 'PATCH' && r.contentType === 'application/strategic-merge-patch+json'),
      'kubectl sent a strategic merge patch',
    );

    const crd = metallbCrds().find((c) => c.spec.names.kind === 'Community')!;
    crd.metadata.name = 'widgets.metallb.io';
    crd.spec.names = {
      ...crd.spec.names,
      plural: 'widgets',
      singular: 'widget',
      kind: 'Widget',
      listKind: 'WidgetList',
    };
    const spec = crd.spec.versions[0]!.schema.openAPIV3Schema.properties!['spec']!;
    spec.properties!['extra'] = { description: 'no type' };
    const broken = stringify(crd);
    await t.rejects(
      kubectl(['apply', '--validate=false', '-f', '-'], broken),
      /invalid/,
      'a non-structural CRD is refused',
    );
  },
);
