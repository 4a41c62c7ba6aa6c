// The admission webhook over real HTTPS, judging against the controller's own watcher cache of an API
// server (the adapter's in-process one, spoken to by the real client-node): certificates made by openssl,
// served from a directory updated the way the kubelet updates a mounted Secret, verified by a TLS client
// the way the API server verifies them (chain to caBundle, name `<service>.<namespace>.svc`).
import t, { type Test } from 'tap';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiextensionsV1Api, CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { silentLogger } from '@lbkit/core';
import { metallbCrds, type KubeObject } from '@lbkit/k8s-adapter';
import { FakeApiServer } from '@lbkit/k8s-adapter/testing';
import { ClusterController } from '../../src/controller/cluster.js';
import { BGP_MODE } from '../../src/controller/controller.js';
import { NOT_SYNCED_MESSAGE } from '../../src/webhook/handler.js';
import { AdmissionWebhook } from '../../src/webhook/io/webhook.js';
import { WEBHOOK_ROUTES } from '../../src/webhook/routes.js';
import {
  eventually,
  installLikeKubelet,
  NS,
  opensslPki,
  post,
  review,
  SERVICE_DNS,
  type OpensslPki,
} from './helpers.js';

const pool = (name: string, addresses: string[], namespace = NS): KubeObject & { spec: unknown } => ({
  apiVersion: 'metallb.io/v1beta1',
  kind: 'IPAddressPool',
  metadata: { name, namespace },
  spec: { addresses },
});
const peer = (name: string, spec: Record<string, unknown>): KubeObject & { spec: unknown } => ({
  apiVersion: 'metallb.io/v1beta2',
  kind: 'BGPPeer',
  metadata: { name, namespace: NS },
  spec: { myASN: 64512, peerASN: 64513, peerAddress: '192.0.2.254', ...spec },
});

async function seed(kc: KubeConfig): Promise<void> {
  const ext = kc.makeApiClient(ApiextensionsV1Api);
  for (const crd of metallbCrds()) await ext.createCustomResourceDefinition({ body: crd as never });
  const core = kc.makeApiClient(CoreV1Api);
  for (const name of [NS, 'default']) await core.createNamespace({ body: { metadata: { name } } });
  const custom = kc.makeApiClient(CustomObjectsApi);
  const create = (plural: string, body: KubeObject, version = 'v1beta1') =>
    custom.createNamespacedCustomObject({ group: 'metallb.io', version, namespace: NS, plural, body });
  await eventually('CRDs served', async () =>
    (await custom.listNamespacedCustomObject({
      group: 'metallb.io',
      version: 'v1beta1',
      namespace: NS,
      plural: 'ipaddresspools',
    }))
      ? true
      : undefined,
  );
  await create('ipaddresspools', pool('public', ['192.0.2.0/25']));
  await create('l2advertisements', {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'L2Advertisement',
    metadata: { name: 'l2', namespace: NS },
    spec: { ipAddressPools: ['public'] },
  } as KubeObject);
  await create('bfdprofiles', {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'BFDProfile',
    metadata: { name: 'fast', namespace: NS },
    spec: { receiveInterval: 100, transmitInterval: 100 },
  } as KubeObject);
  await create('bgppeers', peer('router', { bfdProfile: 'fast' }), 'v1beta2');
}

interface Rig {
  readonly kc: KubeConfig;
  readonly pki: OpensslPki;
  readonly certDir: string;
}

async function rig(t: Test): Promise<Rig> {
  const server = await FakeApiServer.start();
  t.teardown(() => server.stop());
  const pki = opensslPki();
  const certDir = mkdtempSync(join(tmpdir(), 'lbkit-webhook-certs-'));
  t.teardown(() => {
    pki.cleanup();
    rmSync(certDir, { recursive: true, force: true });
  });
  installLikeKubelet(certDir, pki.issue([SERVICE_DNS, 'lbkit-webhook-service.metallb-system.svc.cluster.local']));
  return { kc: server.kubeConfig(), pki, certDir };
}

function webhookFor(r: Rig, source: ClusterController): AdmissionWebhook {
  return new AdmissionWebhook(
    {
      host: '127.0.0.1',
      port: 0,
      certDir: r.certDir,
      serviceName: 'lbkit-webhook-service',
      secretName: 'lbkit-webhook-cert',
      configurationName: 'lbkit-webhook-configuration',
      disableCertRotation: true,
      minTlsVersion: 'TLSv1.3',
      parse: { namespace: NS, bgpMode: BGP_MODE },
      pollMs: 200,
    },
    { kc: r.kc, source, logger: silentLogger },
  );
}

