// Privileged: the announcer on real AF_PACKET sockets (dgram-plus) in network namespaces, checked against
// the Linux kernel's own neighbour tables and tshark's dissectors.
import t from 'tap';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lab, privilegedSkip, privilegedSkipWith, run, type Netns } from '@lbkit/testkit';
import { startWorker, type WorkerHandle } from './worker-client.js';

const VIP4 = '192.0.2.100';
const VIP6 = '2001:db8::100';
const MAC_A = '02:00:00:00:00:0a';
const MAC_B = '02:00:00:00:00:0b';
const MAC_C = '02:00:00:00:00:0c';
const MAC_D = '02:00:00:00:00:0d';
// Fast enough for tests, and still spaced past Linux's 1 s ARP locktime over the burst.
const INIT = { includeInterfaces: ['^eth0$'], rescanIntervalMs: 300, burstCount: 5, burstIntervalMs: 400 };

async function neighbour(ns: Netns, ip: string): Promise<{ lladdr?: string; state?: string[] } | undefined> {
  const list = await ns.ipJson<Array<{ dst: string; lladdr?: string; state?: string[] }>>([
    'neigh',
    'show',
    'to',
    ip,
    'dev',
    'eth0',
  ]);
  return list[0];
}

async function eventually<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 8_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits until an interface has its IPv6 link-local address (added by the kernel once the link is up). */
async function linkLocal(ns: Netns, ifname = 'eth0'): Promise<void> {
  await eventually(`a link-local address on ${ns.name} ${ifname}`, async () => {
    const r = await ns.exec('ip', ['-6', '-o', 'addr', 'show', 'dev', ifname, 'scope', 'link']);
    return r.stdout.includes('fe80::') && !r.stdout.includes('tentative') ? true : undefined;
  });
}

const workers: WorkerHandle[] = [];
t.afterEach(() => {
  for (const w of workers.splice(0)) w.close();
});

t.test(
  'a client resolves each VIP, IPv4 and IPv6, to the announcing namespace’s MAC',
  { skip: privilegedSkipWith('ping') },
  async (t) => {
    const lab = Lab.create({ tag: 'arpres' }, t);
    const c = await lab.namespace('c');
    const a = await lab.namespace('a');
    await lab.link(c, 'eth0', a, 'eth0', {
      addressA: ['192.0.2.1/24', '2001:db8::1/64'],
      addressB: ['192.0.2.2/24', '2001:db8::2/64'],
      macA: MAC_C,
      macB: MAC_A,
    });
    // The VIPs live on a's loopback so a's kernel answers the pings, and arp_ignore=1 stops a's kernel from
    // answering ARP for an address that is not on eth0 (as kube-proxy's strictARP does): only our responder
    // can resolve them. The kernel never answers NS on eth0 for an address on lo.
    await a.exec('ip', ['addr', 'add', `${VIP4}/32`, 'dev', 'lo']);
    await a.exec('ip', ['-6', 'addr', 'add', `${VIP6}/128`, 'dev', 'lo', 'nodad']);
    await a.exec('sysctl', ['-qw', 'net.ipv4.conf.all.arp_ignore=1', 'net.ipv4.conf.eth0.arp_ignore=1']);

    const before4 = await c.exec('ping', ['-c', '1', '-W', '1', VIP4], { allowFail: true });
    const before6 = await c.exec('ping', ['-6', '-c', '1', '-W', '1', VIP6], { allowFail: true });
    t.not(before4.code, 0, 'without the responder nobody answers ARP for the IPv4 VIP');
    t.not(before6.code, 0, 'nor NS for the IPv6 VIP');
    await c.exec('ip', ['neigh', 'flush', 'dev', 'eth0']);

    await linkLocal(a);
    const w = await startWorker(a, { ...INIT, burstCount: 0 });
    workers.push(w);
    t.same(w.lines.find((l) => l['ready'] === true)?.['interfaces'], ['eth0'], 'only eth0 (lo is excluded)');
    await w.request({ op: 'announce', vip: VIP4 });
    await w.request({ op: 'announce', vip: VIP6 });
    for (const vip of [VIP4, VIP6]) {
      const r = await c.exec('ping', [vip.includes(':') ? '-6' : '-4', '-c', '1', '-W', '3', vip], { allowFail: true });
      t.equal(r.code, 0, `ping ${vip} answered: ${r.stdout}${r.stderr}`);
      const n = await neighbour(c, vip);
      t.equal(n?.lladdr, MAC_A, `${vip} resolves to a's MAC`);
    }
    const stats = (await w.request({ op: 'stats' }))['stats'] as { frames: Record<string, number> };
    t.ok((stats.frames['reply'] ?? 0) >= 2, `the responder answered (${JSON.stringify(stats.frames)})`);

    // A unicast NUD probe: make the entry STALE, then ping again; the kernel probes the cached MAC unicast.
    await c.exec('ip', ['-6', 'neigh', 'change', VIP6, 'dev', 'eth0', 'lladdr', MAC_A, 'nud', 'stale']);
    await c.exec('ping', ['-6', '-c', '1', '-W', '2', VIP6]);
    const state = await eventually('the IPv6 entry to be confirmed by a unicast probe', async () => {
      const n = await neighbour(c, VIP6);
      return n?.state?.includes('REACHABLE') === true ? n : undefined;
    });
    t.equal(state.lladdr, MAC_A, 'NUD probe answered (unicast NS to our MAC)');

    // Withdraw: no more answers.
    await w.request({ op: 'withdraw', vip: VIP4 });
    await c.exec('ip', ['neigh', 'flush', 'dev', 'eth0']);
    const after = await c.exec('ping', ['-c', '1', '-W', '1', VIP4], { allowFail: true });
    t.not(after.code, 0, 'after withdraw the VIP no longer resolves');
  },
);

