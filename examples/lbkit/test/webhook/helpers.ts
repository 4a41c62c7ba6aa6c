// Shared by the webhook tests: AdmissionReview bodies as the API server sends them, an HTTPS client that
// verifies the server's chain and name, certificates made with openssl (independent of lbkit's generator),
// and polling.
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { request } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '@lbkit/k8s-adapter';
import type { ResourceType } from '@lbkit/k8s-adapter/testing';

export const NS = 'metallb-system';
export const SERVICE_DNS = 'lbkit-webhook-service.metallb-system.svc';

let uidCounter = 0;

/** An AdmissionReview request (admission.k8s.io/v1) for a metallb.io object. */
export function review(
  kind: string,
  operation: 'CREATE' | 'UPDATE' | 'DELETE',
  object: KubeObject | undefined,
  oldObject?: KubeObject,
  version = 'v1beta1',
): { uid: string; body: Record<string, unknown> } {
  const uid = `uid-${++uidCounter}-${kind.toLowerCase()}`;
  const subject = object ?? oldObject;
  return {
    uid,
    body: {
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: {
        uid,
        kind: { group: 'metallb.io', version, kind },
        resource: { group: 'metallb.io', version, resource: `${kind.toLowerCase()}s` },
        requestKind: { group: 'metallb.io', version, kind },
        name: subject?.metadata?.name,
        namespace: subject?.metadata?.namespace,
        operation,
        userInfo: { username: 'tester' },
        object: object ?? null,
        oldObject: oldObject ?? null,
        dryRun: false,
      },
    },
  };
}

/** The answer to an HTTPS request. */
export interface Reply {
  readonly status: number;
  readonly text: string;
  readonly json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  readonly peerCertificate: string;
}

/**
 * POSTs over HTTPS to 127.0.0.1:port, verifying the server's certificate against `ca` for the name `servername`
 * (as the API server verifies `<service>.<namespace>.svc` against caBundle).
 */
export function post(
  port: number,
  path: string,
  body: string | object,
  ca: string,
  options: { servername?: string; contentType?: string; method?: string } = {},
): Promise<Reply> {
  const data = typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'POST',
        ca,
        servername: options.servername ?? SERVICE_DNS,
        agent: false,
        headers: {
          'content-type': options.contentType ?? 'application/json',
          'content-length': Buffer.byteLength(data),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        const sock = res.socket as TLSSocket;
        const peer = sock.getPeerX509Certificate?.()?.fingerprint256 ?? '';
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, text, json, peerCertificate: peer });
        });
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

export { eventually } from '../wait.js';

/** A CA and a serving certificate for `dnsNames`, made by openssl in a fresh directory. */
export interface OpensslPki {
  readonly dir: string;
  readonly caCert: string;
  /** A new serving certificate for `dnsNames`, signed by the CA. */
  issue(dnsNames: readonly string[]): { cert: string; key: string };
  cleanup(): void;
}

export function opensslPki(): OpensslPki {
  const dir = mkdtempSync(join(tmpdir(), 'lbkit-webhook-pki-'));
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  run(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-subj',
    '/CN=test-ca',
    '-days',
    '2',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  let serial = 1;
  return {
    dir,
    caCert: readFileSync(join(dir, 'ca.crt'), 'utf8'),
    issue(dnsNames) {
      const n = serial++;
      run(
        'req',
        '-new',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        `s${n}.key`,
        '-out',
        `s${n}.csr`,
        '-subj',
        `/CN=${dnsNames[0] ?? 'x'}`,
      );
      writeFileSync(
        join(dir, `s${n}.ext`),
        `subjectAltName=${dnsNames.map((d) => `DNS:${d}`).join(',')}\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n`,
      );
      run(
        'x509',
        '-req',
        '-in',
        `s${n}.csr`,
        '-CA',
        'ca.crt',
        '-CAkey',
        'ca.key',
        '-set_serial',
        String(n + 100),
        '-days',
        '1',
        '-extfile',
        `s${n}.ext`,
        '-out',
        `s${n}.crt`,
      );
      return { cert: readFileSync(join(dir, `s${n}.crt`), 'utf8'), key: readFileSync(join(dir, `s${n}.key`), 'utf8') };
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let generation = 0;

/**
 * Puts `pair` into `dir` the way the kubelet updates a mounted Secret: the files are written into a new
 * hidden directory, then the `..data` symlink is swapped to it in one rename; `tls.crt` and `tls.key` are
 * symlinks through `..data`, so they change all at once.
 */
export function installLikeKubelet(dir: string, pair: { cert: string; key: string }): void {
  const gen = `..${Date.now()}_${++generation}`;
  mkdirSync(join(dir, gen));
  writeFileSync(join(dir, gen, 'tls.crt'), pair.cert);
  writeFileSync(join(dir, gen, 'tls.key'), pair.key);
  symlinkSync(gen, join(dir, '..data_tmp'));
  renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
  for (const f of ['tls.crt', 'tls.key']) if (!existsSync(join(dir, f))) symlinkSync(join('..data', f), join(dir, f));
}

/** The shipped plain manifest. */
export const MANIFEST = fileURLToPath(new URL('../../../../deploy/manifests/lbkit.yaml', import.meta.url));

/** admissionregistration.k8s.io is not among the fake server's built-in kinds. */
export const VWC_RESOURCE: ResourceType = {
  group: 'admissionregistration.k8s.io',
  versions: ['v1'],
  plural: 'validatingwebhookconfigurations',
  kind: 'ValidatingWebhookConfiguration',
  namespaced: false,
  status: false,
  statusKeeps: 'spec',
};

/** An object of the shipped manifest. */
export function shipped(kind: string, name: string): Record<string, unknown> {
  for (const d of parseAllDocuments(readFileSync(MANIFEST, 'utf8'))) {
    const o = d.toJS() as { kind?: string; metadata?: { name?: string } } | null;
    if (o?.kind === kind && o.metadata?.name === name) return o as Record<string, unknown>;
  }
  throw new Error(`${kind} ${name} not in ${MANIFEST}`);
}
