/**
 * Self-managed webhook certificates, as MetalLB's cert rotator does them: a self-signed CA and a serving
 * certificate kept in a Secret, the CA written into the ValidatingWebhookConfiguration's `caBundle`, both
 * renewed well before they expire. Every controller replica runs one: the first to find the Secret empty
 * fills it (optimistic concurrency settles a race: the loser reads the winner's), the others serve what it
 * holds. The certificate is served from memory, so no volume and no kubelet sync delay are involved.
 */
import {
  AdmissionregistrationV1Api,
  CoreV1Api,
  type KubeConfig,
  type V1Secret,
  type V1ValidatingWebhookConfiguration,
} from '@kubernetes/client-node';
import { silentLogger, type Logger } from '@lbkit/core';
import { httpStatus, isNotFound } from '@lbkit/k8s-adapter';
import { serviceDnsNames, type CertificatePair } from '../certs.js';
import {
  caBundleOf,
  decodeCertSecret,
  encodeCertSecret,
  renewCertificates,
  type StoredCertificates,
} from '../rotation.js';
import type { ServingCertificateSource } from './cert-dir.js';

/** Defaults of the names involved (lbkit's; MetalLB's are `metallb-webhook-*`). */
export const WEBHOOK_NAMES = {
  secret: 'lbkit-webhook-cert',
  service: 'lbkit-webhook-service',
  configuration: 'lbkit-webhook-configuration',
} as const;
/**
 * Interval between checks of the Secret and the caBundle. @default 60 s — picks up a certificate another
 * replica renewed, and repairs a caBundle someone overwrote (an `kubectl apply` of the manifest), within a
 * minute, for one GET of each per replica.
 */
export const ROTATION_CHECK_MS = 60_000;
/** Delay before retrying a failed check while there is no certificate yet. @default 2 s */
export const ROTATION_RETRY_MS = 2_000;

/** Options of {@link CertRotator}. */
export interface CertRotatorInit {
  readonly namespace: string;
  /** @default {@link WEBHOOK_NAMES}.secret */
  readonly secretName?: string;
  /** The webhook Service; the certificate names `<service>.<namespace>.svc`. @default {@link WEBHOOK_NAMES}.service */
  readonly serviceName?: string;
  /** @default {@link WEBHOOK_NAMES}.configuration */
  readonly webhookConfigurationName?: string;
  /** @default {@link ROTATION_CHECK_MS} */
  readonly checkIntervalMs?: number;
  /** @default {@link ROTATION_RETRY_MS} */
  readonly retryMs?: number;
  readonly renewBeforeMs?: number;
  readonly caValidityMs?: number;
  readonly servingValidityMs?: number;
}

/** Injected capabilities. */
export interface CertRotatorComponents {
  readonly kc: KubeConfig;
  readonly logger?: Logger;
  /** Wall time for validity decisions. @default () => new Date() */
  readonly now?: () => Date;
}

/** What the last check did. */
export interface RotationOutcome {
  /** `created`/`updated`: this replica wrote the Secret; `read`: it used what was there. */
  readonly secret: 'created' | 'updated' | 'read';
  readonly caBundle: 'patched' | 'unchanged' | 'configuration-missing';
}

/** The serving certificate, rotated through a Secret. */
export class CertRotator implements ServingCertificateSource {
  readonly #init: CertRotatorInit;
  readonly #core: CoreV1Api;
  readonly #admission: AdmissionregistrationV1Api;
  readonly #log: Logger;
  readonly #now: () => Date;
  readonly #listeners = new Set<(p: CertificatePair) => void>();
  #pair: CertificatePair | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #lastError = '';
  #checking: Promise<RotationOutcome | undefined> = Promise.resolve(undefined);

  constructor(init: CertRotatorInit, components: CertRotatorComponents) {
    this.#init = init;
    this.#core = components.kc.makeApiClient(CoreV1Api);
    this.#admission = components.kc.makeApiClient(AdmissionregistrationV1Api);
    this.#log = (components.logger ?? silentLogger).child({ component: 'webhook-certs' });
    this.#now = components.now ?? (() => new Date());
  }

