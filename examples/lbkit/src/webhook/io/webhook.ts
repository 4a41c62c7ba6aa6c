/**
 * The admission webhook as the controller runs it: a certificate source (rotation through a Secret, or
 * files in --cert-dir) feeding the HTTPS server, and a readiness verdict for /readyz.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { silentLogger, type Logger } from '@lbkit/core';
import { ClusterWatcher, type ConfigInput, type ParseOptions } from '@lbkit/k8s-adapter';
import type { AdmissionSource } from '../handler.js';
import type { WebhookFlags } from '../flags.js';
import { CertDirSource, type ServingCertificateSource } from './cert-dir.js';
import { CertRotator } from './rotator.js';
import { WebhookServer } from './server.js';

/** Injected capabilities of {@link AdmissionWebhook}. */
export interface AdmissionWebhookComponents {
  readonly kc: KubeConfig;
  readonly source: AdmissionSource;
  readonly logger?: Logger;
  /** Wall time for certificate validity (rotation). */
  readonly now?: () => Date;
}

/** Options of {@link AdmissionWebhook}. */
export type AdmissionWebhookInit = Pick<
  WebhookFlags,
  | 'host'
  | 'port'
  | 'certDir'
  | 'serviceName'
  | 'secretName'
  | 'configurationName'
  | 'disableCertRotation'
  | 'minTlsVersion'
> & {
  readonly parse: ParseOptions;
  /** Rotation check interval (tests shorten it). */
  readonly checkIntervalMs?: number;
  /** --cert-dir re-read interval (tests shorten it). */
  readonly pollMs?: number;
};

/** Certificates plus server; serves as soon as a certificate exists. */
export class AdmissionWebhook {
  readonly #init: AdmissionWebhookInit;
  readonly #log: Logger;
  readonly certificates: ServingCertificateSource;
  readonly server: WebhookServer;
  readonly #source: AdmissionSource;
  #failure: string | undefined;
  #started: Promise<void> | undefined;

  constructor(init: AdmissionWebhookInit, components: AdmissionWebhookComponents) {
    this.#init = init;
    this.#log = (components.logger ?? silentLogger).child({ component: 'webhook' });
    this.#source = components.source;
    this.certificates = init.disableCertRotation
      ? new CertDirSource(
          { dir: init.certDir, ...(init.pollMs === undefined ? {} : { pollMs: init.pollMs }) },
          { logger: this.#log },
        )
      : new CertRotator(
          {
            namespace: init.parse.namespace,
            secretName: init.secretName,
            serviceName: init.serviceName,
            webhookConfigurationName: init.configurationName,
            ...(init.checkIntervalMs === undefined ? {} : { checkIntervalMs: init.checkIntervalMs }),
          },
          { kc: components.kc, logger: this.#log, ...(components.now === undefined ? {} : { now: components.now }) },
        );
    this.server = new WebhookServer(
      { host: init.host, port: init.port, parse: init.parse, minTlsVersion: init.minTlsVersion },
      { source: components.source, logger: this.#log },
    );
    this.certificates.onChange((pair) => {
      try {
        this.server.setCertificate(pair);
        this.#log.info('serving the new certificate');
      } catch (err) {
        this.#log.error({ err: (err as Error).message }, 'new certificate refused; the previous one is served');
      }
    });
  }

  /**
   * Starts in the background: the server listens once the first certificate is there. Resolves when it
   * listens; a failure to listen (port in use) rejects, and readiness reports it.
   */
  start(): Promise<void> {
    this.#started ??= (async () => {
      const pair = await this.certificates.start();
      this.server.setCertificate(pair);
      try {
        await this.server.start();
      } catch (err) {
        this.#failure = `cannot listen on ${this.#init.host}:${this.#init.port}: ${(err as Error).message}`;
        this.#log.error({ err: this.#failure }, 'webhook not served');
        throw err;
      }
    })();
    return this.#started;
  }

  async stop(): Promise<void> {
    await this.certificates.stop();
    await this.server.stop();
  }

  /** The /readyz verdict: serving with a certificate, and the cache synced. */
  readiness(): { ok: boolean; reason: string } {
    if (this.#failure !== undefined) return { ok: false, reason: this.#failure };
    const waiting = this.certificates.waitingFor;
    if (waiting !== undefined) return { ok: false, reason: `waiting for ${waiting}` };
    if (!this.server.serving) return { ok: false, reason: 'starting' };
    if (!this.#source.synced)
      return { ok: false, reason: `serving on port ${this.server.port}; cache not synced (denying)` };
    return { ok: true, reason: `serving on port ${this.server.port}` };
  }
}

/** The admission source of `--webhook-mode=onlywebhook`: a watcher of its own, no controller. */
export class WatcherSource implements AdmissionSource {
  readonly #watcher: ClusterWatcher;
  #synced = false;

  constructor(kc: KubeConfig, namespace: string, components: { logger?: Logger } = {}) {
    this.#watcher = new ClusterWatcher(
      kc,
      { namespace },
      components.logger === undefined ? {} : { logger: components.logger },
    );
  }

  get synced(): boolean {
    return this.#synced;
  }

  configInput(): ConfigInput {
    return this.#watcher.configInput();
  }

  async start(): Promise<void> {
    await this.#watcher.start();
    this.#synced = true;
  }

  async stop(): Promise<void> {
    await this.#watcher.stop();
  }
}
