/**
 * Re-captures the golden fixtures in test/fixtures/: for each of BIRD 2, GoBGP and FRR, starts the daemon in
 * a network namespace, peers it (IPv4 and IPv6 sessions) with scripts/recorder.ts acting as a passive peer,
 * and records what the daemon sends: OPEN, UPDATEs with communities and large communities, End-of-RIB,
 * withdrawals, ROUTE-REFRESH (both the one it sends and its answer to ours) and a NOTIFICATION carrying a
 * shutdown communication. Needs root.
 *
 *   npx tsx packages/bgp/scripts/capture-fixtures.ts [bird|gobgp|frr …]
 */
import type { ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BirdPeer, FrrPeer, GobgpPeer, Lab, waitFor, type PeerInit, type RealBgpPeer } from '@lbkit/testkit';
import {
  decodeMessage,
  negotiateSession,
  type BgpMessage,
  type CodecContext,
  type OpenMessage,
} from '../src/codec/index.js';
import { formatFixture, type FixtureEntry } from '../test/fixtures/format.js';
import { CAPTURE_ROUTES, OUR_AS, PEER_AS, SHUTDOWN_MESSAGE, WITHDRAWN } from '../test/fixtures/capture-plan.js';

const here = dirname(fileURLToPath(import.meta.url));
interface Recorded {
  conn: number;
  remote: string;
  hex: string;
}

async function captureOne(which: 'bird' | 'gobgp' | 'frr'): Promise<void> {
  const lab = Lab.create({ tag: 'capture' });
  try {
    const rec = await lab.namespace('rec');
    const peerNs = await lab.namespace('peer');
    await lab.link(rec, 'eth0', peerNs, 'eth0', {
      addressA: ['192.0.2.1/24', '2001:db8::1/64'],
      addressB: ['192.0.2.2/24', '2001:db8::2/64'],
    });
    const recorder: ChildProcess = rec.node(join(here, 'recorder.ts'), [String(OUR_AS), '192.0.2.1']);
    const seen: Recorded[] = [];
    let listening = false;
    let partial = '';
    recorder.stdout?.on('data', (d: Buffer) => {
      partial += d.toString();
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) {
        const j = JSON.parse(l) as Partial<Recorded> & { listening?: boolean };
        if (j.listening === true) listening = true;
        else seen.push(j as Recorded);
      }
    });
    recorder.stderr?.on('data', (d: Buffer) => process.stderr.write(d));
    await waitFor('the recorder to listen', async () => listening, 20_000);
    const init: PeerInit = {
      asn: PEER_AS,
      routerId: '192.0.2.2',
      neighbors: [
        { address: '192.0.2.1', asn: OUR_AS, families: ['ipv4'] },
        { address: '2001:db8::1', asn: OUR_AS, families: ['ipv6'] },
      ],
      routes: CAPTURE_ROUTES.map((r) => ({ ...r })),
    };
    const peer: RealBgpPeer =
      which === 'bird'
        ? new BirdPeer(peerNs, init)
        : which === 'gobgp'
          ? new GobgpPeer(peerNs, init)
          : new FrrPeer(peerNs, init);
    await peer.start();
    const version = await peer.version();
    const count = (pred: (r: Recorded) => boolean): number => seen.filter(pred).length;
    const isUpdate = (r: Recorded): boolean => r.hex.slice(36, 38) === '02';
    await peer.waitEstablished('192.0.2.1', 60_000);
    await peer.waitEstablished('2001:db8::1', 60_000);
    // Initial table and End-of-RIB on both sessions.
    await waitFor('initial updates', async () => count(isUpdate) >= 4, 30_000);
    await new Promise((r) => setTimeout(r, 3_000));
    const before = count(isUpdate);
    for (const p of WITHDRAWN) await peer.withdraw(p);
    await waitFor('withdrawals', async () => count(isUpdate) >= before + 2, 30_000).catch(async (err: unknown) => {
      console.error(seen.map((r) => `${r.conn} ${r.hex.slice(36, 38)} ${r.hex.length / 2}`).join('\n'));
      console.error(JSON.stringify(await peer.routes(4)));
      throw err;
    });
    const beforeRefresh = count(isUpdate);
    await peer.refreshFrom('192.0.2.1');
    // Not every daemon sends one on a soft inbound reset (GoBGP keeps an Adj-RIB-In and re-applies policy).
    await waitFor(
      'a ROUTE-REFRESH from the peer',
      async () => count((r) => r.hex.slice(36, 38) === '05') >= 1,
      10_000,
    ).catch(() => console.error(`${which}: sent no ROUTE-REFRESH on a soft inbound reset`));
    process.kill(recorder.pid!, 'SIGUSR1');
    await waitFor('answers to our ROUTE-REFRESH', async () => count(isUpdate) > beforeRefresh, 15_000);
    await new Promise((r) => setTimeout(r, 2_000));
    await peer.shutdownNeighbor('192.0.2.1', SHUTDOWN_MESSAGE);
    await waitFor('the NOTIFICATION', async () => count((r) => r.hex.slice(36, 38) === '03') >= 1, 15_000);
    await peer.stop();
    recorder.kill('SIGTERM');

    const entries = label(seen);
    const date = new Date().toISOString().slice(0, 10);
    const header = [
      `Messages sent by ${version} (peer AS ${PEER_AS}, 192.0.2.2 / 2001:db8::2) to a recording peer (AS ${OUR_AS}),`,
      `captured ${date} in network namespaces by packages/bgp/scripts/capture-fixtures.ts; re-run it to refresh.`,
      `The daemon was configured to announce: ${CAPTURE_ROUTES.map((r) => r.prefix).join(', ')}; then to withdraw`,
      '203.0.113.0/25 and 2001:db8:200::/48, to send a ROUTE-REFRESH, to answer ours, and to shut the IPv4 session down.',
    ];
    const file = join(here, '..', 'test', 'fixtures', `${which}.fixture.txt`);
    await writeFile(file, formatFixture({ implementation: which, version, date, header, entries }));
    console.log(`${which}: ${entries.length} messages → ${file}`);
  } finally {
    await lab.destroy();
  }
}

