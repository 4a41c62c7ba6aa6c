/**
 * The webhook's HTTPS server: reads a bounded body, hands it to {@link handleWebhookRequest}, writes the
 * answer. The serving certificate can be replaced while running (a rotated Secret or a renewed file):
 * new connections get the new one, open connections finish with the old.
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createSecureContext, type SecureVersion } from 'node:tls';
import { silentLogger, type Logger } from '@lbkit/core';
import type { ParseOptions } from '@lbkit/k8s-adapter';
import type { CertificatePair } from '../certs.js';
import { handleWebhookRequest, type AdmissionSource } from '../handler.js';

/**
 * Largest request body accepted. @default 4 MiB — an AdmissionReview carries the object and, on update,
 * the old one; etcd refuses objects over 1.5 MiB, so two of them and the envelope fit with room to spare,
 * while a client cannot make the process buffer without bound.
 */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;
/** MetalLB's webhook port. */
export const WEBHOOK_PORT = 9443;
/**
 * Time allowed for a whole request. @default 30 s — the API server gives a webhook 10 s by default
 * (timeoutSeconds) and at most 30 s; a client slower than that is not the API server.
 */
export const REQUEST_TIMEOUT_MS = 30_000;

/** Options of {@link WebhookServer}. */
export interface WebhookServerInit {
  /** @default '0.0.0.0' */
  readonly host?: string;
  /** @default {@link WEBHOOK_PORT}; 0 picks a free port. */
  readonly port?: number;
  /** The namespace and BGP mode the configuration is checked with (as the controller parses it). */
  readonly parse: ParseOptions;
  /** @default {@link MAX_BODY_BYTES} */
  readonly maxBodyBytes?: number;
  /** @default 'TLSv1.3' — MetalLB's default (`--tls-min-version`); every supported API server speaks it. */
  readonly minTlsVersion?: SecureVersion;
}

/** Injected capabilities. */
export interface WebhookServerComponents {
  readonly source: AdmissionSource;
  readonly logger?: Logger;
}

/** The validating webhook over HTTPS (HTTP/1.1, as MetalLB serves it unless HTTP/2 is asked for). */
export class WebhookServer {
  readonly #init: WebhookServerInit;
  readonly #source: AdmissionSource;
  readonly #log: Logger;
  readonly #sockets = new Set<Socket>();
  #server: Server | undefined;
  #pair: CertificatePair | undefined;
  #port = 0;

  constructor(init: WebhookServerInit, components: WebhookServerComponents) {
    this.#init = init;
    this.#source = components.source;
    this.#log = (components.logger ?? silentLogger).child({ component: 'webhook' });
  }

  /** True once listening with a certificate. */
  get serving(): boolean {
    return this.#server !== undefined;
  }

  /** The bound port (after {@link start}). */
  get port(): number {
    return this.#port;
  }

  /**
   * Sets the serving certificate; while running, new connections use it at once. Throws (and keeps the
   * current one) when the key does not match the certificate or either does not parse.
   */
  setCertificate(pair: CertificatePair): void {
    const options = { cert: pair.cert, key: pair.key, minVersion: this.#init.minTlsVersion ?? 'TLSv1.3' } as const;
    createSecureContext(options); // throws on a bad pair before anything is replaced
    this.#pair = pair;
    this.#server?.setSecureContext(options);
  }

  /** Starts listening; needs a certificate set first. Resolves with the bound port. */
  async start(): Promise<number> {
    if (this.#server !== undefined) return this.#port;
    const pair = this.#pair;
    if (pair === undefined) throw new Error('WebhookServer.start: no serving certificate set');
    const server = createServer({
      cert: pair.cert,
      key: pair.key,
      minVersion: this.#init.minTlsVersion ?? 'TLSv1.3',
      requestTimeout: REQUEST_TIMEOUT_MS,
      headersTimeout: 10_000,
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => this.#handle(req, res));
    server.on('secureConnection', (s: Socket) => {
      this.#sockets.add(s);
      s.once('close', () => this.#sockets.delete(s));
    });
    server.on('tlsClientError', (err: Error) => this.#log.debug({ err: err.message }, 'TLS handshake failed'));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#init.port ?? WEBHOOK_PORT, this.#init.host ?? '0.0.0.0', () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err: Error) => this.#log.error({ err: err.message }, 'webhook server error'));
    this.#server = server;
    this.#port = (server.address() as AddressInfo).port;
    this.#log.info({ port: this.#port }, 'webhook serving');
    return this.#port;
  }

  /** Stops listening and closes every connection. */
  async stop(): Promise<void> {
    const s = this.#server;
    this.#server = undefined;
    if (s === undefined) return;
    for (const sock of this.#sockets) sock.destroy();
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const limit = this.#init.maxBodyBytes ?? MAX_BODY_BYTES;
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > limit) {
      this.#tooLarge(res, limit);
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let aborted = false;
    req.on('data', (c: Buffer) => {
      if (aborted) return;
      size += c.length;
      if (size > limit) {
        aborted = true;
        this.#tooLarge(res, limit);
        return;
      }
      chunks.push(c);
    });
    req.on('error', () => res.destroy());
    req.on('end', () => {
      if (aborted) return;
      try {
        const out = handleWebhookRequest(
          {
            method: req.method ?? 'GET',
            url: req.url ?? '/',
            contentType: req.headers['content-type'],
            body: Buffer.concat(chunks),
          },
          this.#source,
          this.#init.parse,
        );
        const d = out.decision;
        if (d !== undefined) {
          const fields = { path: d.route.path, object: d.name, uid: d.uid, allowed: d.allowed };
          if (d.allowed) this.#log.debug(fields, 'admitted');
          else this.#log.info({ ...fields, reason: d.message }, 'denied');
        } else this.#log.info({ status: out.status, path: req.url, body: out.body.trim() }, 'bad webhook request');
        res.writeHead(out.status, { 'content-type': out.contentType }).end(out.body);
      } catch (err) {
        this.#log.error({ err: (err as Error).message, path: req.url }, 'webhook handler failed');
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('internal error\n');
      }
    });
  }

  #tooLarge(res: ServerResponse, limit: number): void {
    // Close the connection: the rest of the body is not read.
    res
      .writeHead(413, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' })
      .end(`request body larger than ${limit} bytes\n`);
  }
}
