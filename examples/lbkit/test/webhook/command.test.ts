// `lbkit controller` as an operator runs it, against the in-process API server: the webhook flags reach the
// server, /readyz reports the webhook, an AdmissionReview is judged, SIGTERM stops everything cleanly.
import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiextensionsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { metallbCrds } from '@lbkit/k8s-adapter';
import { FakeApiServer } from '@lbkit/k8s-adapter/testing';
import { eventually, installLikeKubelet, NS, opensslPki, post, review, SERVICE_DNS } from './helpers.js';

const cli = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

t.test('lbkit controller --webhook-mode=onlywebhook --disable-cert-rotation', async (t) => {
  const server = await FakeApiServer.start();
  t.teardown(() => server.stop());
  const kc = server.kubeConfig();
  for (const crd of metallbCrds())
    await kc.makeApiClient(ApiextensionsV1Api).createCustomResourceDefinition({ body: crd as never });
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: NS } } });
  const dir = mkdtempSync(join(tmpdir(), 'lbkit-webhook-cmd-'));
  const pki = opensslPki();
  t.teardown(() => {
    pki.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });
  const certs = mkdtempSync(join(dir, 'serving-'));
  installLikeKubelet(certs, pki.issue([SERVICE_DNS]));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, kc.exportConfig());
  const [hookPort, opsPort] = [await freePort(), await freePort()];
  const stderr: string[] = [];
  const proc = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      cli,
      'controller',
      '--kubeconfig',
      kubeconfig,
      '--webhook-mode=onlywebhook',
      '--disable-cert-rotation',
      `--cert-dir=${certs}`,
      `--webhook-port=${hookPort}`,
      '--webhook-host=127.0.0.1',
      `--port=${opsPort}`,
      '--metrics-host=127.0.0.1',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  proc.stderr.on('data', (c: Buffer) => stderr.push(c.toString()));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  t.teardown(() => {
    if (proc.exitCode === null) proc.kill('SIGKILL');
  });

  const readyz = await eventually(
    'readyz',
    async () => {
      const res = await fetch(`http://127.0.0.1:${opsPort}/readyz`);
      const body = await res.text();
      return res.status === 200 ? body : undefined;
    },
    30_000,
  ).catch((err: Error) => {
    throw new Error(`${err.message}\n${stderr.join('')}`);
  });
  t.match(readyz, new RegExp(`\\[\\+\\] webhook: serving on port ${hookPort}`));
  t.match(readyz, /\[\+\] caches: caches synced/);

  const rv = review('IPAddressPool', 'CREATE', {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'IPAddressPool',
    metadata: { name: 'p', namespace: 'default' },
  });
  const res = await post(hookPort, '/validate-metallb-io-v1beta1-ipaddresspool', rv.body, pki.caCert);
  t.equal(res.json?.response?.uid, rv.uid);
  t.equal(res.json?.response?.allowed, false);
  t.equal(res.json?.response?.status?.message, 'resource must be created in metallb-system namespace');
  t.notOk(
    server.requests.some((r) => r.path.includes('/leases')),
    'onlywebhook takes no part in leader election',
  );

  proc.kill('SIGTERM');
  t.equal(await exited, 0, 'clean exit on SIGTERM');
  t.match(stderr.join(''), /webhook started \(onlywebhook: no allocation\)/);
});
