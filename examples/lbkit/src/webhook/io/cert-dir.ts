/**
 * The serving certificate from files (`--cert-dir`: `tls.crt`, `tls.key`), reloaded when they change. A
 * Secret mounted as a volume is updated in place by the kubelet (an atomic swap of a `..data` symlink),
 * cert-manager renews its Secrets that way, so the directory is watched and also re-read periodically
 * (inotify does not see every kind of swap on every volume type).
 */
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';
import { silentLogger, type Logger } from '@lbkit/core';
import type { CertificatePair } from '../certs.js';

/** controller-runtime's default, which MetalLB's manifests mount the Secret at. */
export const DEFAULT_CERT_DIR = '/tmp/k8s-webhook-server/serving-certs';
/** Re-read interval. @default 10 s — the kubelet itself refreshes mounted Secrets only about once a minute. */
export const CERT_DIR_POLL_MS = 10_000;

/** Options of {@link CertDirSource}. */
export interface CertDirInit {
  readonly dir: string;
  /** @default 'tls.crt' */
  readonly certFile?: string;
  /** @default 'tls.key' */
  readonly keyFile?: string;
  /** @default {@link CERT_DIR_POLL_MS} */
  readonly pollMs?: number;
}

/** A source of the serving certificate that reports each new one. */
export interface ServingCertificateSource {
  /** The certificate in force, once there is one. */
  current(): CertificatePair | undefined;
  /** Called with each new certificate (not the first: read {@link current} after start). */
  onChange(fn: (pair: CertificatePair) => void): () => void;
  /** Why there is no certificate yet (for readiness), or undefined when there is one. */
  readonly waitingFor: string | undefined;
  /** Starts; resolves once the first certificate is loaded. */
  start(): Promise<CertificatePair>;
  stop(): Promise<void> | void;
}

/** `tls.crt` and `tls.key` from a directory. */
export class CertDirSource implements ServingCertificateSource {
  readonly #init: CertDirInit;
  readonly #log: Logger;
  readonly #listeners = new Set<(p: CertificatePair) => void>();
  #pair: CertificatePair | undefined;
  #watcher: FSWatcher | undefined;
  #poll: NodeJS.Timeout | undefined;
  #debounce: NodeJS.Timeout | undefined;
  #lastProblem = '';
  #firstWaiters: ((p: CertificatePair) => void)[] = [];
  #reading: Promise<void> = Promise.resolve();

  constructor(init: CertDirInit, components: { logger?: Logger } = {}) {
    this.#init = init;
    this.#log = (components.logger ?? silentLogger).child({ component: 'webhook-certs', dir: init.dir });
  }

  current(): CertificatePair | undefined {
    return this.#pair;
  }

  get waitingFor(): string | undefined {
    if (this.#pair !== undefined) return undefined;
    return `a usable ${this.#certPath} and ${this.#keyPath}${this.#lastProblem === '' ? '' : ` (${this.#lastProblem})`}`;
  }

  onChange(fn: (pair: CertificatePair) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  get #certPath(): string {
    return join(this.#init.dir, this.#init.certFile ?? 'tls.crt');
  }

  get #keyPath(): string {
    return join(this.#init.dir, this.#init.keyFile ?? 'tls.key');
  }

  async start(): Promise<CertificatePair> {
    if (this.#poll === undefined) {
      this.#poll = setInterval(() => this.#reload(), this.#init.pollMs ?? CERT_DIR_POLL_MS);
      this.#poll.unref();
      try {
        this.#watcher = watch(this.#init.dir, () => {
          // A swap touches several entries: read once they have settled.
          if (this.#debounce !== undefined) clearTimeout(this.#debounce);
          this.#debounce = setTimeout(() => this.#reload(), 100);
        });
        this.#watcher.on('error', () => undefined);
      } catch {
        // The directory does not exist yet: polling finds the files once it does.
      }
      this.#reload();
    }
    await this.#reading;
    if (this.#pair !== undefined) return this.#pair;
    return new Promise((resolve) => this.#firstWaiters.push(resolve));
  }

  stop(): void {
    if (this.#poll !== undefined) clearInterval(this.#poll);
    if (this.#debounce !== undefined) clearTimeout(this.#debounce);
    this.#poll = undefined;
    this.#debounce = undefined;
    this.#watcher?.close();
    this.#watcher = undefined;
  }

  #reload(): void {
    this.#reading = this.#reading.then(() => this.#read());
  }

  async #read(): Promise<void> {
    let pair: CertificatePair;
    try {
      pair = { cert: await readFile(this.#certPath, 'utf8'), key: await readFile(this.#keyPath, 'utf8') };
    } catch (err) {
      this.#problem(`cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      return;
    }
    if (pair.cert === this.#pair?.cert && pair.key === this.#pair.key) return;
    try {
      createSecureContext({ cert: pair.cert, key: pair.key });
    } catch (err) {
      // Half-way through an update, or a broken Secret: keep serving the previous certificate.
      this.#problem(`unusable certificate or key: ${(err as Error).message}`);
      return;
    }
    const first = this.#pair === undefined;
    this.#pair = pair;
    this.#lastProblem = '';
    this.#log.info(first ? 'serving certificate loaded' : 'serving certificate reloaded');
    if (first) {
      for (const w of this.#firstWaiters) w(pair);
      this.#firstWaiters = [];
    } else for (const fn of this.#listeners) fn(pair);
  }

  #problem(problem: string): void {
    if (problem !== this.#lastProblem) this.#log.warn({ problem }, 'serving certificate not (re)loaded');
    this.#lastProblem = problem;
  }
}
