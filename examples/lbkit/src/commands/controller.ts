import { resolve } from 'node:path';
import { createPinoLogger } from '@lbkit/core';
import { StandaloneController } from '../controller/standalone.js';
import { commonFlags, flagOrEnv, parseFlags, type CommonFlags } from '../flags.js';
import { hostname } from 'node:os';
import { KubeConfig } from '@kubernetes/client-node';
import { ClusterController } from '../controller/cluster.js';
import { runUntilSignal } from '../ops/run-service.js';
import { createMetrics } from '../ops/metrics.js';
import type { Output } from './output.js';
import { BGP_MODE } from '../controller/controller.js';
import { WEBHOOK_FLAG_OPTIONS, WEBHOOK_USAGE, webhookFlags, type WebhookFlags } from '../webhook/flags.js';
import { AdmissionWebhook, WatcherSource } from '../webhook/io/webhook.js';
import type { AdmissionSource } from '../webhook/handler.js';
import { configCheck, type ReadinessCheck } from '../ops/health.js';
import type { Logger } from '@lbkit/core';

export const CONTROLLER_USAGE = `lbkit controller [flags]

Allocates addresses to LoadBalancer Services from the configured pools and writes them into each
Service's status.

Flags (MetalLB's names where they mean the same):
  --kubeconfig FILE     cluster credentials (default: in-cluster, then KUBECONFIG, then ~/.kube/config)
  --pod-name NAME       identity for leader election (METALLB_POD_NAME; default: the host name)
  --ml-secret-name NAME the speakers' memberlist key Secret, created when missing (METALLB_ML_SECRET_NAME;
                        default memberlist; empty creates none)
  --standalone          read objects from files instead of a cluster
  -f, --file PATH       (standalone) a YAML file or folder of objects; repeatable
  --state FILE          (standalone) where Service statuses are written for the speakers
  --namespace NS        namespace of the metallb.io objects (METALLB_NAMESPACE; default metallb-system)
  --lb-class NAME       serve only Services of this loadBalancerClass (default: those without one)
  --log-level LEVEL     all, debug, info, warn, error, none (default info)
  --port N              port of /metrics, /healthz, /readyz (default 7472; 0 = off)
  --metrics-host ADDR   address of that server (default 0.0.0.0)

${WEBHOOK_USAGE}`;

/** `lbkit controller`: runs until SIGTERM or SIGINT. */
export async function runController(argv: readonly string[], io: Output): Promise<number> {
  const { values } = parseFlags(argv, {
    kubeconfig: { type: 'string' },
    'pod-name': { type: 'string' },
    'ml-secret-name': { type: 'string' },
    ...WEBHOOK_FLAG_OPTIONS,
  });
  if (values['help'] === true) {
    io.out(CONTROLLER_USAGE);
    return 0;
  }
  const flags = commonFlags(values, 7472);
  if (values['standalone'] !== true) return runClusterController(values, flags, webhookFlags(values), io);
  if (flags.files.length === 0 || flags.stateFile === undefined) {
    io.err(`lbkit controller: --standalone needs -f and --state\n\n${CONTROLLER_USAGE}`);
    return 2;
  }
  const logger = createPinoLogger({ level: flags.logLevel, name: 'controller', destination: 2 });
  const metrics = createMetrics();
  const ctl = new StandaloneController(
    {
      namespace: flags.namespace,
      loadBalancerClass: flags.lbClass,
      files: flags.files.map((f) => resolve(f)),
      stateFile: resolve(flags.stateFile),
    },
    { logger, metrics },
  );
  await runUntilSignal({
    host: flags.metricsHost,
    port: flags.port,
    registry: metrics.registry,
    logger,
    checks: [configCheck(() => ({ loaded: ctl.ready, stale: ctl.stale }))],
    start: () => {
      ctl.start();
      logger.info({ files: flags.files, state: flags.stateFile }, 'controller started (standalone)');
    },
    stop: () => ctl.stop(),
  });
  logger.info('controller stopped');
  return 0;
}

async function runClusterController(
  values: Record<string, unknown>,
  flags: CommonFlags,
  hook: WebhookFlags,
  io: Output,
): Promise<number> {
  const kc = new KubeConfig();
  const file = values['kubeconfig'];
  try {
    if (typeof file === 'string') kc.loadFromFile(file);
    else kc.loadFromDefault();
  } catch (err) {
    io.err(`lbkit controller: cannot load cluster credentials: ${(err as Error).message}`);
    return 2;
  }
  const logger = createPinoLogger({ level: flags.logLevel, name: 'controller', destination: 2 });
  const metrics = createMetrics();
  const identity = flagOrEnv(values, 'pod-name', 'METALLB_POD_NAME', hostname());
  const cachesCheck = (source: AdmissionSource): ReadinessCheck => ({
    name: 'caches',
    check: () =>
      source.synced
        ? { ok: true, reason: 'caches synced' }
        : { ok: false, reason: 'waiting for the first list of every watched kind' },
  });
  if (hook.mode === 'onlywebhook') {
    const source = new WatcherSource(kc, flags.namespace, { logger });
    const webhook = newWebhook(kc, hook, flags.namespace, source, logger);
    await runUntilSignal({
      host: flags.metricsHost,
      port: flags.port,
      registry: metrics.registry,
      logger,
      checks: [cachesCheck(source), { name: 'webhook', check: () => webhook.readiness() }],
      start: async () => {
        startWebhook(webhook, logger);
        await source.start();
        logger.info({ namespace: flags.namespace }, 'webhook started (onlywebhook: no allocation)');
      },
      stop: async () => {
        await webhook.stop();
        await source.stop();
      },
    });
    return 0;
  }
  const ctl = new ClusterController(
    kc,
    {
      namespace: flags.namespace,
      loadBalancerClass: flags.lbClass,
      identity,
      memberlistSecret: flagOrEnv(values, 'ml-secret-name', 'METALLB_ML_SECRET_NAME', 'memberlist'),
    },
    { logger, metrics },
  );
  // Every replica validates, leader or not: the webhook reads the watcher cache, never the Lease.
  const webhook = hook.mode === 'enabled' ? newWebhook(kc, hook, flags.namespace, ctl, logger) : undefined;
  await runUntilSignal({
    host: flags.metricsHost,
    port: flags.port,
    registry: metrics.registry,
    logger,
    checks: [
      cachesCheck(ctl),
      ...(webhook === undefined ? [] : [{ name: 'webhook', check: () => webhook.readiness() }]),
    ],
    start: async () => {
      // The webhook first, so that it answers (denying, with the reason) while the caches fill.
      if (webhook !== undefined) startWebhook(webhook, logger);
      await ctl.start();
      logger.info({ identity, namespace: flags.namespace, webhook: hook.mode }, 'controller started');
    },
    stop: async () => {
      await ctl.stop();
      await webhook?.stop();
    },
  });
  return 0;
}

function newWebhook(
  kc: KubeConfig,
  hook: WebhookFlags,
  namespace: string,
  source: AdmissionSource,
  logger: Logger,
): AdmissionWebhook {
  return new AdmissionWebhook({ ...hook, parse: { namespace, bgpMode: BGP_MODE } }, { kc, source, logger });
}

function startWebhook(webhook: AdmissionWebhook, logger: Logger): void {
  // Certificates may take a while (a Secret to create, RBAC to fix); /readyz says what it waits for.
  webhook.start().catch((err: unknown) => logger.error({ err: (err as Error).message }, 'webhook not started'));
}
