// The announcer half of `lbkit explain`, against test/fixtures/explain: six nodes (two in zone a, one in zone
// b, one labelled out of load balancers, one NetworkUnavailable, one outside the announcing zones), a layer 2
// pool announced from zones a and b with zone b preferred, and a BGP pool with three advertisements and two
// peers. The eligible sets and reasons below are worked out by hand from the fixture; the election's ranking
// comes from @lbkit/election's chooseOwner with those hand-made sets.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chooseOwner } from '@lbkit/election';
import { runExplain } from '../../src/commands/explain.js';
import type { Output } from '../../src/commands/output.js';

const fixtures = fileURLToPath(new URL('../fixtures/explain', import.meta.url));
const basic = (name: string): string => fileURLToPath(new URL(`../fixtures/basic/${name}`, import.meta.url));
const EXCLUDED = 'the Node is labelled node.kubernetes.io/exclude-from-external-load-balancers';

function explain(args: readonly string[]): { code: number; lines: string[]; text: string } {
  const lines: string[] = [];
  const io: Output = { out: (x) => void lines.push(...x.trimEnd().split('\n')), err: (x) => void lines.push(x) };
  const code = runExplain(args, io);
  return { code, lines, text: lines.join('\n') };
}

/** The lines of one section: its header (starting with `name:`) and the indented lines under it. */
function section(lines: readonly string[], name: 'layer2' | 'bgp'): string[] {
  const start = lines.findIndex((l) => l.startsWith(`${name}: `));
  if (start === -1) return [];
  const end = lines.findIndex((l, i) => i > start && !l.startsWith('  '));
  return lines.slice(start, end === -1 ? undefined : end);
}

