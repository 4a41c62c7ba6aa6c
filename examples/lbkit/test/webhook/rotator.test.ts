// Certificate rotation against an API server (the adapter's in-process one, holding the shipped
// ValidatingWebhookConfiguration from deploy/manifests/lbkit.yaml): the controller fills the Secret, writes
// caBundle, serves the certificate; a TLS client trusting only that caBundle, for the Service's DNS name,
// reaches every replica, across a serving-certificate renewal and a CA rotation.
import t, { type Test } from 'tap';
import { X509Certificate } from 'node:crypto';
import {
  AdmissionregistrationV1Api,
  ApiextensionsV1Api,
  CoreV1Api,
  type KubeConfig,
  type V1ValidatingWebhookConfiguration,
} from '@kubernetes/client-node';
import { silentLogger } from '@lbkit/core';
import { metallbCrds } from '@lbkit/k8s-adapter';
import { FakeApiServer } from '@lbkit/k8s-adapter/testing';
import { BGP_MODE } from '../../src/controller/controller.js';
import { AdmissionWebhook, WatcherSource } from '../../src/webhook/io/webhook.js';
import type { CertRotator } from '../../src/webhook/io/rotator.js';
import { decodeCertSecret } from '../../src/webhook/rotation.js';
import { eventually, NS, post, review, SERVICE_DNS, shipped, VWC_RESOURCE } from './helpers.js';

const DAY = 24 * 3600 * 1000;
async function cluster(t: Test): Promise<{ server: FakeApiServer; kc: KubeConfig }> {
  const server = await FakeApiServer.start({ resources: [VWC_RESOURCE] });
  t.teardown(() => server.stop());
  const kc = server.kubeConfig();
  const ext = kc.makeApiClient(ApiextensionsV1Api);
  for (const crd of metallbCrds()) await ext.createCustomResourceDefinition({ body: crd as never });
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: NS } } });
  await core.createNamespacedSecret({ namespace: NS, body: shipped('Secret', 'lbkit-webhook-cert') as never });
  await kc.makeApiClient(AdmissionregistrationV1Api).createValidatingWebhookConfiguration({
    body: shipped('ValidatingWebhookConfiguration', 'lbkit-webhook-configuration') as never,
  });
  return { server, kc };
}

interface Replica {
  readonly hook: AdmissionWebhook;
  readonly rotator: CertRotator;
  readonly port: number;
}

async function replica(t: Test, kc: KubeConfig, now: () => Date, secretName = 'lbkit-webhook-cert'): Promise<Replica> {
  const source = new WatcherSource(kc, NS);
  const hook = new AdmissionWebhook(
    {
      host: '127.0.0.1',
      port: 0,
      certDir: '/nonexistent',
      serviceName: 'lbkit-webhook-service',
      secretName,
      configurationName: 'lbkit-webhook-configuration',
      disableCertRotation: false,
      minTlsVersion: 'TLSv1.3',
      parse: { namespace: NS, bgpMode: BGP_MODE },
      checkIntervalMs: 3_600_000, // the test calls check() itself
    },
    { kc, source, logger: silentLogger, now },
  );
  await source.start();
  await hook.start();
  t.teardown(async () => {
    await hook.stop();
    await source.stop();
  });
  return { hook, rotator: hook.certificates as CertRotator, port: hook.server.port };
}

async function caBundle(kc: KubeConfig): Promise<{ pem: string; all: string[] }> {
  const vwc: V1ValidatingWebhookConfiguration = await kc
    .makeApiClient(AdmissionregistrationV1Api)
    .readValidatingWebhookConfiguration({ name: 'lbkit-webhook-configuration' });
  const all = (vwc.webhooks ?? []).map((w) => Buffer.from(w.clientConfig.caBundle ?? '', 'base64').toString('utf8'));
  return { pem: all[0] ?? '', all };
}

