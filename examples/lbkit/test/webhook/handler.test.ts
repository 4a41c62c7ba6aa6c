// The request handler without sockets: routing, every 4xx with its reason, the response envelope, and
// the webhook flags. The same paths over real HTTPS are in server.test.ts.
import t from 'tap';
import type { ConfigInput } from '@lbkit/k8s-adapter';
import { BGP_MODE } from '../../src/controller/controller.js';
import { webhookFlags } from '../../src/webhook/flags.js';
import { handleWebhookRequest, NOT_SYNCED_MESSAGE, type AdmissionSource } from '../../src/webhook/handler.js';
import { findRoute, WEBHOOK_ROUTES } from '../../src/webhook/routes.js';
import { review, NS } from './helpers.js';

const options = { namespace: NS, bgpMode: BGP_MODE };
const source = (synced: boolean, config: ConfigInput = {}): AdmissionSource => ({ synced, configInput: () => config });
const pool = {
  apiVersion: 'metallb.io/v1beta1',
  kind: 'IPAddressPool',
  metadata: { name: 'p', namespace: NS },
  spec: { addresses: ['192.0.2.0/24'] },
};
const send = (url: string, body: unknown, init: { method?: string; contentType?: string; synced?: boolean } = {}) =>
  handleWebhookRequest(
    {
      method: init.method ?? 'POST',
      url,
      contentType: init.contentType ?? 'application/json',
      body: new TextEncoder().encode(typeof body === 'string' ? body : JSON.stringify(body)),
    },
    source(init.synced ?? true),
    options,
  );

t.test('MetalLB’s paths, one per kind and version', async (t) => {
  t.same(
    WEBHOOK_ROUTES.map((r) => r.path),
    [
      '/validate-metallb-io-v1beta1-ipaddresspool',
      '/validate-metallb-io-v1beta1-l2advertisement',
      '/validate-metallb-io-v1beta1-bgpadvertisement',
      '/validate-metallb-io-v1beta2-bgppeer',
      '/validate-metallb-io-v1beta1-bgppeer',
      '/validate-metallb-io-v1beta1-community',
      '/validate-metallb-io-v1beta1-bfdprofile',
    ],
  );
  t.equal(
    findRoute('/validate-metallb-io-v1beta1-ipaddresspool?timeout=10s')?.kind,
    'IPAddressPool',
    'the API server adds ?timeout=',
  );
  t.equal(findRoute('/convert'), undefined);
});

const PATH = '/validate-metallb-io-v1beta1-ipaddresspool';
const cases: {
  name: string;
  url?: string;
  body: unknown;
  method?: string;
  contentType?: string;
  status: number;
  text: RegExp;
}[] = [
  {
    name: 'unknown path',
    url: '/mutate-x',
    body: {},
    status: 404,
    text: /not found: \/mutate-x is not a webhook path/,
  },
  { name: 'GET', body: '', method: 'GET', status: 405, text: /method GET not allowed/ },
  {
    name: 'not JSON content',
    body: 'x',
    contentType: 'application/yaml',
    status: 415,
    text: /expected application\/json/,
  },
  { name: 'malformed JSON', body: '{"kind":', status: 400, text: /^malformed JSON: / },
  { name: 'a JSON array', body: [], status: 400, text: /expected a JSON object/ },
  {
    name: 'wrong apiVersion',
    body: { apiVersion: 'admission.k8s.io/v2', kind: 'AdmissionReview' },
    status: 400,
    text: /apiVersion: expected admission\.k8s\.io\/v1 or admission\.k8s\.io\/v1beta1, received "admission\.k8s\.io\/v2"/,
  },
  {
    name: 'wrong kind',
    body: { apiVersion: 'admission.k8s.io/v1', kind: 'Status' },
    status: 400,
    text: /kind: expected AdmissionReview/,
  },
  {
    name: 'no request',
    body: { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' },
    status: 400,
    text: /request: missing/,
  },
  {
    name: 'no uid',
    body: { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: {} },
    status: 400,
    text: /request\.uid: missing/,
  },
  {
    name: 'CONNECT',
    body: { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'u', operation: 'CONNECT' } },
    status: 400,
    text: /request\.operation: expected CREATE, UPDATE or DELETE, received "CONNECT"/,
  },
  {
    name: 'UPDATE without oldObject',
    body: review('IPAddressPool', 'UPDATE', pool).body,
    status: 400,
    text: /request\.oldObject: missing for UPDATE/,
  },
  {
    name: 'DELETE without oldObject',
    body: review('IPAddressPool', 'DELETE', undefined).body,
    status: 400,
    text: /request\.oldObject: missing for DELETE/,
  },
  {
    name: 'object is a string',
    body: {
      ...review('IPAddressPool', 'CREATE', pool).body,
      request: { ...(review('IPAddressPool', 'CREATE', pool).body['request'] as object), object: 'x' },
    },
    status: 400,
    text: /request\.object: expected an object, received string/,
  },
];

