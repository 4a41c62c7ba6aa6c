import type { Logger } from '@lbkit/core';
import type { Registry } from 'prom-client';
import { OpsServer, type ReadinessCheck } from './health.js';

/** What {@link runUntilSignal} runs. */
export interface ServiceRun {
  readonly host: string;
  /** Port of /metrics, /healthz and /readyz; 0 serves nothing. */
  readonly port: number;
  readonly registry: Registry;
  readonly checks: readonly ReadinessCheck[];
  readonly logger: Logger;
  start(): Promise<void> | void;
  stop(): Promise<void> | void;
}

/**
 * The life of a long-running command: the operations server up, the component started, then SIGTERM or
 * SIGINT, then the component stopped before the server, so /readyz answers until the very end.
 */
export async function runUntilSignal(run: ServiceRun): Promise<void> {
  const ops = new OpsServer({ host: run.host, port: run.port, registry: run.registry, checks: run.checks });
  if (run.port !== 0) await ops.start();
  try {
    await run.start();
    const signal = await new Promise<string>((done) => {
      process.once('SIGTERM', () => done('SIGTERM'));
      process.once('SIGINT', () => done('SIGINT'));
    });
    run.logger.info({ signal }, 'stopping');
    await run.stop();
  } finally {
    await ops.stop();
  }
}