t.test(
  'moving a VIP from A to B updates the client’s neighbour entry from the announcement alone',
  { skip: privilegedSkipWith('ping') },
  async (t) => {
    const lab = Lab.create({ tag: 'arpmove' }, t);
    const sw = await lab.namespace('sw');
    await lab.bridge(sw, 'br0');
    const c = await lab.namespace('c');
    const a = await lab.namespace('a');
    const b = await lab.namespace('b');
    const d = await lab.namespace('d');
    await lab.attach(c, 'eth0', sw, 'br0', 'p-c', ['192.0.2.1/24', '2001:db8::1/64'], MAC_C);
    await lab.attach(a, 'eth0', sw, 'br0', 'p-a', [], MAC_A);
    await lab.attach(b, 'eth0', sw, 'br0', 'p-b', [], MAC_B);
    await lab.attach(d, 'eth0', sw, 'br0', 'p-d', [], MAC_D);
    for (const ns of [a, b, d]) await linkLocal(ns);
    const wa = await startWorker(a, INIT);
    const wb = await startWorker(b, INIT);
    workers.push(wa, wb);
    await wa.request({ op: 'announce', vip: VIP4 });
    await wa.request({ op: 'announce', vip: VIP6 });
    // The client resolves both VIPs to A (ping's echo goes unanswered: the VIPs are on no interface).
    for (const vip of [VIP4, VIP6]) {
      // A client retries resolution; so does this one, in case the first request meets a busy machine.
      const n = await eventually(`${vip} to resolve to A`, async () => {
        await c.exec('ping', [vip.includes(':') ? '-6' : '-4', '-c', '1', '-W', '1', vip], { allowFail: true });
        const e = await neighbour(c, vip);
        return e?.lladdr === MAC_A ? e : undefined;
      }).catch(async (err: unknown) => {
        t.comment('DIAG a', JSON.stringify(wa.lines), JSON.stringify(await wa.request({ op: 'stats' })));
        t.comment('DIAG b', JSON.stringify(wb.lines));
        t.comment('DIAG c', (await c.exec('ip', ['neigh'])).stdout, (await c.exec('ip', ['addr'])).stdout);
        t.comment('DIAG sw', (await sw.exec('bridge', ['link'])).stdout, (await sw.exec('ip', ['-d', 'link'])).stdout);
        throw err;
      });
      t.equal(n.lladdr, MAC_A, `${vip} at A`);
    }
    await wa.waitFor((l) => l['event'] === 'burst-completed' && l['vip'] === VIP6);
    // Linux ignores ARP updates within locktime (1 s) of the last change; wait past it so the move is clean.
    await new Promise((r) => setTimeout(r, 1_100));

    const moved = Date.now();
    await wa.request({ op: 'withdraw', vip: VIP4 });
    await wa.request({ op: 'withdraw', vip: VIP6 });
    await wb.request({ op: 'announce', vip: VIP4 });
    await wb.request({ op: 'announce', vip: VIP6 });
    for (const vip of [VIP4, VIP6]) {
      // No traffic from the client: only B's gratuitous ARP / unsolicited NA can change the entry.
      const n = await eventually(`${vip} to move to B`, async () => {
        const e = await neighbour(c, vip);
        return e?.lladdr === MAC_B ? e : undefined;
      });
      t.equal(
        n.lladdr,
        MAC_B,
        `${vip} moved to B after ${Date.now() - moved} ms, well before any neighbour timeout (30 s)`,
      );
    }
    t.same(wa.events('conflict-detected'), [], 'A had withdrawn: no conflict');

    // A duplicate announcer in a third namespace is detected by B, with both MACs.
    const wd = await startWorker(d, INIT);
    workers.push(wd);
    await wd.request({ op: 'announce', vip: VIP4 });
    await wd.request({ op: 'announce', vip: VIP6 });
    const c4 = await wb.waitFor((l) => l['event'] === 'conflict-detected' && l['vip'] === VIP4);
    const c6 = await wb.waitFor((l) => l['event'] === 'conflict-detected' && l['vip'] === VIP6);
    t.match(c4, { theirMac: MAC_D, ourMac: MAC_B, interface: 'eth0' });
    t.match(c6, { theirMac: MAC_D, ourMac: MAC_B, interface: 'eth0' });
    t.ok(['arp-request', 'arp-reply'].includes(c4['via'] as string));
    t.equal(c6['via'], 'neighbor-advertisement');
  },
);

