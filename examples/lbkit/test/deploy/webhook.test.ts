// The webhook's deployment objects against the code: the configuration registers exactly the server's
// routes with their kinds, versions and operations; the Service reaches the controller's webhook port; the
// names are the binary's defaults; and the controller's RBAC allows every request certificate rotation
// makes (recorded from a real run against the in-process API server), and nothing broader than needed.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { AdmissionregistrationV1Api, CoreV1Api } from '@kubernetes/client-node';
import { silentLogger } from '@lbkit/core';
import { FakeApiServer } from '@lbkit/k8s-adapter/testing';
import { CertRotator, WEBHOOK_NAMES } from '../../src/webhook/io/rotator.js';
import { WEBHOOK_PORT } from '../../src/webhook/io/server.js';
import { WEBHOOK_ROUTES } from '../../src/webhook/routes.js';
import { MANIFEST, NS, shipped, VWC_RESOURCE } from '../webhook/helpers.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const objects: Obj[] = parseAllDocuments(readFileSync(MANIFEST, 'utf8'))
  .map((d) => d.toJS() as Obj | null)
  .filter((o): o is Obj => o !== null);
const find = (kind: string, name: string): Obj => {
  const o = objects.find((x) => x.kind === kind && x.metadata?.name === name);
  if (o === undefined) throw new Error(`no ${kind} ${name}`);
  return o;
};
const templates = fileURLToPath(new URL('../../../../deploy/helm/lbkit/templates/', import.meta.url));

t.test('the ValidatingWebhookConfiguration registers exactly the served routes', async (t) => {
  const vwc = find('ValidatingWebhookConfiguration', WEBHOOK_NAMES.configuration);
  const hooks = vwc.webhooks as Obj[];
  const registered = WEBHOOK_ROUTES.filter((r) => r.registered);
  t.same(hooks.map((h) => h.clientConfig.service.path).sort(), registered.map((r) => r.path).sort(), 'paths');
  const names = new Set<string>();
  for (const h of hooks) {
    const route = registered.find((r) => r.path === h.clientConfig.service.path);
    const where = String(h.name);
    t.ok(route, `${where}: a served path`);
    if (route === undefined) continue;
    t.match(h.name, /^[a-z0-9-]+(\.[a-z0-9-]+){2,}$/, `${where}: a qualified name`);
    t.notOk(names.has(h.name), `${where}: unique`);
    names.add(h.name);
    t.same(h.admissionReviewVersions, ['v1'], `${where}: AdmissionReview v1`);
    t.equal(h.sideEffects, 'None', `${where}: no side effects (dry runs are judged too)`);
    t.equal(h.failurePolicy, 'Fail', `${where}: fail closed`);
    t.equal(h.matchPolicy, 'Equivalent', `${where}: other versions of the kind are sent too`);
    t.ok(h.timeoutSeconds >= 1 && h.timeoutSeconds <= 30, `${where}: timeout`);
    t.equal(h.clientConfig.service.name, WEBHOOK_NAMES.service);
    t.equal(h.clientConfig.service.namespace, NS);
    t.equal(h.clientConfig.caBundle, undefined, `${where}: caBundle is left to the controller`);
    t.same(h.rules, [
      {
        apiGroups: ['metallb.io'],
        apiVersions: [route.version],
        operations: [...route.operations],
        resources: [route.resource],
        scope: 'Namespaced',
      },
    ]);
  }
});

t.test('the webhook Service reaches the controller pods on the webhook port', async (t) => {
  const svc = find('Service', WEBHOOK_NAMES.service);
  const vwc = find('ValidatingWebhookConfiguration', WEBHOOK_NAMES.configuration);
  const deploy = find('Deployment', 'lbkit-controller');
  const labels = deploy.spec.template.metadata.labels as Record<string, string>;
  for (const [k, v] of Object.entries(svc.spec.selector as Record<string, string>))
    t.equal(labels[k], v, `selector ${k} matches the controller pods`);
  const port = (svc.spec.ports as Obj[]).find((p) => p.port === (vwc.webhooks as Obj[])[0]?.clientConfig.service.port);
  t.ok(port, 'the configuration names a port of the Service');
  const container = (deploy.spec.template.spec.containers as Obj[])[0] ?? {};
  const target = (container.ports as Obj[]).find((p) => p.name === port?.targetPort);
  t.equal(target?.containerPort, WEBHOOK_PORT, 'which targets the port the binary listens on by default');
  t.notOk(
    (container.args as string[]).some((a) => a.startsWith('--webhook-mode') || a.startsWith('--disable-cert-rotation')),
    'the controller runs with the webhook and rotation on (the defaults)',
  );
  const secret = find('Secret', WEBHOOK_NAMES.secret);
  t.equal(secret.data, undefined, 'the Secret is shipped empty');
});

/** The RBAC attributes of an API request path. */
function attributes(
  method: string,
  path: string,
): { verb: string; group: string; resource: string; namespace?: string; name?: string } {
  const verb = { GET: 'get', PUT: 'update', POST: 'create', PATCH: 'patch', DELETE: 'delete' }[method] ?? method;
  const core = /^\/api\/v1\/(?:namespaces\/([^/]+)\/)?([^/]+)(?:\/([^/]+))?$/.exec(path);
  if (core !== null)
    return {
      verb,
      group: '',
      resource: core[2] ?? '',
      ...(core[1] ? { namespace: core[1] } : {}),
      ...(core[3] ? { name: core[3] } : {}),
    };
  const grouped = /^\/apis\/([^/]+)\/[^/]+\/(?:namespaces\/([^/]+)\/)?([^/]+)(?:\/([^/]+))?$/.exec(path);
  if (grouped === null) throw new Error(`unexpected request path ${path}`);
  return {
    verb,
    group: grouped[1] ?? '',
    resource: grouped[3] ?? '',
    ...(grouped[2] ? { namespace: grouped[2] } : {}),
    ...(grouped[4] ? { name: grouped[4] } : {}),
  };
}

