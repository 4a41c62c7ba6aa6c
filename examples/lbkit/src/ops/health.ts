import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** One readiness condition: ready or not, and why. */
export interface ReadinessCheck {
  readonly name: string;
  check(): { ok: boolean; reason: string };
}

/** What the operations server serves. */
/**
 * The `config` readiness check: ready once a valid configuration is in force, saying when that is the last
 * good one because the latest is invalid.
 */
export function configCheck(state: () => { loaded: boolean; stale: boolean }): ReadinessCheck {
  return {
    name: 'config',
    check: () => {
      const { loaded, stale } = state();
      if (!loaded) return { ok: false, reason: 'no valid configuration yet' };
      return {
        ok: true,
        reason: stale
          ? 'configuration loaded; the latest one is invalid, so the last good one is in force'
          : 'configuration loaded',
      };
    },
  };
}

export interface OpsServerInit {
  readonly host: string;
  readonly port: number;
  readonly registry?: Registry;
  readonly checks: readonly ReadinessCheck[];
}

/**
 * The operations HTTP server: `/healthz` (the process answers), `/readyz` (every readiness check passes;
 * the body lists each with its reason) and `/metrics` (Prometheus text format).
 */
export class OpsServer {
  readonly #init: OpsServerInit;
  #server: Server | undefined;

  constructor(init: OpsServerInit) {
    this.#init = init;
  }

  /** Starts listening; resolves with the bound port (useful when `port` is 0). */
  async start(): Promise<number> {
    const server = createServer((req, res) => void this.#handle(req, res));
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#init.port, this.#init.host, () => resolve());
    });
    return (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const s = this.#server;
    this.#server = undefined;
    if (s === undefined) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  /** The readiness verdict as served on /readyz. */
  readiness(): { ready: boolean; checks: Array<{ name: string; ok: boolean; reason: string }> } {
    const checks = this.#init.checks.map((c) => ({ name: c.name, ...c.check() }));
    return { ready: checks.every((c) => c.ok), checks };
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz' || path === '/livez') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else if (path === '/readyz') {
      const r = this.readiness();
      const body = r.checks.map((c) => `[${c.ok ? '+' : '-'}] ${c.name}: ${c.reason}`).join('\n');
      res
        .writeHead(r.ready ? 200 : 503, { 'content-type': 'text/plain' })
        .end(`${r.ready ? 'ready' : 'not ready'}\n${body}\n`);
    } else if (path === '/metrics' && this.#init.registry !== undefined) {
      const text = await this.#init.registry.metrics();
      res.writeHead(200, { 'content-type': this.#init.registry.contentType }).end(text);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    }
  }
}