t.test('a self-probe counts the other responders for a VIP', { skip: privilegedSkip() }, async (t) => {
  const lab = Lab.create({ tag: 'arpprobe' }, t);
  const a = await lab.namespace('a');
  const d = await lab.namespace('d');
  await lab.link(a, 'eth0', d, 'eth0', { macA: MAC_A, macB: MAC_D });
  await linkLocal(a);
  const wa = await startWorker(a, { ...INIT, burstCount: 0, selfProbeIntervalMs: 1_000, selfProbeWaitMs: 500 });
  workers.push(wa);
  await wa.request({ op: 'announce', vip: VIP4 });
  await wa.request({ op: 'announce', vip: VIP6 });
  const clean = await wa.waitFor((l) => l['event'] === 'self-probe-completed' && l['vip'] === VIP6);
  t.same(clean['responders'], [], 'alone: nobody else answers');
  // d's kernel owns the VIPs on its interface: it answers a's probes itself.
  await d.exec('ip', ['addr', 'add', `${VIP4}/24`, 'dev', 'eth0']);
  await d.exec('ip', ['-6', 'addr', 'add', `${VIP6}/64`, 'dev', 'eth0', 'nodad']);
  const from = wa.lines.length;
  for (const vip of [VIP4, VIP6]) {
    const r = await wa.waitFor(
      (l) =>
        wa.lines.indexOf(l) >= from &&
        l['event'] === 'self-probe-completed' &&
        l['vip'] === vip &&
        (l['responders'] as string[]).length > 0,
    );
    t.same(r['responders'], [MAC_D], `${vip}: the other responder is counted`);
  }
});