t.test('bad requests: status and reason', async (t) => {
  for (const c of cases) {
    const r = send(c.url ?? PATH, c.body, {
      ...(c.method === undefined ? {} : { method: c.method }),
      ...(c.contentType === undefined ? {} : { contentType: c.contentType }),
    });
    t.equal(r.status, c.status, `${c.name}: status`);
    t.match(r.body, c.text, `${c.name}: reason`);
    t.equal(r.decision, undefined);
  }
});

t.test('the response envelope: same apiVersion, uid echoed, status code, warnings only when any', async (t) => {
  const rv = review('IPAddressPool', 'CREATE', pool);
  const ok = send(PATH, rv.body);
  t.equal(ok.status, 200);
  t.equal(ok.contentType, 'application/json');
  t.same(JSON.parse(ok.body), {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    response: { uid: rv.uid, allowed: true, status: { code: 200 } },
  });
  const v1beta1 = { ...rv.body, apiVersion: 'admission.k8s.io/v1beta1' };
  t.equal(
    JSON.parse(send(PATH, v1beta1).body).apiVersion,
    'admission.k8s.io/v1beta1',
    'the request’s version is echoed',
  );
  const denied = JSON.parse(send(PATH, rv.body, { synced: false }).body);
  t.same(denied.response, {
    uid: rv.uid,
    allowed: false,
    status: { code: 503, reason: 'ServiceUnavailable', message: NOT_SYNCED_MESSAGE },
  });
  // The namespace of a create may come from the request only.
  const bare = { ...pool, metadata: { name: 'p' } };
  const fromRequest = review('IPAddressPool', 'CREATE', bare);
  (fromRequest.body['request'] as Record<string, unknown>)['namespace'] = NS;
  t.equal(JSON.parse(send(PATH, fromRequest.body).body).response.allowed, true);
});

t.test('webhook flags: MetalLB’s defaults, checked values', async (t) => {
  const d = webhookFlags({});
  t.same(d, {
    mode: 'enabled',
    host: '0.0.0.0',
    port: 9443,
    certDir: '/tmp/k8s-webhook-server/serving-certs',
    serviceName: 'lbkit-webhook-service',
    secretName: 'lbkit-webhook-cert',
    configurationName: 'lbkit-webhook-configuration',
    disableCertRotation: false,
    minTlsVersion: 'TLSv1.3',
  });
  t.equal(webhookFlags({ 'webhook-mode': 'onlywebhook', 'tls-min-version': 'VersionTLS12' }).minTlsVersion, 'TLSv1.2');
  t.throws(() => webhookFlags({ 'webhook-mode': 'on' }), {
    code: 'ERR_LBKIT_FLAG',
    message: /--webhook-mode: expected enabled, disabled or onlywebhook/,
  });
  t.throws(() => webhookFlags({ 'webhook-port': '99999' }), /--webhook-port/);
  t.throws(() => webhookFlags({ 'tls-min-version': 'TLS1.3' }), /VersionTLS12 or VersionTLS13/);
  t.throws(() => webhookFlags({ 'webhook-secret': 'Bad_Name' }), /--webhook-secret: expected a Kubernetes object name/);
});
