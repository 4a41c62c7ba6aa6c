import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The metrics the binary exports. Names, labels and help texts of MetalLB's metrics are kept exactly, so
 * existing dashboards and alerts keep working; lbkit's own additions are prefixed `lbkit_`.
 */
export interface Metrics {
  readonly registry: Registry;
  readonly allocator: {
    addressesTotal: Gauge<'pool'>;
    ipv4AddressesTotal: Gauge<'pool'>;
    ipv6AddressesTotal: Gauge<'pool'>;
    addressesInUse: Gauge<'pool'>;
    ipv4AddressesInUse: Gauge<'pool'>;
    ipv6AddressesInUse: Gauge<'pool'>;
    servicesAllocated: Gauge<'pool'>;
  };
  readonly k8s: {
    updates: Counter;
    updateErrors: Counter;
    configLoaded: Gauge;
    configStale: Gauge;
  };
  readonly speaker: {
    announced: Gauge<'service' | 'protocol' | 'node' | 'ip'>;
  };
  readonly layer2: {
    requestsReceived: Counter<'ip'>;
    responsesSent: Counter<'ip'>;
    gratuitousSent: Counter<'ip'>;
  };
  readonly bgp: {
    sessionUp: Gauge<'peer'>;
    updatesTotal: Counter<'peer'>;
    announcedPrefixes: Gauge<'peer'>;
    pendingPrefixes: Gauge<'peer'>;
  };
  readonly bfd: {
    sessionUp: Gauge<'peer'>;
    sessionUpEvents: Counter<'peer'>;
    sessionDownEvents: Counter<'peer'>;
  };
  readonly lbkit: {
    /** Detection of an owner's loss to this node's first announcement, per Service. */
    failoverSeconds: Histogram<'service' | 'reason'>;
    members: Gauge<'state'>;
    ownershipChanges: Counter<'reason'>;
  };
}

/** Creates the registry with every metric registered (and Node's process metrics unless disabled). */
export function createMetrics(options: { processMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry });
  const r = [registry];
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[] = []): Gauge<L> =>
    new Gauge<L>({ name, help, labelNames, registers: r });
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> =>
    new Counter<L>({ name, help, labelNames, registers: r });
  return {
    registry,
    allocator: {
      addressesTotal: gauge('metallb_allocator_addresses_total', 'Number of usable IP addresses, per pool', ['pool']),
      ipv4AddressesTotal: gauge('metallb_allocator_ipv4_addresses_total', 'Number of usable IPV4 addresses, per pool', [
        'pool',
      ]),
      ipv6AddressesTotal: gauge('metallb_allocator_ipv6_addresses_total', 'Number of usable IPV6 addresses, per pool', [
        'pool',
      ]),
      addressesInUse: gauge('metallb_allocator_addresses_in_use_total', 'Number of IP addresses in use, per pool', [
        'pool',
      ]),
      ipv4AddressesInUse: gauge(
        'metallb_allocator_ipv4_addresses_in_use_total',
        'Number of IPV4 addresses in use, per pool',
        ['pool'],
      ),
      ipv6AddressesInUse: gauge(
        'metallb_allocator_ipv6_addresses_in_use_total',
        'Number of IPV6 addresses in use, per pool',
        ['pool'],
      ),
      servicesAllocated: gauge('metallb_allocator_services_allocated_total', 'Number of services allocated, per pool', [
        'pool',
      ]),
    },
    k8s: {
      updates: counter('metallb_k8s_client_updates_total', 'Number of k8s object updates that have been processed.'),
      updateErrors: counter(
        'metallb_k8s_client_update_errors_total',
        'Number of k8s object updates that failed for some reason.',
      ),
      configLoaded: gauge(
        'metallb_k8s_client_config_loaded_bool',
        '1 if the MetalLB configuration was successfully loaded at least once.',
      ),
      configStale: gauge(
        'metallb_k8s_client_config_stale_bool',
        '1 if running on a stale configuration, because the latest config failed to load.',
      ),
    },
    speaker: {
      announced: gauge(
        'metallb_speaker_announced',
        'Services being announced from this node. This is desired state, it does not guarantee that the routing protocols have converged.',
        ['service', 'protocol', 'node', 'ip'],
      ),
    },
    layer2: {
      requestsReceived: counter(
        'metallb_layer2_requests_received',
        'Number of layer2 requests received for owned IPs',
        ['ip'],
      ),
      responsesSent: counter(
        'metallb_layer2_responses_sent',
        'Number of layer2 responses sent for owned IPs in response to requests',
        ['ip'],
      ),
      gratuitousSent: counter(
        'metallb_layer2_gratuitous_sent',
        'Number of gratuitous layer2 packets sent for owned IPs as a result of failovers',
        ['ip'],
      ),
    },
    bgp: {
      sessionUp: gauge('metallb_bgp_session_up', 'BGP session state (1 is up, 0 is down)', ['peer']),
      updatesTotal: counter('metallb_bgp_updates_total', 'Number of BGP UPDATE messages sent', ['peer']),
      announcedPrefixes: gauge(
        'metallb_bgp_announced_prefixes_total',
        'Number of prefixes currently being advertised on the BGP session',
        ['peer'],
      ),
      pendingPrefixes: gauge(
        'metallb_bgp_pending_prefixes_total',
        'Number of prefixes that should be advertised on the BGP session',
        ['peer'],
      ),
    },
    bfd: {
      sessionUp: gauge('metallb_bfd_session_up', 'BFD session state (1 is up, 0 is down)', ['peer']),
      sessionUpEvents: counter('metallb_bfd_session_up_events', 'Number of times the BFD session came up', ['peer']),
      sessionDownEvents: counter('metallb_bfd_session_down_events', 'Number of times the BFD session went down', [
        'peer',
      ]),
    },
    lbkit: {
      failoverSeconds: new Histogram({
        name: 'lbkit_failover_duration_seconds',
        help: 'Time from detecting the loss of an address owner to this node announcing the address, per service',
        labelNames: ['service', 'reason'],
        buckets: [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10],
        registers: r,
      }),
      members: gauge('lbkit_memberlist_members', 'Members of the speaker memberlist, by state', ['state']),
      ownershipChanges: counter('lbkit_ownership_changes_total', 'Layer 2 ownership changes on this node, by reason', [
        'reason',
      ]),
    },
  };
}
