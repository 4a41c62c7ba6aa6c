import { resolve } from 'node:path';
import { createPinoLogger, realClock } from '@lbkit/core';
import { PROFILES, type ProfileName } from '@lbkit/election';
import { FlagError, commonFlags, flagOrEnv, parseFlags, portFlag } from '../flags.js';
import { runUntilSignal } from '../ops/run-service.js';
import { createMetrics } from '../ops/metrics.js';
import { NodeSpeaker } from '../speaker/node-speaker.js';
import { bgpFactory, createAnnouncerFor, createMemberFor } from '../speaker/runtime.js';
import { StandaloneFeed } from '../speaker/standalone.js';
import type { Output } from './output.js';

export const SPEAKER_USAGE = `lbkit speaker --node-name NAME [flags]

Makes this node answer for the Service addresses it owns (layer 2: ARP and NDP) and advertise them to its
BGP peers. Needs CAP_NET_RAW and CAP_NET_ADMIN (or root).

Flags (MetalLB's names where they mean the same):
  --node-name NAME          this node (METALLB_NODE_NAME; required)
  --ml-bindaddr ADDR        memberlist address (METALLB_ML_BIND_ADDR; required)
  --ml-bindport N           memberlist UDP/TCP port (METALLB_ML_BIND_PORT; default 7946)
  --ml-seeds H:P,...        members to join through (LBKIT_ML_SEEDS)
  --ml-secret-key-path DIR  folder with the shared key file "secretkey" (METALLB_ML_SECRET_KEY_PATH)
  --ml-profile NAME         failure-detection profile: default, aggressive, memberlist-lan (default: default)
  --interfaces REGEX,...    announce only on matching interfaces (default: every eligible one)
  --standalone              read objects from files instead of a cluster
  -f, --file PATH           (standalone) YAML file or folder of objects; repeatable
  --state FILE              (standalone) the controller's status file
  --namespace NS, --lb-class NAME, --log-level LEVEL, --port N (default 7473), --metrics-host ADDR
  --ignore-exclude-lb       announce from nodes labelled exclude-from-external-load-balancers too`;

/** `lbkit speaker`: runs until SIGTERM or SIGINT, then leaves the membership so addresses move at once. */
export async function runSpeaker(argv: readonly string[], io: Output): Promise<number> {
  const { values } = parseFlags(argv, {
    'node-name': { type: 'string' },
    'ml-bindaddr': { type: 'string' },
    'ml-bindport': { type: 'string' },
    'ml-seeds': { type: 'string' },
    'ml-secret-key-path': { type: 'string' },
    'ml-profile': { type: 'string' },
    interfaces: { type: 'string' },
    'ignore-exclude-lb': { type: 'boolean' },
  });
  if (values['help'] === true) {
    io.out(SPEAKER_USAGE);
    return 0;
  }
  const flags = commonFlags(values, 7473);
  const nodeName = flagOrEnv(values, 'node-name', 'METALLB_NODE_NAME', '');
  const bindAddress = flagOrEnv(values, 'ml-bindaddr', 'METALLB_ML_BIND_ADDR', '');
  if (nodeName === '') throw new FlagError('--node-name: required (or METALLB_NODE_NAME)');
  if (bindAddress === '') throw new FlagError('--ml-bindaddr: required (or METALLB_ML_BIND_ADDR)');
  const profile = flagOrEnv(values, 'ml-profile', 'LBKIT_ML_PROFILE', 'default');
  if (!(profile in PROFILES))
    throw new FlagError(
      `--ml-profile: expected ${Object.keys(PROFILES).join(', ')}, received ${JSON.stringify(profile)}`,
    );
  if (values['standalone'] !== true) {
    io.err('lbkit speaker: cluster mode is not available in this build yet; use --standalone with -f and --state');
    return 2;
  }
  if (flags.files.length === 0 || flags.stateFile === undefined)
    throw new FlagError('--standalone needs -f and --state');

  const logger = createPinoLogger({ level: flags.logLevel, name: 'speaker', destination: 2 }).child({ node: nodeName });
  const metrics = createMetrics();
  const seeds = flagOrEnv(values, 'ml-seeds', 'LBKIT_ML_SEEDS', '')
    .split(',')
    .filter((s) => s !== '');
  const secretKeyPath = flagOrEnv(values, 'ml-secret-key-path', 'METALLB_ML_SECRET_KEY_PATH', '');
  const member = createMemberFor({
    nodeName,
    bindAddress,
    port: portFlag('ml-bindport', flagOrEnv(values, 'ml-bindport', 'METALLB_ML_BIND_PORT', '7946')),
    seeds,
    profile: profile as ProfileName,
    secretKeyPath: secretKeyPath === '' ? undefined : secretKeyPath,
  });
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
  const feed = new StandaloneFeed(
    { files: flags.files.map((f) => resolve(f)), stateFile: resolve(flags.stateFile) },
    { speaker, logger },
  );
  await runUntilSignal({
    host: flags.metricsHost,
    port: flags.port,
    registry: metrics.registry,
    logger,
    checks: [
      {
        name: 'config',
        check: () =>
          speaker.configState?.config !== undefined
            ? { ok: true, reason: 'configuration loaded' }
            : { ok: false, reason: 'no valid configuration yet' },
      },
      {
        name: 'memberlist',
        check: () => {
          const n = member.members().filter((m) => m.status === 'alive').length;
          return n > 1 || seeds.length === 0
            ? { ok: true, reason: `${n} alive member(s)` }
            : { ok: false, reason: 'not joined yet' };
        },
      },
    ],
    start: async () => {
      await speaker.start();
      feed.start();
      logger.info({ bindAddress, seeds, profile }, 'speaker started (standalone)');
    },
    stop: async () => {
      feed.stop();
      await speaker.stop({ graceful: true });
      await bgp.close();
    },
  });
  logger.info('speaker stopped');
  return 0;
}
