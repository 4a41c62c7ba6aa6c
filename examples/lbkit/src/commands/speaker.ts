import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { createPinoLogger, realClock, type Logger } from '@lbkit/core';
import { PROFILES, type ProfileName } from '@lbkit/election';
import { FlagError, commonFlags, flagOrEnv, parseFlags, portFlag } from '../flags.js';
import { configCheck } from '../ops/health.js';
import { runUntilSignal } from '../ops/run-service.js';
import { createMetrics } from '../ops/metrics.js';
import { NodeSpeaker } from '../speaker/node-speaker.js';
import { bgpFactory, createAnnouncerFor, createMemberFor } from '../speaker/runtime.js';
import { StandaloneFeed } from '../speaker/standalone.js';
import { ClusterSpeaker } from '../speaker/cluster.js';
import { MEMBERLIST_SECRET_NAME, type OwnerReference } from '@lbkit/k8s-adapter';
import type { Output } from './output.js';

export const SPEAKER_USAGE = `lbkit speaker --node-name NAME [flags]

Makes this node answer for the Service addresses it owns (layer 2: ARP and NDP) and advertise them to its
BGP peers. Needs CAP_NET_RAW and CAP_NET_ADMIN (or root).

Flags (MetalLB's names where they mean the same):
  --node-name NAME          this node (METALLB_NODE_NAME; required)
  --ml-bindaddr ADDR        memberlist address (METALLB_ML_BIND_ADDR; required)
  --ml-bindport N           memberlist UDP/TCP port (METALLB_ML_BIND_PORT; default 7946)
  --ml-seeds H:P,...        members to join through (LBKIT_ML_SEEDS), besides the discovered speakers
  --ml-labels SELECTOR      label selector of the speaker Pods whose addresses seed the membership
                            (METALLB_ML_LABELS; cluster mode)
  --ml-secret-key-path DIR  folder with the shared key file "secretkey" (METALLB_ML_SECRET_KEY_PATH);
                            without it, cluster mode reads the key from the Secret --ml-secret-name
  --ml-secret-name NAME     the memberlist key Secret in --namespace (METALLB_ML_SECRET_NAME; default memberlist)
  --ml-profile NAME         failure-detection profile: default, aggressive, memberlist-lan (default: default)
  --interfaces REGEX,...    announce only on matching interfaces (default: every eligible one)
  --kubeconfig FILE         cluster credentials (default: in-cluster, then KUBECONFIG, then ~/.kube/config)
  --pod-name NAME           this speaker's Pod, owner of the status objects it creates (METALLB_POD_NAME)
  --standalone              read objects from files instead of a cluster
  -f, --file PATH           (standalone) YAML file or folder of objects; repeatable
  --state FILE              (standalone) the controller's status file
  --namespace NS, --lb-class NAME, --log-level LEVEL, --port N (default 7472), --metrics-host ADDR
  --ignore-exclude-lb       announce from nodes labelled exclude-from-external-load-balancers too`;