/** A state file in which the Services hold these addresses, as a standalone controller writes it. */
function stateFile(
  t: { teardown(fn: () => void): void },
  services: Record<string, { ips: string[]; pool: string }>,
): string {
  const dir = mkdtempSync(join(tmpdir(), 'lbkit-explain-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'state.json');
  writeFileSync(path, JSON.stringify({ version: 1, services }));
  return path;
}

t.test('layer 2, Cluster policy: eligible nodes, the ranking with preferences, interfaces, and why not', async (t) => {
  const r = explain(['default/web', '-f', fixtures]);
  t.equal(r.code, 0);
  const m = /^default\/web: (192\.0\.2\.\d+), (2001:db8::\w+) from pool l2pool/.exec(r.lines[0] ?? '');
  t.ok(m, r.lines[0] ?? '');
  const [, v4 = '', v6 = ''] = m ?? [];
  t.ok(r.lines.includes(`announcers: for ${v4}, ${v6} once the controller has written it (the status now holds none)`));
  // Zone a and b nodes that may announce: node-a, node-b, node-f; node-b carries the preference weight 50.
  const choice = chooseOwner(v4, ['node-a', 'node-b', 'node-f'], { 'node-b': 50 });
  t.equal(choice.owner, 'node-b', 'the preferred node wins whatever the hashes say');
  const [owner, first, second] = choice.ranking as [string, string, string];
  t.same(section(r.lines, 'layer2'), [
    `layer2: ${v4}, ${v6} (pool l2pool, L2Advertisement l2) announced by one node: owner node-b [preference]`,
    `  ranking, every eligible node assumed alive: 1. ${owner}  2. ${first}  3. ${second} (if ${owner} fails, ${first} takes over)`,
    `  the owner is chosen for ${v4}, the first address: every address of the Service moves together`,
    `  node ${owner}: eligible, owner, preference 50, interfaces eth0`,
    `  node ${first}: eligible, takeover 1, interfaces eth0`,
    `  node ${second}: eligible, takeover 2, interfaces eth0`,
    `  node node-c: not eligible: ${EXCLUDED} (the speakers' --ignore-exclude-lb overrides it) [excluded]`,
    '  node node-d: not eligible: the Node has the condition NetworkUnavailable=True [network-unavailable]',
    '  node node-e: not eligible: not selected by the nodeSelectors of L2Advertisement l2 [node-selector]',
  ]);
  t.same(section(r.lines, 'bgp'), [
    'bgp: not advertised: no BGPAdvertisement of pool l2pool matches the Service [no-advertisement]',
  ]);
});

t.test('--ignore-exclude-lb makes the labelled node eligible, as it does for the speakers', async (t) => {
  const r = explain(['default/web', '-f', fixtures, '--ignore-exclude-lb']);
  const v4 = /^default\/web: (192\.0\.2\.\d+)/.exec(r.lines[0] ?? '')?.[1] ?? '';
  const choice = chooseOwner(v4, ['node-a', 'node-b', 'node-c', 'node-f'], { 'node-b': 50 });
  const ranking = section(r.lines, 'layer2').find((l) => l.startsWith('  ranking'));
  t.equal(
    ranking,
    `  ranking, every eligible node assumed alive: ${choice.ranking.map((n, i) => `${i + 1}. ${n}`).join('  ')} (if node-b fails, ${choice.ranking[1]} takes over)`,
  );
  t.notMatch(r.text, /node node-c: not eligible/);
});

t.test('layer 2, Local policy: only the node with a serving endpoint; an address held in the state file', async (t) => {
  const state = stateFile(t, { 'default/local': { ips: ['192.0.2.15'], pool: 'l2pool' } });
  const r = explain(['default/local', '-f', fixtures, '--state', state]);
  t.equal(r.lines[0], 'default/local: 192.0.2.15 from pool l2pool (kept, by current)');
  t.notMatch(r.text, /once the controller has written it/, 'the status already holds the address');
  const local = 'externalTrafficPolicy is Local and no serving endpoint of the Service runs on this node';
  t.same(section(r.lines, 'layer2'), [
    'layer2: 192.0.2.15 (pool l2pool, L2Advertisement l2) announced by one node: owner node-f [only-candidate]',
    '  ranking, every eligible node assumed alive: 1. node-f (no node to take over)',
    '  node node-f: eligible, owner, interfaces eth0',
    `  node node-a: not eligible: ${local} [no-local-endpoint]`,
    `  node node-b: not eligible: ${local} [no-local-endpoint]`,
    `  node node-c: not eligible: ${EXCLUDED} (the speakers' --ignore-exclude-lb overrides it) [excluded]`,
    '  node node-d: not eligible: the Node has the condition NetworkUnavailable=True [network-unavailable]',
    '  node node-e: not eligible: not selected by the nodeSelectors of L2Advertisement l2 [node-selector]',
  ]);
});

t.test('BGP: per node, which prefix goes to which peers with which attributes, and why not', async (t) => {
  // bgp-local holds .2 of the same /28, so zone a's aggregate carries both Services where bgp-local has an endpoint.
  const state = stateFile(t, {
    'default/bgp': { ips: ['203.0.113.1'], pool: 'bgppool' },
    'default/bgp-local': { ips: ['203.0.113.2'], pool: 'bgppool' },
  });
  const r = explain(['default/bgp', '-f', fixtures, '--state', state]);
  t.equal(r.code, 0);
  t.same(section(r.lines, 'layer2'), [
    'layer2: not announced: no L2Advertisement of pool bgppool matches the Service [no-advertisement]',
  ]);
  t.same(section(r.lines, 'bgp'), [
    'bgp: 203.0.113.1 (pool bgppool, BGPAdvertisement bgp-all, bgp-edge, bgp-zone-a) advertised by 4 of 6 node(s)',
    '  node node-a: advertises 203.0.113.0/28 to router-1 (eBGP), communities large:64512:1:2 (aggregate shared with default/bgp-local)',
    '  node node-a: advertises 203.0.113.1/32 to router-1 (eBGP), communities 64512:100',
    '  node node-b: advertises 203.0.113.1/32 to router-1 (eBGP), router-2 (iBGP, local-pref 150), communities 64512:100',
    `  node node-c: not advertised: ${EXCLUDED} (the speakers' --ignore-exclude-lb overrides it) [excluded]`,
    '  node node-d: not advertised: the Node has the condition NetworkUnavailable=True [network-unavailable]',
    '  node node-e: does not advertise 203.0.113.0/30: no BGPPeer named by the advertisement (router-2) selects this node [no-peer]',
    '  node node-e: advertises 203.0.113.1/32 to router-1 (eBGP), communities 64512:100',
    '  node node-f: advertises 203.0.113.0/28 to router-1 (eBGP), communities large:64512:1:2',
    '  node node-f: advertises 203.0.113.1/32 to router-1 (eBGP), communities 64512:100',
  ]);
});

t.test('BGP, Local policy: only the node with the endpoint advertises', async (t) => {
  const state = stateFile(t, { 'default/bgp-local': { ips: ['203.0.113.2'], pool: 'bgppool' } });
  const r = explain(['default/bgp-local', '-f', fixtures, '--state', state]);
  const local = 'externalTrafficPolicy is Local and no serving endpoint of the Service runs on this node';
  t.same(section(r.lines, 'bgp'), [
    'bgp: 203.0.113.2 (pool bgppool, BGPAdvertisement bgp-all, bgp-edge, bgp-zone-a) advertised by 1 of 6 node(s)',
    '  node node-a: advertises 203.0.113.0/28 to router-1 (eBGP), communities large:64512:1:2',
    '  node node-a: advertises 203.0.113.2/32 to router-1 (eBGP), communities 64512:100',
    `  node node-b: not advertised: ${local} [no-local-endpoint]`,
    `  node node-c: not advertised: ${EXCLUDED} (the speakers' --ignore-exclude-lb overrides it) [excluded]`,
    '  node node-d: not advertised: the Node has the condition NetworkUnavailable=True [network-unavailable]',
    `  node node-e: not advertised: ${local} [no-local-endpoint]`,
    `  node node-f: not advertised: ${local} [no-local-endpoint]`,
  ]);
});

t.test('nobody announces: no serving endpoint, no address, no Node objects', async (t) => {
  const idle = explain(['default/idle', '-f', fixtures]);
  t.same(section(idle.lines, 'layer2'), [
    'layer2: not announced: no endpoint of the Service is ready or serving on any node, so no node announces it [no-serving-endpoint]',
  ]);
  const nowhere = explain(['default/nowhere', '-f', fixtures]);
  t.match(nowhere.lines[0], /^default\/nowhere: no address: .*\[requested-ip-not-in-pool\]$/);
  t.same(section(nowhere.lines, 'layer2'), ['layer2: not announced: the Service has no address [no-address]']);
  t.same(section(nowhere.lines, 'bgp'), ['bgp: not advertised: the Service has no address [no-address]']);
  // The basic fixture has neither Nodes nor EndpointSlices.
  const bare = explain(['default/web', '-f', basic('config.yaml'), '-f', basic('services.yaml')]);
  t.ok(bare.lines.includes('announcers: the files hold no Node objects, so no node can be named'));
  t.match(section(bare.lines, 'layer2')[0], /\[no-serving-endpoint\]$/);
});

t.test('--help describes the announcer half', async (t) => {
  const r = explain(['--help']);
  t.equal(r.code, 0);
  t.match(r.text, /election's ranking/);
  t.match(r.text, /--ignore-exclude-lb/);
});
