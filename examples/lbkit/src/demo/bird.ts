import { DEMO_NODES, NODE_ASN, ROUTER_ASN, ROUTER_V4 } from './config.js';

/** The BIRD protocol name of a demo node's session. */
export function birdProtocol(node: string): string {
  return node.replace('-', '_');
}

/**
 * BIRD 2's configuration for the demo router: one eBGP session per node, IPv4 only, everything learned
 * imported, nothing exported to the nodes; the kernel protocol merges equal routes from several nodes into
 * one multipath (ECMP) route, so the router's own forwarding spreads flows over the nodes.
 */
export function birdConfig(nodeAddresses: ReadonlyMap<string, string>): string {
  const lines = [
    `router id ${ROUTER_V4};`,
    'protocol device { scan time 10; }',
    'protocol kernel { ipv4 { import none; export all; }; merge paths on; }',
    'template bgp lbnode {',
    `  local ${ROUTER_V4} as ${ROUTER_ASN};`,
    '  hold time 9;',
    '  connect retry time 1;',
    '  error wait time 1, 2;',
    '  ipv4 { import all; export none; };',
    '}',
  ];
  for (const node of DEMO_NODES)
    lines.push(
      `protocol bgp ${birdProtocol(node)} from lbnode { neighbor ${nodeAddresses.get(node)} as ${NODE_ASN}; }`,
    );
  return `${lines.join('\n')}\n`;
}

/** Session states from `birdc show protocols`, by protocol name. */
export function parseBirdProtocols(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^(\S+)\s+BGP\s+\S+\s+(\S+)\s+(?:\d{4}-\d\d-\d\d\s+)?[\d:.]+\s*(\S*)/.exec(line);
    if (m === null) continue;
    out.set(m[1]!, m[3] === undefined || m[3] === '' ? m[2]! : m[3]);
  }
  return out;
}