const PATH = '/validate-metallb-io-v1beta1-ipaddresspool';
const pool = (name: string, cidr: string) => ({
  apiVersion: 'metallb.io/v1beta1',
  kind: 'IPAddressPool',
  metadata: { name, namespace: NS },
  spec: { addresses: [cidr] },
});

/** One verified call: the fingerprint of the certificate served, and the decision. */
async function ask(port: number, ca: string): Promise<{ fingerprint: string; allowed: boolean }> {
  const rv = review('IPAddressPool', 'CREATE', pool('p', '198.51.100.0/24'));
  const res = await post(port, PATH, rv.body, ca);
  return { fingerprint: res.peerCertificate, allowed: res.json?.response?.allowed === true };
}

t.test('rotation: fill the Secret, write caBundle, serve; renew the serving certificate; rotate the CA', async (t) => {
  const { server, kc } = await cluster(t);
  let shift = -300 * DAY; // certificates made 300 days ago: the serving one is inside its renewal window now
  const now = () => new Date(Date.now() + shift);
  const a = await replica(t, kc, now);

  const secret = await kc.makeApiClient(CoreV1Api).readNamespacedSecret({ namespace: NS, name: 'lbkit-webhook-cert' });
  const stored = decodeCertSecret(secret.data);
  t.ok(stored.caCert && stored.caKey && stored.tlsCert && stored.tlsKey, 'the shipped empty Secret is filled');
  const bundle = await caBundle(kc);
  t.equal(bundle.all.length, 6, 'every webhook of the configuration');
  t.ok(
    bundle.all.every((b) => b === stored.caCert),
    'caBundle is the CA, on each webhook',
  );
  const first = await ask(a.port, bundle.pem);
  t.equal(first.allowed, true, 'a verified call is judged');
  t.equal(
    first.fingerprint,
    new X509Certificate(stored.tlsCert ?? '').fingerprint256,
    'the Secret’s certificate is served',
  );
  t.equal(a.hook.readiness().ok, true);

  const b = await replica(t, kc, now);
  t.equal(
    (await ask(b.port, bundle.pem)).fingerprint,
    first.fingerprint,
    'a second replica serves the same certificate',
  );
  const writes = () => server.requests.filter((r) => r.method === 'PUT' || r.method === 'POST').length;
  const before = writes();
  t.same(await b.rotator.check(), { secret: 'read', caBundle: 'unchanged' }, 'nothing to write');
  t.equal(writes(), before);

  shift = 0;
  t.same(await a.rotator.check(), { secret: 'updated', caBundle: 'unchanged' }, 'the serving certificate is renewed');
  const renewed = await ask(a.port, bundle.pem);
  t.not(renewed.fingerprint, first.fingerprint, 'a new certificate, the same CA');
  t.equal((await ask(b.port, bundle.pem)).fingerprint, first.fingerprint, 'the other replica until its next check');
  t.same(await b.rotator.check(), { secret: 'read', caBundle: 'unchanged' });
  t.equal((await ask(b.port, bundle.pem)).fingerprint, renewed.fingerprint, 'then the new one');

  // Someone resets caBundle (a re-apply of an edited manifest): the next check repairs it.
  const admission = kc.makeApiClient(AdmissionregistrationV1Api);
  const vwc = await admission.readValidatingWebhookConfiguration({ name: 'lbkit-webhook-configuration' });
  vwc.webhooks = (vwc.webhooks ?? []).map((w) => ({ ...w, clientConfig: { ...w.clientConfig, caBundle: '' } }));
  await admission.replaceValidatingWebhookConfiguration({ name: 'lbkit-webhook-configuration', body: vwc });
  t.same(await a.rotator.check(), { secret: 'read', caBundle: 'patched' });
  t.equal((await caBundle(kc)).pem, bundle.pem);
});