/** Whether a role's rules allow a request, with Kubernetes' resourceNames semantics. */
function allows(role: Obj, a: ReturnType<typeof attributes>): boolean {
  return (role.rules as Obj[]).some(
    (r) =>
      (r.apiGroups as string[]).includes(a.group) &&
      (r.resources as string[]).includes(a.resource) &&
      (r.verbs as string[]).includes(a.verb) &&
      (r.resourceNames === undefined || (a.name !== undefined && (r.resourceNames as string[]).includes(a.name))),
  );
}

t.test('the controller’s RBAC allows every request certificate rotation makes', async (t) => {
  const server = await FakeApiServer.start({ resources: [VWC_RESOURCE] });
  t.teardown(() => server.stop());
  const kc = server.kubeConfig();
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: NS } } });
  await core.createNamespacedSecret({ namespace: NS, body: shipped('Secret', WEBHOOK_NAMES.secret) as never });
  await kc.makeApiClient(AdmissionregistrationV1Api).createValidatingWebhookConfiguration({
    body: shipped('ValidatingWebhookConfiguration', WEBHOOK_NAMES.configuration) as never,
  });
  server.clearRequests();
  let now = new Date(Date.now() - 300 * 24 * 3600 * 1000);
  const rotator = new CertRotator({ namespace: NS }, { kc, logger: silentLogger, now: () => now });
  await rotator.check(); // fills the shipped Secret, writes caBundle
  now = new Date();
  await rotator.check(); // renews the serving certificate
  rotator.stop();
  const requests = server.requests.map((r) => ({ ...attributes(r.method, r.path), status: r.status }));
  t.ok(requests.length >= 4, `${requests.length} requests recorded`);
  t.same(
    [...new Set(requests.map((r) => `${r.verb} ${r.group || 'core'}/${r.resource}/${r.name ?? ''}`))].sort(),
    [
      'get admissionregistration.k8s.io/validatingwebhookconfigurations/lbkit-webhook-configuration',
      'get core/secrets/lbkit-webhook-cert',
      'update admissionregistration.k8s.io/validatingwebhookconfigurations/lbkit-webhook-configuration',
      'update core/secrets/lbkit-webhook-cert',
    ],
    'reads and writes of one Secret and one configuration, by name',
  );
  const role = find('Role', 'lbkit-controller');
  const clusterRole = find('ClusterRole', 'lbkit-controller');
  for (const r of requests) {
    const rules = r.namespace === undefined ? clusterRole : role;
    t.ok(allows(rules, r), `${r.verb} ${r.resource}/${r.name ?? ''} allowed by the ${String(rules.kind)}`);
  }
  // Least privilege: the new grants are limited to the named objects.
  t.notOk(
    allows(clusterRole, {
      verb: 'update',
      group: 'admissionregistration.k8s.io',
      resource: 'validatingwebhookconfigurations',
      name: 'someone-else',
    }),
  );
  t.notOk(allows(role, { verb: 'update', group: '', resource: 'secrets', name: 'memberlist' }));
  t.notOk(
    allows(clusterRole, {
      verb: 'list',
      group: 'admissionregistration.k8s.io',
      resource: 'validatingwebhookconfigurations',
    }),
  );
});

t.test('the Helm chart carries the same webhook objects, paths and rules', async (t) => {
  const hook = readFileSync(join(templates, 'webhook.yaml'), 'utf8');
  for (const r of WEBHOOK_ROUTES.filter((x) => x.registered)) {
    t.ok(hook.includes(`path: ${r.path}\n`), `${r.path} registered`);
    t.ok(hook.includes(`resources: [${r.resource}]`), `${r.resource} rule`);
  }
  t.equal(
    (hook.match(/^ {2}- name: /gm) ?? []).length,
    WEBHOOK_ROUTES.filter((x) => x.registered).length,
    'one webhook per route',
  );
  t.match(hook, /cert-manager\.io\/inject-ca-from/, 'cert-manager CA injection when rotation is off');
  const rbac = readFileSync(join(templates, 'rbac-controller.yaml'), 'utf8');
  t.match(
    rbac,
    /resources: \[validatingwebhookconfigurations\]\n\s+resourceNames: \[\{\{ \.Release\.Name \}\}-webhook-configuration\]\n\s+verbs: \[get, update\]/,
  );
  t.match(
    rbac,
    /resources: \[secrets\]\n\s+resourceNames: \[\{\{ \.Values\.webhook\.certSecretName \}\}\]\n\s+verbs: \[update\]/,
  );
  const ctl = readFileSync(join(templates, 'controller.yaml'), 'utf8');
  t.match(ctl, /- --webhook-mode=disabled/);
  t.match(ctl, /- --disable-cert-rotation/);
  t.match(ctl, /name: webhook\n\s+containerPort: \{\{ \.Values\.webhook\.port \}\}/);
});