const path = (kind: string, version = 'v1beta1') => {
  const r = WEBHOOK_ROUTES.find((x) => x.kind === kind && x.version === version);
  if (r === undefined) throw new Error(`no route for ${kind} ${version}`);
  return r.path;
};

t.test('over HTTPS against the controller cache: admits, denies with reasons, survives bad requests', async (t) => {
  const r = await rig(t);
  await seed(r.kc);
  const a = new ClusterController(
    r.kc,
    { namespace: NS, loadBalancerClass: '', identity: 'a' },
    { logger: silentLogger },
  );
  const b = new ClusterController(
    r.kc,
    { namespace: NS, loadBalancerClass: '', identity: 'b' },
    { logger: silentLogger },
  );
  const hookA = webhookFor(r, a);
  const hookB = webhookFor(r, b);
  await Promise.all([hookA.start(), hookB.start()]);
  await a.start();
  await b.start();
  t.teardown(async () => {
    await hookA.stop();
    await hookB.stop();
    await a.stop();
    await b.stop();
  });
  await eventually('one leader', async () => ([a.leader, b.leader].filter(Boolean).length === 1 ? true : undefined));
  const port = hookA.server.port;
  const call = async (t: Test, kind: string, rv: ReturnType<typeof review>, version = 'v1beta1') => {
    const res = await post(port, path(kind, version), rv.body, r.pki.caCert);
    t.equal(res.status, 200, `${kind}: HTTP 200`);
    t.equal(res.json?.apiVersion, 'admission.k8s.io/v1');
    t.equal(res.json?.kind, 'AdmissionReview');
    t.equal(res.json?.response?.uid, rv.uid, 'uid echoed');
    return res.json.response as {
      allowed: boolean;
      status: { code: number; message?: string; reason?: string };
      warnings?: string[];
    };
  };
  t.same(hookA.readiness(), { ok: true, reason: `serving on port ${port}` });

  t.test('a valid pool is admitted', async (t) => {
    const res = await call(t, 'IPAddressPool', review('IPAddressPool', 'CREATE', pool('extra', ['198.51.100.0/24'])));
    t.equal(res.allowed, true);
    t.equal(res.status.code, 200);
    t.equal(res.warnings, undefined);
  });

  t.test('an overlapping pool is denied, naming both pools', async (t) => {
    const res = await call(t, 'IPAddressPool', review('IPAddressPool', 'CREATE', pool('clash', ['192.0.2.64/26'])));
    t.equal(res.allowed, false);
    t.equal(res.status.code, 403);
    t.equal(res.status.reason, 'Forbidden');
    t.match(
      res.status.message,
      /IPAddressPool clash: spec\.addresses\[0\] "192\.0\.2\.64\/26": overlaps "192\.0\.2\.0\/25" of IPAddressPool public/,
    );
  });

  t.test('the replica that is not the leader judges the same way', async (t) => {
    const follower = a.leader ? hookB : hookA;
    const rv = review('IPAddressPool', 'CREATE', pool('clash', ['192.0.2.64/26']));
    const res = await post(follower.server.port, path('IPAddressPool'), rv.body, r.pki.caCert);
    t.equal(res.json.response.allowed, false);
    t.match(res.json.response.status.message, /overlaps .* of IPAddressPool public/);
  });

  t.test('a BGPPeer with a bad ASN is denied, naming the field and the value', async (t) => {
    const res = await call(
      t,
      'BGPPeer',
      review('BGPPeer', 'CREATE', peer('bad', { peerASN: 4294967296 }), undefined, 'v1beta2'),
      'v1beta2',
    );
    t.equal(res.allowed, false);
    t.match(res.status.message, /BGPPeer bad: spec\.peerASN 4294967296: ASN must be an integer in 1\.\.4294967295/);
  });

  t.test('a BGPPeer sent as v1beta1 to MetalLB’s older path is judged too', async (t) => {
    const old = { ...peer('legacy', { myASN: 0 }), apiVersion: 'metallb.io/v1beta1' };
    const res = await call(t, 'BGPPeer', review('BGPPeer', 'CREATE', old, undefined, 'v1beta1'));
    t.equal(res.allowed, false);
    t.match(res.status.message, /BGPPeer legacy: spec\.myASN 0: missing local ASN/);
  });

  t.test('deprecated disableMP is admitted with MetalLB’s warning', async (t) => {
    const res = await call(
      t,
      'BGPPeer',
      review('BGPPeer', 'CREATE', peer('mp', { disableMP: true, peerAddress: '192.0.2.253' }), undefined, 'v1beta2'),
      'v1beta2',
    );
    t.equal(res.allowed, true);
    t.same(res.warnings, ["disable mp is deprecated and has no effect since it's the default behavior now"]);
  });

  t.test(
    'DELETE of a pool an advertisement references is admitted (as MetalLB does); of a used BFD profile, denied',
    async (t) => {
      const current = a.configInput().ipAddressPools?.find((p) => p.metadata?.name === 'public');
      t.ok(current, 'the pool is in the cache');
      const del = await call(t, 'IPAddressPool', review('IPAddressPool', 'DELETE', undefined, current));
      t.equal(del.allowed, true, 'the advertisement then selects nothing; Services keep addresses until reallocated');
      const bfd = a.configInput().bfdProfiles?.find((p) => p.metadata?.name === 'fast');
      const res = await call(t, 'BFDProfile', review('BFDProfile', 'DELETE', undefined, bfd));
      t.equal(res.allowed, false);
      t.equal(res.status.message, 'failed to delete BFDProfile fast, used by BGPPeer router');
    },
  );

  t.test('UPDATE rules: enableGracefulRestart is immutable; other edits pass', async (t) => {
    const old = a.configInput().bgpPeers?.find((p) => p.metadata?.name === 'router');
    t.ok(old);
    const flipped = { ...old, spec: { ...old?.spec, enableGracefulRestart: true } } as unknown as KubeObject;
    const res = await call(t, 'BGPPeer', review('BGPPeer', 'UPDATE', flipped, old, 'v1beta2'), 'v1beta2');
    t.equal(res.allowed, false);
    t.equal(res.status.message, 'BGPPeer spec.enableGracefulRestart is immutable');
    const edited = { ...old, spec: { ...old?.spec, holdTime: '30s' } } as unknown as KubeObject;
    t.equal((await call(t, 'BGPPeer', review('BGPPeer', 'UPDATE', edited, old, 'v1beta2'), 'v1beta2')).allowed, true);
    const grown = pool('public', ['192.0.2.0/24']);
    const old2 = a.configInput().ipAddressPools?.find((p) => p.metadata?.name === 'public');
    t.equal(
      (await call(t, 'IPAddressPool', review('IPAddressPool', 'UPDATE', grown, old2))).allowed,
      true,
      'a pool does not overlap itself',
    );
  });

  t.test('an object outside MetalLB’s namespace is denied', async (t) => {
    const res = await call(
      t,
      'IPAddressPool',
      review('IPAddressPool', 'CREATE', pool('elsewhere', ['203.0.113.0/24'], 'default')),
    );
    t.equal(res.allowed, false);
    t.equal(res.status.message, 'resource must be created in metallb-system namespace');
  });

  t.test('bad requests get 4xx with a reason and the server keeps serving', async (t) => {
    const ca = r.pki.caCert;
    const bad = await post(port, path('IPAddressPool'), '{"apiVersion": "admission.k8s.io/v1", ', ca);
    t.equal(bad.status, 400);
    t.match(bad.text, /^malformed JSON: /);
    const notReview = await post(port, path('IPAddressPool'), { apiVersion: 'v1', kind: 'Pod' }, ca);
    t.equal(notReview.status, 400);
    t.match(notReview.text, /apiVersion: expected admission\.k8s\.io\/v1/);
    const wrongKind = await post(port, path('IPAddressPool'), review('BGPPeer', 'CREATE', peer('x', {})).body, ca);
    t.equal(wrongKind.status, 400);
    t.match(wrongKind.text, /validates metallb\.io IPAddressPool, received "metallb\.io" "BGPPeer"/);
    const noObject = review('IPAddressPool', 'CREATE', undefined);
    t.match((await post(port, path('IPAddressPool'), noObject.body, ca)).text, /request\.object: missing for CREATE/);
    const unknown = await post(
      port,
      '/validate-metallb-io-v1beta1-addresspool',
      review('IPAddressPool', 'CREATE', pool('p', [])).body,
      ca,
    );
    t.equal(unknown.status, 404);
    t.equal((await post(port, path('IPAddressPool'), '', ca, { method: 'GET' })).status, 405);
    t.equal((await post(port, path('IPAddressPool'), '{}', ca, { contentType: 'text/plain' })).status, 415);
    const huge = await post(
      port,
      path('IPAddressPool'),
      JSON.stringify({ pad: 'x'.repeat(5 * 1024 * 1024) }),
      ca,
    ).catch((err: Error) => ({ status: -1, text: err.message }));
    t.ok(huge.status === 413 || huge.status === -1, `an oversized body is refused (${huge.status})`);
    const after = await call(t, 'IPAddressPool', review('IPAddressPool', 'CREATE', pool('still', ['203.0.113.0/24'])));
    t.equal(after.allowed, true, 'still serving');
  });

  t.test('the TLS client verifies the chain and the name', async (t) => {
    const other = opensslPki();
    t.teardown(() => other.cleanup());
    await t.rejects(
      post(port, path('IPAddressPool'), '{}', other.caCert),
      /self[- ]signed|unable to (get|verify)/i,
      'another CA is not trusted',
    );
    await t.rejects(
      post(port, path('IPAddressPool'), '{}', r.pki.caCert, { servername: 'elsewhere.metallb-system.svc' }),
      /altnames|Hostname\/IP does not match/i,
    );
  });

  t.test('a replaced certificate is served; a broken replacement is not', async (t) => {
    const before = (await post(port, path('IPAddressPool'), '{}', r.pki.caCert)).peerCertificate;
    const next = r.pki.issue([SERVICE_DNS]);
    const want = new X509Certificate(next.cert).fingerprint256;
    t.not(before, want);
    installLikeKubelet(r.certDir, next);
    await eventually('the new certificate served', async () =>
      (await post(port, path('IPAddressPool'), '{}', r.pki.caCert)).peerCertificate === want ? true : undefined,
    );
    const other = r.pki.issue([SERVICE_DNS]);
    installLikeKubelet(r.certDir, { cert: other.cert, key: next.key }); // key of another certificate
    await new Promise((res) => setTimeout(res, 600));
    t.equal(
      (await post(port, path('IPAddressPool'), '{}', r.pki.caCert)).peerCertificate,
      want,
      'the last good one stays',
    );
    t.equal(hookA.readiness().ok, true);
  });
});

