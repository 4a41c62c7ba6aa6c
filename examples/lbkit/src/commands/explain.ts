import { realClock, silentLogger } from '@lbkit/core';
import { chooseOwner } from '@lbkit/election';
import {
  EXCLUDE_FROM_LB_LABEL,
  IP_ALLOCATED_FROM_POOL,
  anyMatches,
  bgpIntents,
  formatCommunity,
  l2Intents,
  l2Interfaces,
  mapNode,
  mapService,
  parseConfig,
  poolOfAddress,
  toIpamRequest,
  type AnnounceSkipReason,
  type NodeSkipReason,
  type LbConfig,
  type NodeInfo,
  type Service,
  type ServiceEndpoints,
} from '@lbkit/k8s-adapter';
import { BGP_MODE, Controller } from '../controller/controller.js';
import { commonFlags, parseFlags } from '../flags.js';
import { loadObjects } from '../objects/load-yaml.js';
import type { ObjectSet } from '../objects/object-set.js';
import { endpointsByService } from '../speaker/node-speaker.js';
import { readState, withState } from '../standalone/state-file.js';
import type { Output } from './output.js';

export const EXPLAIN_USAGE = `lbkit explain NAMESPACE/NAME -f FILE|DIR... [--state FILE] [--namespace NS] [--lb-class NAME]
                                            [--ignore-exclude-lb]

Prints why a Service has the address it has, or why it has none, and who announces it:
  - the address decision, and for every pool whether it was chosen, could have served, or was rejected,
    with each reason (namespace fence, selector mismatch, family, autoAssign off, exhausted, sharing-key
    conflict, port clash, the other Service holding an address);
  - layer 2: the nodes that may announce the address and why each other node may not (advertisement
    nodeSelectors, externalTrafficPolicy Local without a local endpoint, the exclude label,
    NetworkUnavailable), the election's ranking of the eligible nodes (owner first, then the order in which
    they take over; every eligible node assumed alive, as liveness is not in the files), and the interfaces;
  - BGP: for every node, the prefixes it advertises for the Service, to which peers, with which local
    preference and communities, or why it advertises nothing.
The speakers' view is computed from the same objects and rules they use (Nodes and EndpointSlices from the
files); --ignore-exclude-lb is the speakers' flag of that name.`;

/** `lbkit explain`. */
export function runExplain(argv: readonly string[], io: Output): number {
  const { values, positionals } = parseFlags(argv, { 'ignore-exclude-lb': { type: 'boolean' } });
  if (values['help'] === true) {
    io.out(EXPLAIN_USAGE);
    return 0;
  }
  const flags = commonFlags(values, 0);
  const [target] = positionals;
  if (target === undefined || !target.includes('/') || flags.files.length === 0) {
    io.err(`lbkit explain: need NAMESPACE/NAME and -f files\n\n${EXPLAIN_USAGE}`);
    return 2;
  }
  const loaded = loadObjects(flags.files);
  const objects =
    flags.stateFile === undefined ? loaded.objects : withState(loaded.objects, readState(flags.stateFile));
  const svc = objects.services.find(
    (s) => `${s.metadata?.namespace ?? 'default'}/${s.metadata?.name ?? ''}` === target,
  );
  if (svc === undefined) {
    io.err(`lbkit explain: no Service ${target} in the files`);
    return 1;
  }
  const controller = new Controller(
    { namespace: flags.namespace, loadBalancerClass: flags.lbClass },
    { clock: realClock, logger: silentLogger },
  );
  // Every other Service first, so the explanation sees the addresses they hold; then this one, asking only.
  const others = { ...objects, services: objects.services.filter((s) => s !== svc) };
  const state = controller.reconcile(others);
  if (state.config.config === undefined) {
    io.out('no valid configuration: the Service is not touched until one is loaded');
    for (const e of state.config.errors) io.out(`  error: ${e.message}`);
    return 1;
  }
  const mapping = mapService(svc, { loadBalancerClass: flags.lbClass });
  if (!mapping.handled) {
    io.out(`${target}: not handled by lbkit (${mapping.reason})`);
    return 0;
  }
  if (mapping.request.problems.length > 0) {
    io.out(`${target}: cannot be allocated: ${mapping.request.problems.map((p) => p.message).join('; ')}`);
    explainAnnouncers(io, svc, [], state.config.config, objects, {
      namespace: flags.namespace,
      ignoreExcludeLabel: values['ignore-exclude-lb'] === true,
    });
    return 0;
  }
  if (mapping.request.currentIps.length > 0)
    controller.allocator.restore([
      { request: toIpamRequest(mapping.request, objects.namespaces), ips: mapping.request.currentIps },
    ]);
  const ex = controller.allocator.explain(toIpamRequest(mapping.request, objects.namespaces));
  const d = ex.decision;
  io.out(
    d.ok
      ? `${target}: ${d.assignment.ips.join(', ')} from pool ${d.assignment.pool} (${d.action}, by ${ex.mode})`
      : `${target}: no address: ${d.message} [${d.reason}]`,
  );
  for (const note of ex.notes) io.out(`  note: ${note.message}`);
  for (const p of ex.pools) {
    io.out(
      `  pool ${p.pool}: ${p.verdict}${p.order === undefined ? '' : ` (order ${p.order})`}${p.candidates === undefined ? '' : ` would give ${p.candidates.join(', ')}`}`,
    );
    for (const r of p.reasons) io.out(`    - ${r.code}: ${r.message}`);
  }
  explainAnnouncers(
    io,
    svc,
    d.ok ? d.assignment.ips : [],
    state.config.config,
    objects,
    { namespace: flags.namespace, ignoreExcludeLabel: values['ignore-exclude-lb'] === true },
    d.ok ? d.assignment.pool : undefined,
  );
  return 0;
}

