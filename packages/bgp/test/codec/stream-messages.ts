import { parsePrefix } from '@lbkit/core';
import {
  createEndOfRib,
  createOpen,
  createShutdownNotification,
  encodeKeepalive,
  encodeMessage,
  encodeOpen,
  encodeRouteRefresh,
  encodeUpdates,
  type PathAttribute,
} from '../../src/codec/index.js';

/** Every kind of message our encoder makes, as one BGP byte stream (the session uses 4-octet AS, no add-path). */
export function streamMessages(): Uint8Array[] {
  const ctx = { fourOctetAs: true };
  const open = createOpen({
    asn: 4200000001,
    holdTime: 90,
    bgpIdentifier: '192.0.2.1',
    capabilities: [
      { type: 'multiprotocol', afi: 1, safi: 1 },
      { type: 'multiprotocol', afi: 2, safi: 1 },
      { type: 'route-refresh' },
      { type: 'enhanced-route-refresh' },
      { type: 'graceful-restart', flags: 0x4, restartTime: 120, families: [{ afi: 1, safi: 1, flags: 0x80 }] },
      { type: 'long-lived-graceful-restart', families: [{ afi: 1, safi: 1, flags: 0, staleTime: 3600 }] },
      { type: 'extended-next-hop', entries: [{ afi: 1, safi: 1, nextHopAfi: 2 }] },
      { type: 'fqdn', hostname: 'lbkit-node-1', domainName: 'example.test' },
    ],
  });
  const common: PathAttribute[] = [
    { type: 'origin', origin: 0 },
    {
      type: 'as-path',
      segments: [
        { type: 'as-sequence', asns: [4200000001, 64512] },
        { type: 'as-set', asns: [64600, 64601] },
      ],
    },
    { type: 'multi-exit-disc', med: 50 },
    { type: 'local-pref', localPref: 200 },
    { type: 'atomic-aggregate' },
    { type: 'aggregator', asn: 4200000001, address: '192.0.2.1' },
    { type: 'communities', communities: [0xfc000064, 0xffffff01, 0xffff029a] },
    { type: 'originator-id', originatorId: '192.0.2.9' },
    { type: 'cluster-list', clusterList: ['192.0.2.10'] },
    { type: 'extended-communities', communities: [0x0002fc0000000064n] },
    { type: 'large-communities', communities: [{ globalAdministrator: 4200000001, localData1: 1, localData2: 2 }] },
  ];
  const v4: PathAttribute[] = [...common.slice(0, 2), { type: 'next-hop', nextHop: '192.0.2.1' }, ...common.slice(2)];
  const v6: PathAttribute[] = [
    ...common.slice(0, 2),
    { type: 'mp-reach-nlri', afi: 2, safi: 1, nextHop: '2001:db8::1', linkLocalNextHop: 'fe80::1', nlri: [] },
    ...common.slice(2),
  ];
  const v4Prefixes = Array.from({ length: 2000 }, (_, i) => parsePrefix(`240.${(i >> 8) & 255}.${i & 255}.0/24`));
  const v6Prefixes = Array.from({ length: 1000 }, (_, i) => parsePrefix(`2001:db8:${i.toString(16)}::/48`));
  return [
    encodeOpen(open),
    encodeKeepalive(),
    ...encodeUpdates({ attributes: v4, announce: v4Prefixes }, ctx),
    ...encodeUpdates({ attributes: v6, announce: v6Prefixes }, ctx),
    ...encodeUpdates({ attributes: [], withdraw: [...v4Prefixes.slice(0, 300), ...v6Prefixes.slice(0, 300)] }, ctx),
    encodeMessage(createEndOfRib({ afi: 1, safi: 1 }), ctx),
    encodeMessage(createEndOfRib({ afi: 2, safi: 1 }), ctx),
    encodeRouteRefresh({ type: 'route-refresh', afi: 2, subtype: 0, safi: 1 }),
    encodeRouteRefresh({ type: 'route-refresh', afi: 1, subtype: 1, safi: 1 }),
    encodeRouteRefresh({ type: 'route-refresh', afi: 1, subtype: 2, safi: 1 }),
    encodeKeepalive(),
    encodeMessage(createShutdownNotification('lbkit: planned maintenance, back at 03:00 UTC')),
  ];
}