t.test('until the cache is synced, every request is denied with the reason (fail closed)', async (t) => {
  const server = await FakeApiServer.start();
  t.teardown(() => server.stop());
  const kc = server.kubeConfig();
  await seed(kc);
  const pki = opensslPki();
  const certDir = mkdtempSync(join(tmpdir(), 'lbkit-webhook-certs-'));
  t.teardown(() => {
    pki.cleanup();
    rmSync(certDir, { recursive: true, force: true });
  });
  installLikeKubelet(certDir, pki.issue([SERVICE_DNS]));
  // The pools cannot be listed for a while: the controller's cache stays incomplete.
  server.injectFault({
    match: (method, p) => method === 'GET' && p.endsWith('/ipaddresspools'),
    times: 4,
    code: 503,
    message: 'etcd is slow',
  });
  const ctl = new ClusterController(
    kc,
    { namespace: NS, loadBalancerClass: '', identity: 'a' },
    { logger: silentLogger },
  );
  const hook = webhookFor({ kc, pki, certDir }, ctl);
  await hook.start();
  const started = ctl.start();
  t.teardown(async () => {
    await hook.stop();
    await started.catch(() => undefined);
    await ctl.stop();
  });
  const clash = review('IPAddressPool', 'CREATE', pool('clash', ['192.0.2.64/26']));
  const early = await post(hook.server.port, path('IPAddressPool'), clash.body, pki.caCert);
  t.equal(early.status, 200);
  t.equal(early.json.response.uid, clash.uid);
  t.equal(early.json.response.allowed, false, 'denied, not admitted on a partial view');
  t.equal(early.json.response.status.code, 503);
  t.equal(early.json.response.status.message, NOT_SYNCED_MESSAGE);
  t.match(hook.readiness(), { ok: false, reason: /cache not synced/ });
  await started;
  const late = await post(hook.server.port, path('IPAddressPool'), clash.body, pki.caCert);
  t.equal(late.json.response.allowed, false);
  t.match(late.json.response.status.message, /overlaps .* of IPAddressPool public/, 'once synced, the real reason');
  const ok = review('IPAddressPool', 'CREATE', pool('extra', ['198.51.100.0/24']));
  t.equal((await post(hook.server.port, path('IPAddressPool'), ok.body, pki.caCert)).json.response.allowed, true);
});