/** What the announcer part of `explain` needs besides the objects. */
interface AnnounceOptions {
  readonly namespace: string;
  /** The speakers' `--ignore-exclude-lb`. */
  readonly ignoreExcludeLabel: boolean;
}

/** The reasons an address is announced by no node at all, in words. */
const SKIP_TEXT: Readonly<Record<AnnounceSkipReason, string>> = {
  'no-address': 'the Service has no address',
  'no-pool': 'no pool in force contains the address',
  'no-serving-endpoint': 'no endpoint of the Service is ready or serving on any node, so no node announces it',
  'no-advertisement': 'no advertisement of the pool matches the Service',
  'shared-ip-with-service-selector':
    'the address is shared (allow-shared-ip) and a matching advertisement has serviceSelectors, which MetalLB refuses',
  'no-eligible-node': 'no node may announce it',
};

/**
 * The announcer half of `explain`: the speakers' layer 2 and BGP decisions for `svc` holding `ips`, computed
 * with the same package functions the speakers call (`l2Intents`, `l2Interfaces`, `chooseOwner`,
 * `bgpIntents`), the BGP part per node from the configuration as that node's speaker parses it.
 */
function explainAnnouncers(
  io: Output,
  svc: Service,
  ips: readonly string[],
  config: LbConfig,
  objects: ObjectSet,
  options: AnnounceOptions,
  pool?: string,
): void {
  const key = `${svc.metadata?.namespace ?? 'default'}/${svc.metadata?.name ?? ''}`;
  // The Service as the speakers will read it once the controller has written its status.
  const held: Service = {
    ...svc,
    metadata: {
      ...(svc.metadata ?? {}),
      annotations: {
        ...(svc.metadata?.annotations ?? {}),
        ...(pool === undefined ? {} : { [IP_ALLOCATED_FROM_POOL]: pool }),
      },
    },
    status: { loadBalancer: { ingress: ips.map((ip) => ({ ip })) } },
  };
  const services = [...objects.services.filter((s) => s !== svc), held];
  const endpoints = endpointsByService(objects.endpointSlices);
  const nodes = objects.nodes.map(mapNode).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const current = (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? '');
  if (ips.length > 0 && current.join() !== ips.join())
    io.out(
      `announcers: for ${ips.join(', ')} once the controller has written it (the status now holds ${current.length === 0 ? 'none' : current.join(', ')})`,
    );
  if (nodes.length === 0) io.out('announcers: the files hold no Node objects, so no node can be named');
  explainLayer2(io, key, held, services, config, endpoints.get(key), endpoints, nodes, options);
  explainBgp(io, key, held, services, config, endpoints.get(key), endpoints, nodes, objects, options);
}