  get #secretName(): string {
    return this.#init.secretName ?? WEBHOOK_NAMES.secret;
  }

  get #serviceName(): string {
    return this.#init.serviceName ?? WEBHOOK_NAMES.service;
  }

  get #configName(): string {
    return this.#init.webhookConfigurationName ?? WEBHOOK_NAMES.configuration;
  }

  /** The DNS names the serving certificate carries. */
  get dnsNames(): string[] {
    return serviceDnsNames(this.#serviceName, this.#init.namespace);
  }

  current(): CertificatePair | undefined {
    return this.#pair;
  }

  get waitingFor(): string | undefined {
    if (this.#pair !== undefined) return undefined;
    const s = `${this.#init.namespace}/${this.#secretName}`;
    return `the serving certificate in Secret ${s}${this.#lastError === '' ? '' : ` (${this.#lastError})`}`;
  }

  onChange(fn: (pair: CertificatePair) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** Checks until a certificate is in force (retrying failures), then keeps checking every interval. */
  async start(): Promise<CertificatePair> {
    if (this.#running) throw new Error('CertRotator.start: already started');
    this.#running = true;
    while (this.#running) {
      await this.check().catch(() => undefined);
      const pair = this.#pair;
      if (pair !== undefined) {
        this.#schedule();
        return pair;
      }
      await new Promise((r) => setTimeout(r, this.#init.retryMs ?? ROTATION_RETRY_MS).unref());
    }
    throw new Error('certificate rotation stopped before a certificate was obtained');
  }

  stop(): void {
    this.#running = false;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(): void {
    if (!this.#running) return;
    this.#timer = setTimeout(() => {
      void this.check()
        .catch(() => undefined)
        .finally(() => this.#schedule());
    }, this.#init.checkIntervalMs ?? ROTATION_CHECK_MS);
    this.#timer.unref();
  }

  /** One check: Secret read, renewed if needed and written; caBundle made to match; new certificate served. */
  check(): Promise<RotationOutcome | undefined> {
    // A failed check must not stop the next one: chain on the settled previous check.
    this.#checking = this.#checking
      .catch(() => undefined)
      .then(async () => {
        try {
          const out = await this.#check();
          this.#lastError = '';
          return out;
        } catch (err) {
          const message = `${httpStatus(err) ?? ''} ${(err as Error).message ?? String(err)}`.trim();
          if (message !== this.#lastError) this.#log.error({ err: message }, 'webhook certificate check failed');
          this.#lastError = message;
          throw err;
        }
      });
    return this.#checking;
  }

  async #check(): Promise<RotationOutcome> {
    const ns = this.#init.namespace;
    const name = this.#secretName;
    for (let attempt = 0; ; attempt++) {
      let secret: V1Secret | undefined;
      try {
        secret = await this.#core.readNamespacedSecret({ namespace: ns, name });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      const stored = decodeCertSecret(secret?.data);
      const now = this.#now();
      const r = await renewCertificates(stored, {
        now,
        dnsNames: this.dnsNames,
        ...(this.#init.renewBeforeMs === undefined ? {} : { renewBeforeMs: this.#init.renewBeforeMs }),
        ...(this.#init.caValidityMs === undefined ? {} : { caValidityMs: this.#init.caValidityMs }),
        ...(this.#init.servingValidityMs === undefined ? {} : { servingValidityMs: this.#init.servingValidityMs }),
      });
      let written: RotationOutcome['secret'] = 'read';
      if (r.changed) {
        try {
          written = await this.#write(secret, r.certs);
        } catch (err) {
          // Another replica wrote first: use what it wrote.
          if ((httpStatus(err) === 409 || httpStatus(err) === 404) && attempt < 3) continue;
          throw err;
        }
        this.#log.info(
          { secret: `${ns}/${name}`, ca: r.caProblem ?? 'kept', serving: r.servingProblem ?? 'kept' },
          'webhook certificates written',
        );
      }
      // The API server must trust the CA before any replica serves a certificate it signed.
      const caBundle = await this.#patchCaBundle(caBundleOf(r.certs, now));
      this.#use({ cert: r.certs.tlsCert as string, key: r.certs.tlsKey as string });
      return { secret: written, caBundle };
    }
  }

  async #write(secret: V1Secret | undefined, certs: StoredCertificates): Promise<'created' | 'updated'> {
    const ns = this.#init.namespace;
    const name = this.#secretName;
    const data = encodeCertSecret(certs);
    if (secret === undefined) {
      await this.#core.createNamespacedSecret({
        namespace: ns,
        body: { metadata: { name, namespace: ns }, type: 'Opaque', data },
      });
      return 'created';
    }
    // resourceVersion makes the write conditional: a concurrent writer gets 409 and re-reads.
    await this.#core.replaceNamespacedSecret({ namespace: ns, name, body: { ...secret, data } });
    return 'updated';
  }

  async #patchCaBundle(bundle: string): Promise<RotationOutcome['caBundle']> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#patchCaBundleOnce(bundle);
      } catch (err) {
        // Someone else changed the configuration between our read and write: read it again.
        if (httpStatus(err) !== 409 || attempt >= 3) throw err;
      }
    }
  }

  async #patchCaBundleOnce(bundle: string): Promise<RotationOutcome['caBundle']> {
    const name = this.#configName;
    let vwc: V1ValidatingWebhookConfiguration;
    try {
      vwc = await this.#admission.readValidatingWebhookConfiguration({ name });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      this.#log.warn(
        { configuration: name },
        'ValidatingWebhookConfiguration not found: the API server does not call this webhook until it exists',
      );
      return 'configuration-missing';
    }
    const b64 = Buffer.from(bundle, 'utf8').toString('base64');
    let changed = false;
    const webhooks = (vwc.webhooks ?? []).map((w) => {
      const svc = w.clientConfig.service;
      // Only the webhooks served here: a configuration may also hold someone else's.
      if (svc?.name !== this.#serviceName || svc.namespace !== this.#init.namespace) return w;
      if (w.clientConfig.caBundle === b64) return w;
      changed = true;
      return { ...w, clientConfig: { ...w.clientConfig, caBundle: b64 } };
    });
    if (!changed) return 'unchanged';
    await this.#admission.replaceValidatingWebhookConfiguration({ name, body: { ...vwc, webhooks } });
    this.#log.info({ configuration: name }, 'caBundle updated');
    return 'patched';
  }

  #use(pair: CertificatePair): void {
    if (this.#pair?.cert === pair.cert && this.#pair.key === pair.key) return;
    const first = this.#pair === undefined;
    this.#pair = pair;
    if (!first) for (const fn of this.#listeners) fn(pair);
  }
}