t.test(
  'tshark decodes every frame we send with no malformed packet or expert warning',
  { skip: privilegedSkipWith('tshark', 'tcpdump', 'ping') },
  async (t) => {
    const lab = Lab.create({ tag: 'arpshark' }, t);
    const c = await lab.namespace('c');
    const a = await lab.namespace('a');
    await lab.link(c, 'eth0', a, 'eth0', { addressA: ['192.0.2.1/24', '2001:db8::1/64'], macA: MAC_C, macB: MAC_A });
    const file = join(tmpdir(), `${lab.id}.pcap`);
    t.teardown(() => rmSync(file, { force: true }));
    const dump = c.spawn('tcpdump', ['-i', 'eth0', '-U', '-w', file, 'arp or icmp6'], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 800));
    await linkLocal(a);
    const wa = await startWorker(a, {
      ...INIT,
      burstCount: 2,
      burstIntervalMs: 200,
      selfProbeIntervalMs: 600,
      selfProbeWaitMs: 200,
    });
    workers.push(wa);
    await wa.request({ op: 'announce', vip: VIP4 });
    await wa.request({ op: 'announce', vip: VIP6 });
    await c.exec('ping', ['-c', '1', '-W', '1', VIP4], { allowFail: true });
    await c.exec('ping', ['-6', '-c', '1', '-W', '1', VIP6], { allowFail: true });
    await wa.waitFor((l) => l['event'] === 'self-probe-completed' && l['vip'] === VIP6);
    await new Promise((r) => setTimeout(r, 500));
    dump.kill('SIGINT');
    await new Promise((r) => dump.once('exit', r));
    t.ok(readFileSync(file).length > 24, 'captured');

    const fields = await run('tshark', [
      '-r',
      file,
      '-T',
      'fields',
      '-E',
      'separator=|',
      '-e',
      'eth.src',
      '-e',
      '_ws.col.Protocol',
      '-e',
      '_ws.col.Info',
      '-e',
      '_ws.expert.severity',
      '-e',
      '_ws.malformed',
    ]);
    // a's kernel sends router solicitations and MLD reports from the same MAC: those are not ours.
    const ours = fields.stdout
      .trim()
      .split('\n')
      .map((l) => l.split('|'))
      .filter((f) => f[0] === MAC_A && !/Router Solicitation|Multicast Listener/.test(f[2] ?? ''));
    const infos = ours.map((f) => f[2] ?? '');
    t.ok(ours.length >= 8, `we sent ${ours.length} frames`);
    const want = [
      /Gratuitous ARP for 192\.0\.2\.100 \(Request\)|ARP Announcement for 192\.0\.2\.100/,
      /Gratuitous ARP for 192\.0\.2\.100 \(Reply\)/,
      /192\.0\.2\.100 is at 02:00:00:00:00:0a/,
      /Who has 192\.0\.2\.100\? \(ARP Probe\)/,
      /Neighbor Advertisement 2001:db8::100 \(ovr\)/,
      /Neighbor Advertisement 2001:db8::100 \(sol, ovr\)/,
      /Neighbor Solicitation for 2001:db8::100/,
    ];
    for (const w of want)
      t.ok(
        infos.some((i) => w.test(i)),
        `tshark saw ${w.source}`,
      );
    for (const f of ours) {
      t.ok(f[1] === 'ARP' || f[1] === 'ICMPv6', `${f[2]}: decoded as ${f[1]}`);
      t.equal(f[4] ?? '', '', `${f[2]}: not malformed`);
      // Severity: chat 0x200000 and note 0x400000 are information; warning and error are faults.
      const severities = (f[3] ?? '')
        .split(',')
        .filter(Boolean)
        .map((s) => Number(s));
      t.ok(
        severities.every((s) => s < 0x600000),
        `${f[2]}: no expert warning or error (${f[3]})`,
      );
    }
  },
);

t.test(
  'link loss and return on real interfaces are reported and re-announced',
  { skip: privilegedSkipWith('ndisc6') },
  async (t) => {
    const lab = Lab.create({ tag: 'arplink' }, t);
    const c = await lab.namespace('c');
    const a = await lab.namespace('a');
    await lab.link(c, 'eth0', a, 'eth0', { macA: MAC_C, macB: MAC_A });
    await linkLocal(a);
    const wa = await startWorker(a, { ...INIT, burstCount: 1 });
    workers.push(wa);
    await wa.request({ op: 'announce', vip: VIP6 });
    // The peer's end going down takes a's carrier away: reported, interface kept.
    await c.exec('ip', ['link', 'set', 'eth0', 'down']);
    t.match(await wa.waitFor((l) => l['event'] === 'link-lost'), {
      interface: 'eth0',
      reason: 'carrier-lost',
      vips: [VIP6],
    });
    await c.exec('ip', ['link', 'set', 'eth0', 'up']);
    t.match(await wa.waitFor((l) => l['event'] === 'link-restored'), { interface: 'eth0', vips: [VIP6] });
    // a's own end going down makes the interface ineligible; back up, it is reopened and the VIP re-announced.
    const from = wa.lines.length;
    await a.exec('ip', ['link', 'set', 'eth0', 'down']);
    t.match(await wa.waitFor((l) => wa.lines.indexOf(l) >= from && l['event'] === 'link-lost'), {
      interface: 'eth0',
      reason: 'ineligible',
      detail: 'down',
    });
    await a.exec('ip', ['link', 'set', 'eth0', 'up']);
    await wa.waitFor((l) => wa.lines.indexOf(l) >= from && l['event'] === 'link-restored');
    await wa.waitFor((l) => wa.lines.indexOf(l) >= from && l['event'] === 'burst-completed');
    // The solicited-node group was joined again: a multicast NS for the VIP is answered.
    await c.exec('ip', ['-6', 'addr', 'add', '2001:db8::1/64', 'dev', 'eth0', 'nodad']);
    const r = await c.exec('ndisc6', ['-1', '-r', '2', '-w', '500', VIP6, 'eth0'], { allowFail: true });
    t.match(r.stdout, /02:00:00:00:00:0A/i, `NS answered after the interface came back: ${r.stdout}${r.stderr}`);
  },
);