function explainLayer2(
  io: Output,
  key: string,
  svc: Service,
  services: readonly Service[],
  config: LbConfig,
  eps: ServiceEndpoints | undefined,
  endpoints: ReadonlyMap<string, ServiceEndpoints>,
  nodes: readonly NodeInfo[],
  options: AnnounceOptions,
): void {
  const intent = l2Intents(config, services, endpoints, nodes, { ignoreExcludeLabel: options.ignoreExcludeLabel }).find(
    (i) => i.key === key,
  );
  if (intent === undefined) return;
  const ads = config.l2Advertisements.filter((a) => intent.advertisements.includes(a.name));
  if (intent.skip !== undefined && intent.skip !== 'no-eligible-node') {
    const text =
      intent.skip === 'no-advertisement'
        ? `no L2Advertisement of pool ${intent.pool} matches the Service`
        : SKIP_TEXT[intent.skip];
    io.out(`layer2: not announced: ${text} [${intent.skip}]`);
    return;
  }
  const adNames = ads.map((a) => a.name).join(', ');
  if (intent.skip === 'no-eligible-node') {
    io.out(`layer2: not announced: ${SKIP_TEXT['no-eligible-node']} (L2Advertisement ${adNames}) [no-eligible-node]`);
  } else {
    const choice = chooseOwner(intent.hashIp, intent.nodes, intent.preferences);
    const [owner, ...rest] = choice.ranking;
    io.out(
      `layer2: ${intent.ips.join(', ')} (pool ${intent.pool}, L2Advertisement ${adNames}) announced by one node: owner ${owner ?? '-'} [${choice.reason}]`,
    );
    io.out(
      `  ranking, every eligible node assumed alive: ${choice.ranking.map((n, i) => `${i + 1}. ${n}`).join('  ')}` +
        (rest.length === 0 ? ' (no node to take over)' : ` (if ${owner ?? '-'} fails, ${rest[0]} takes over)`),
    );
    if (intent.ips.length > 1)
      io.out(
        `  the owner is chosen for ${intent.hashIp}, the first address: every address of the Service moves together`,
      );
    for (const [rank, name] of choice.ranking.entries()) {
      const pref = intent.preferences[name];
      const ifs = l2Interfaces(config, intent, name);
      io.out(
        `  node ${name}: eligible, ${rank === 0 ? 'owner' : `takeover ${rank}`}${pref === undefined ? '' : `, preference ${pref}`}, interfaces ${ifs === 'all' ? 'all' : ifs.join(', ')}`,
      );
    }
  }
  for (const n of nodes) {
    if (intent.nodes.includes(n.name)) continue;
    const why = intent.excludedNodes[n.name] ?? 'unexplained';
    const text =
      why === 'node-selector' ? `not selected by the nodeSelectors of L2Advertisement ${adNames}` : nodeSkipText(why);
    io.out(`  node ${n.name}: not eligible: ${text} [${why}]`);
  }
}