/** Names each distinct message and pairs it with the context it was decoded in; repeated KEEPALIVEs go. */
function label(seen: readonly Recorded[]): FixtureEntry[] {
  const ctxOf: Record<number, CodecContext> = {};
  const names = new Map<string, number>();
  const out: FixtureEntry[] = [];
  const hexSeen = new Set<string>();
  const ourOpenCaps = {
    // The same OPEN the recorder sends; contexts come from negotiating it with the peer's.
    type: 'open',
    version: 4,
    myAutonomousSystem: OUR_AS,
    holdTime: 90,
    bgpIdentifier: '192.0.2.1',
    optionalParameters: [
      {
        type: 'capabilities',
        capabilities: [
          { type: 'multiprotocol', afi: 1, safi: 1 },
          { type: 'multiprotocol', afi: 2, safi: 1 },
          { type: 'route-refresh' },
          { type: 'enhanced-route-refresh' },
          {
            type: 'graceful-restart',
            flags: 0,
            restartTime: 120,
            families: [
              { afi: 1, safi: 1, flags: 0 },
              { afi: 2, safi: 1, flags: 0 },
            ],
          },
          { type: 'four-octet-as', asn: OUR_AS },
        ],
      },
    ],
  } as const satisfies OpenMessage;
  for (const r of seen) {
    if (hexSeen.has(r.hex)) continue;
    hexSeen.add(r.hex);
    const bytes = Uint8Array.from(Buffer.from(r.hex, 'hex'));
    const fam = r.remote.includes(':') && !r.remote.startsWith('::ffff:') ? 'ipv6' : 'ipv4';
    let ctx = ctxOf[r.conn] ?? { fourOctetAs: true };
    const msg: BgpMessage = decodeMessage(bytes, { ...ctx, extendedMessage: true });
    if (msg.type === 'open') {
      ctx = negotiateSession(ourOpenCaps, msg).receive;
      ctxOf[r.conn] = ctx;
    }
    const base = `${fam}-${describe(msg)}`;
    const n = (names.get(base) ?? 0) + 1;
    names.set(base, n);
    out.push({ name: n === 1 ? base : `${base}-${n}`, context: ctx, bytes, value: msg });
  }
  return out;
}

function describe(m: BgpMessage): string {
  switch (m.type) {
    case 'open':
      return 'open';
    case 'keepalive':
      return 'keepalive';
    case 'notification':
      return m.communication === undefined ? 'notification' : 'notification-shutdown';
    case 'route-refresh':
      return ['route-refresh', 'route-refresh-borr', 'route-refresh-eorr'][m.subtype] ?? 'route-refresh';
    case 'update': {
      const reach = m.nlri.length > 0 || m.attributes.some((a) => a.type === 'mp-reach-nlri' && a.nlri.length > 0);
      const unreach =
        m.withdrawn.length > 0 || m.attributes.some((a) => a.type === 'mp-unreach-nlri' && a.withdrawn.length > 0);
      if (reach) return 'update';
      if (unreach) return 'withdraw';
      return 'end-of-rib';
    }
  }
}

const which = process.argv.slice(2);
for (const w of (which.length > 0 ? which : ['bird', 'gobgp', 'frr']) as ('bird' | 'gobgp' | 'frr')[])
  await captureOne(w);