/** `lbkit speaker`: runs until SIGTERM or SIGINT, then leaves the membership so addresses move at once. */
export async function runSpeaker(argv: readonly string[], io: Output): Promise<number> {
  const { values } = parseFlags(argv, {
    'node-name': { type: 'string' },
    'ml-bindaddr': { type: 'string' },
    'ml-bindport': { type: 'string' },
    'ml-seeds': { type: 'string' },
    'ml-secret-key-path': { type: 'string' },
    'ml-secret-name': { type: 'string' },
    'ml-labels': { type: 'string' },
    kubeconfig: { type: 'string' },
    'pod-name': { type: 'string' },
    'ml-profile': { type: 'string' },
    interfaces: { type: 'string' },
    'ignore-exclude-lb': { type: 'boolean' },
  });
  if (values['help'] === true) {
    io.out(SPEAKER_USAGE);
    return 0;
  }
  const flags = commonFlags(values, 7472);
  const nodeName = flagOrEnv(values, 'node-name', 'METALLB_NODE_NAME', '');
  const bindAddress = flagOrEnv(values, 'ml-bindaddr', 'METALLB_ML_BIND_ADDR', '');
  if (nodeName === '') throw new FlagError('--node-name: required (or METALLB_NODE_NAME)');
  if (bindAddress === '') throw new FlagError('--ml-bindaddr: required (or METALLB_ML_BIND_ADDR)');
  const profile = flagOrEnv(values, 'ml-profile', 'LBKIT_ML_PROFILE', 'default');
  if (!(profile in PROFILES))
    throw new FlagError(
      `--ml-profile: expected ${Object.keys(PROFILES).join(', ')}, received ${JSON.stringify(profile)}`,
    );
  const standalone = values['standalone'] === true;
  if (standalone && (flags.files.length === 0 || flags.stateFile === undefined))
    throw new FlagError('--standalone needs -f and --state');
  const podSelector = flagOrEnv(values, 'ml-labels', 'METALLB_ML_LABELS', '');

  const logger = createPinoLogger({ level: flags.logLevel, name: 'speaker', destination: 2 }).child({ node: nodeName });
  const metrics = createMetrics();
  const seeds = flagOrEnv(values, 'ml-seeds', 'LBKIT_ML_SEEDS', '')
    .split(',')
    .filter((s) => s !== '');
  let secretKeyPath: string | undefined = flagOrEnv(values, 'ml-secret-key-path', 'METALLB_ML_SECRET_KEY_PATH', '');
  if (secretKeyPath === '') secretKeyPath = undefined;
  const memberPort = portFlag('ml-bindport', flagOrEnv(values, 'ml-bindport', 'METALLB_ML_BIND_PORT', '7946'));
  let kc: KubeConfig | undefined;
  let owner: OwnerReference | undefined;
  let keyDir: string | undefined;
  if (!standalone) {
    kc = new KubeConfig();
    if (typeof values['kubeconfig'] === 'string') kc.loadFromFile(values['kubeconfig']);
    else kc.loadFromDefault();
    const podName = flagOrEnv(values, 'pod-name', 'METALLB_POD_NAME', '');
    if (podName !== '') owner = await podOwner(kc, flags.namespace, podName, logger);
    if (secretKeyPath === undefined) {
      // No mounted key: read the controller's Secret, as the mounted file would hold it.
      const name = flagOrEnv(values, 'ml-secret-name', 'METALLB_ML_SECRET_NAME', MEMBERLIST_SECRET_NAME);
      const key = await ClusterSpeaker.readMemberlistKey(kc, flags.namespace, name, 30_000);
      if (key === undefined)
        logger.warn({ secret: `${flags.namespace}/${name}` }, 'no memberlist key: membership traffic is not encrypted');
      else {
        keyDir = mkdtempSync(join(tmpdir(), 'lbkit-ml-'));
        writeFileSync(join(keyDir, 'secretkey'), key, { mode: 0o600 });
        secretKeyPath = keyDir;
      }
    }
  } else if (secretKeyPath === undefined) logger.warn('no --ml-secret-key-path: membership traffic is not encrypted');
  const member = createMemberFor({
    nodeName,
    bindAddress,
    port: memberPort,
    seeds,
    profile: profile as ProfileName,
    secretKeyPath,
  });
  if (keyDir !== undefined) rmSync(keyDir, { recursive: true, force: true });
  const include =
    typeof values['interfaces'] === 'string' ? values['interfaces'].split(',').filter(Boolean) : undefined;
  const announcer = createAnnouncerFor(include === undefined ? {} : { includeInterfaces: include }, {
    clock: realClock,
    logger: logger.child({ component: 'arp' }),
  });
  // The BGP factory's callbacks read the speaker it is given to, once that exists.
  const ref: { speaker?: NodeSpeaker } = {};
  const bgp = bgpFactory({
    clock: realClock,
    logger: logger.child({ component: 'bgp' }),
    bfdProfiles: () => ref.speaker?.configState?.config?.bfdProfiles ?? new Map(),
    allowsExport: (prefix, peer) => ref.speaker?.allowsExport(prefix, peer) ?? false,
  });
  const speaker = new NodeSpeaker(
    {
      nodeName,
      namespace: flags.namespace,
      nodeAddress: bindAddress,
      ignoreExcludeLabel: values['ignore-exclude-lb'] === true,
    },
    { clock: realClock, logger, member, announcer, bgp: bgp.factory, metrics },
  );
  ref.speaker = speaker;
  const feed =
    kc === undefined
      ? new StandaloneFeed(
          { files: flags.files.map((f) => resolve(f)), stateFile: resolve(flags.stateFile ?? '') },
          { speaker, logger },
        )
      : undefined;
  const cluster =
    kc === undefined
      ? undefined
      : new ClusterSpeaker(
          kc,
          {
            namespace: flags.namespace,
            nodeName,
            bindAddress,
            memberPort,
            ...(podSelector === '' ? {} : { podSelector }),
            ...(owner === undefined ? {} : { owner }),
          },
          { logger, speaker, member, metrics },
        );
  if (cluster !== undefined && podSelector === '' && seeds.length === 0)
    logger.warn('no --ml-labels and no --ml-seeds: this speaker will not find the others');
  await runUntilSignal({
    host: flags.metricsHost,
    port: flags.port,
    registry: metrics.registry,
    logger,
    checks: [
      configCheck(() => ({
        loaded: speaker.configState?.config !== undefined,
        stale: speaker.configState?.stale ?? false,
      })),
      ...(cluster === undefined
        ? []
        : [
            {
              name: 'cluster',
              check: () =>
                cluster.synced
                  ? { ok: true, reason: 'caches synced' }
                  : { ok: false, reason: 'waiting for the first list of every watched kind' },
            },
          ]),
      {
        name: 'bgp',
        check: () => {
          const sessions = speaker.bgpSessions();
          const up = sessions.filter((s) => s.state === 'established');
          if (sessions.length === 0) return { ok: true, reason: 'no BGP peers for this node' };
          const down = sessions.filter((s) => s.state !== 'established').map((s) => `${s.peer} ${s.state}`);
          return up.length > 0
            ? {
                ok: true,
                reason: `${up.length}/${sessions.length} established${down.length > 0 ? `; ${down.join(', ')}` : ''}`,
              }
            : { ok: false, reason: `no session established: ${down.join(', ')}` };
        },
      },
      {
        name: 'memberlist',
        check: () => {
          const n = member.members().filter((m) => m.status === 'alive').length;
          const expected = seeds.length > 0 || (cluster?.seeds.length ?? 0) > 0;
          return n > 1 || !expected
            ? { ok: true, reason: `${n} alive member(s)` }
            : { ok: false, reason: 'not joined yet' };
        },
      },
    ],
    start: async () => {
      await speaker.start();
      feed?.start();
      await cluster?.start();
      logger.info(
        { bindAddress, seeds, profile, mode: cluster === undefined ? 'standalone' : 'cluster' },
        'speaker started',
      );
    },
    stop: async () => {
      feed?.stop();
      // Leave first, so the next owners take over at once; then tidy the status objects.
      await speaker.stop({ graceful: true });
      await cluster?.stop({ graceful: true });
      await bgp.close();
    },
  });
  logger.info('speaker stopped');
  return 0;
}

/** The speaker's own Pod as owner reference of the status objects it creates; undefined when not readable. */
async function podOwner(
  kc: KubeConfig,
  namespace: string,
  name: string,
  logger: Logger,
): Promise<OwnerReference | undefined> {
  try {
    const pod = await kc.makeApiClient(CoreV1Api).readNamespacedPod({ namespace, name });
    const uid = pod.metadata?.uid;
    if (uid === undefined) return undefined;
    return { apiVersion: 'v1', kind: 'Pod', name, uid };
  } catch (err) {
    logger.warn(
      { pod: `${namespace}/${name}`, err: (err as Error).message },
      "cannot read this speaker's Pod; status objects get no owner",
    );
    return undefined;
  }
}