function explainBgp(
  io: Output,
  key: string,
  svc: Service,
  services: readonly Service[],
  config: LbConfig,
  eps: ServiceEndpoints | undefined,
  endpoints: ReadonlyMap<string, ServiceEndpoints>,
  nodes: readonly NodeInfo[],
  objects: ObjectSet,
  options: AnnounceOptions,
): void {
  const ips = (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? '');
  const pool =
    ips[0] === undefined
      ? undefined
      : poolOfAddress(config, ips[0], svc.metadata?.annotations?.[IP_ALLOCATED_FROM_POOL]);
  // Advertisements that would carry the Service on some node (the cluster-wide parse keeps every one).
  const ads =
    pool === undefined
      ? []
      : config.bgpAdvertisements.filter(
          (a) => a.pools.includes(pool.name) && anyMatches(a.serviceSelectors, svc.metadata?.labels),
        );
  const serviceWide: AnnounceSkipReason | undefined =
    ips.length === 0
      ? 'no-address'
      : pool === undefined
        ? 'no-pool'
        : ads.length === 0
          ? 'no-advertisement'
          : eps === undefined || !eps.servingAnywhere
            ? 'no-serving-endpoint'
            : undefined;
  if (serviceWide !== undefined) {
    const text =
      serviceWide === 'no-advertisement' && pool !== undefined
        ? `no BGPAdvertisement of pool ${pool.name} matches the Service`
        : SKIP_TEXT[serviceWide];
    io.out(`bgp: not advertised: ${text} [${serviceWide}]`);
    return;
  }
  const lines: string[] = [];
  let advertising = 0;
  for (const n of nodes) {
    // Each speaker parses the configuration for its own node: advertisements and peers that do not select
    // the node are not part of it.
    const parsed = parseConfig(objects.config, { namespace: options.namespace, bgpMode: BGP_MODE, nodeName: n.name });
    if (!parsed.ok) {
      lines.push(
        `  node ${n.name}: the configuration is invalid for this node's speaker, which keeps its last good one: ${parsed.errors[0]?.message ?? ''} [invalid-config]`,
      );
      continue;
    }
    const mine = parsed.config;
    const intents = bgpIntents(mine, services, endpoints, n, { ignoreExcludeLabel: options.ignoreExcludeLabel });
    const skip = intents.skipped.get(key);
    if (skip !== undefined) {
      const why: NodeSkipReason | AnnounceSkipReason | 'unexplained' =
        skip === 'no-eligible-node'
          ? (intents.nodeSkips.get(key) ?? 'unexplained')
          : skip === 'no-advertisement'
            ? 'node-selector'
            : skip;
      const text =
        why === 'node-selector'
          ? `not selected by the nodeSelectors of BGPAdvertisement ${ads.map((a) => a.name).join(', ')}`
          : why in SKIP_TEXT
            ? SKIP_TEXT[why as AnnounceSkipReason]
            : nodeSkipText(why as NodeSkipReason | 'unexplained');
      lines.push(`  node ${n.name}: not advertised: ${text} [${why}]`);
      continue;
    }
    let sent = false;
    for (const p of intents.prefixes) {
      if (!p.services.includes(key)) continue;
      const to = mine.peers.filter((x) => p.peers.length === 0 || p.peers.includes(x.name));
      if (to.length === 0) {
        const named = p.peers.length === 0 ? '' : ` named by the advertisement (${p.peers.join(', ')})`;
        lines.push(`  node ${n.name}: does not advertise ${p.prefix}: no BGPPeer${named} selects this node [no-peer]`);
        continue;
      }
      sent = true;
      // LOCAL_PREF goes to internal peers only (RFC 4271 §5.1.5); the speaker drops it towards external ones.
      const peers = to.map((x) => {
        const internal = x.peerASN === undefined ? x.dynamicASN === 'internal' : x.peerASN === x.myASN;
        return `${x.name} (${internal ? `iBGP, local-pref ${p.localPref}` : 'eBGP'})`;
      });
      const communities = p.communities.map(formatCommunity);
      const shared = p.services.filter((s) => s !== key);
      lines.push(
        `  node ${n.name}: advertises ${p.prefix} to ${peers.join(', ')}, communities ${communities.length === 0 ? 'none' : communities.join(' ')}${shared.length === 0 ? '' : ` (aggregate shared with ${shared.join(', ')})`}`,
      );
    }
    if (sent) advertising++;
  }
  io.out(
    `bgp: ${ips.join(', ')} (pool ${pool?.name ?? '-'}, BGPAdvertisement ${ads.map((a) => a.name).join(', ')}) advertised by ${advertising} of ${nodes.length} node(s)`,
  );
  for (const l of lines) io.out(l);
}

function nodeSkipText(why: NodeSkipReason | 'unexplained'): string {
  switch (why) {
    case 'network-unavailable':
      return 'the Node has the condition NetworkUnavailable=True';
    case 'excluded':
      return `the Node is labelled ${EXCLUDE_FROM_LB_LABEL} (the speakers' --ignore-exclude-lb overrides it)`;
    case 'node-selector':
      return 'not selected by the advertisement nodeSelectors';
    case 'no-local-endpoint':
      return 'externalTrafficPolicy is Local and no serving endpoint of the Service runs on this node';
    case 'unexplained':
      return 'the speakers leave it out for a reason explain does not know';
  }
}