t.test('a CA near its end is replaced; both CAs are trusted during the change', async (t) => {
  const { kc } = await cluster(t);
  let shift = -(10 * 365 - 30) * DAY; // the CA has 30 days left now
  const now = () => new Date(Date.now() + shift);
  const a = await replica(t, kc, now);
  const oldCa = (await caBundle(kc)).pem;
  shift = 0;
  t.match(await a.rotator.check(), { secret: 'updated', caBundle: 'patched' });
  const bundle = (await caBundle(kc)).pem;
  t.equal(bundle.match(/BEGIN CERTIFICATE/g)?.length, 2, 'new CA and old CA');
  t.ok(bundle.includes(oldCa.trim()), 'the old CA is still trusted');
  t.equal((await ask(a.port, bundle)).allowed, true, 'verified with the new bundle');
  await t.rejects(
    ask(a.port, oldCa),
    /signature failure|unable to (get|verify)|self[- ]signed/i,
    'the new certificate is not signed by the old CA',
  );
});

t.test('two replicas starting on an empty Secret agree on one certificate', async (t) => {
  const { server, kc } = await cluster(t);
  const now = () => new Date();
  const [a, b] = await Promise.all([replica(t, kc, now), replica(t, kc, now)]);
  const bundle = (await caBundle(kc)).pem;
  const fa = await eventually('a serves', async () => (await ask(a.port, bundle)).fingerprint || undefined);
  const fb = await eventually('b serves', async () => {
    await b.rotator.check();
    return (await ask(b.port, bundle)).fingerprint || undefined;
  });
  t.equal(fa, fb);
  const puts = server.requests.filter((r) => r.path.endsWith('/secrets/lbkit-webhook-cert') && r.method === 'PUT');
  t.ok(
    puts.some((r) => r.status === 200),
    'one replica wrote the Secret',
  );
});

t.test('without the webhook configuration the certificate is still served', async (t) => {
  const server = await FakeApiServer.start({ resources: [VWC_RESOURCE] });
  t.teardown(() => server.stop());
  const kc = server.kubeConfig();
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: NS } } });
  const a = await replica(t, kc, () => new Date(), 'fresh-cert');
  const stored = decodeCertSecret(
    (await kc.makeApiClient(CoreV1Api).readNamespacedSecret({ namespace: NS, name: 'fresh-cert' })).data,
  );
  t.ok(stored.caCert, 'the Secret is created when missing');
  t.same(await a.rotator.check(), { secret: 'read', caBundle: 'configuration-missing' });
  const res = await post(
    a.port,
    PATH,
    review('IPAddressPool', 'CREATE', pool('p', '198.51.100.0/24')).body,
    stored.caCert ?? '',
    {
      servername: SERVICE_DNS,
    },
  );
  t.equal(res.status, 200);
});

t.test('a refused request (RBAC) is reported on readiness and retried', async (t) => {
  const { server, kc } = await cluster(t);
  server.injectFault({
    match: (method, p) => method === 'PUT' && p.endsWith('/secrets/lbkit-webhook-cert'),
    times: 2,
    code: 403,
    message: 'secrets "lbkit-webhook-cert" is forbidden',
  });
  const source = new WatcherSource(kc, NS);
  const hook = new AdmissionWebhook(
    {
      host: '127.0.0.1',
      port: 0,
      certDir: '/nonexistent',
      serviceName: 'lbkit-webhook-service',
      secretName: 'lbkit-webhook-cert',
      configurationName: 'lbkit-webhook-configuration',
      disableCertRotation: false,
      minTlsVersion: 'TLSv1.3',
      parse: { namespace: NS, bgpMode: BGP_MODE },
    },
    { kc, source, logger: silentLogger },
  );
  const started = hook.start();
  t.teardown(async () => {
    await hook.stop();
    await source.stop();
  });
  const waiting = await eventually('the refusal on readiness', async () => {
    const r = hook.readiness();
    return /forbidden/.test(r.reason) ? r : undefined;
  });
  t.match(waiting, {
    ok: false,
    reason: /^waiting for the serving certificate in Secret metallb-system\/lbkit-webhook-cert \(403 /,
  });
  await started;
  await source.start();
  t.same(hook.readiness(), { ok: true, reason: `serving on port ${hook.server.port}` }, 'served after the retries');
});
