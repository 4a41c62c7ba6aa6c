// The layer 2 failover lab, shared by test/e2e/failover.test.ts and bench/index.ts: three node namespaces on
// one bridge, each with the Service addresses on `lo` (arp_ignore) and a small HTTP server standing for the
// Service's backend, and a client namespace that opens a fresh connection to the VIP every 10 ms. The same
// lab runs either `lbkit speaker` (standalone, a chosen election profile) or keepalived (VRRPv3) on every node,
// and measures how long clients are cut off when the owner dies, loses its link, or stops gracefully.
//
// Instruments, all on one clock (epoch milliseconds, `performance.timeOrigin + performance.now()`, the kernel's
// packet timestamps for tcpdump):
// - the probe's results (test/e2e/lab-bin/probe.ts), one per request;
// - every ARP frame the client sees (tcpdump in the client namespace), to split an outage into
//   "until the new owner's first announcement reaches the client" and "from there to the first answer";
// - the speakers' own log lines (pino `time`), for the moment the new owner decided to announce.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '@lbkit/core';
import { chooseOwner, type ProfileName } from '@lbkit/election';
import { Lab, type Netns } from '@lbkit/testkit';
import { StandaloneController } from '../../src/controller/standalone.js';
import { readState } from '../../src/standalone/state-file.js';
import { startSpeaker, type LabNode } from './speakers.js';

/** Epoch milliseconds with sub-millisecond precision, comparable across the lab's processes. */
export const now = (): number => performance.timeOrigin + performance.now();

const CONFIG = fileURLToPath(new URL('../fixtures/lab/config.yaml', import.meta.url));
const HTTP_SERVER = fileURLToPath(new URL('./lab-bin/http-server.ts', import.meta.url));
const PROBE = fileURLToPath(new URL('./lab-bin/probe.ts', import.meta.url));

/** The lab's nodes, in namespace order; their ranking for the VIP comes from the election, not from this order. */
export const NODES = ['node-a', 'node-b', 'node-c'] as const;

/** A new connection this often (100 requests/s). */
export const PROBE_INTERVAL_MS = 10;
/**
 * Each request's own deadline. A healthy request on this lab takes about a millisecond (tens under load), so
 * 250 ms only ever ends requests whose SYN went to a MAC that no longer answers. It is well below TCP's 1 s
 * SYN retransmission, so such a request is reported as failed rather than as a late success whose retried
 * SYN happened to reach the new owner; and it bounds the requests in flight during an outage to about 25.
 */
export const PROBE_TIMEOUT_MS = 250;

/**
 * Before each trial the owner must have served steadily and, for lbkit, no speaker may have logged a membership
 * change for this long, so every trial starts from a settled cluster with the standby's fast-takeover watch
 * armed. After a restart 500 ms is plenty (the standby watches a returning member at once). After a link cut
 * the membership flaps for up to about 3 s once the link is back (suspect / alive / suspect, the returning
 * node isolating itself again), with quiet gaps of up to about 800 ms, and the standby's watch stays disarmed
 * after a refutation until a heartbeat arrives: 1 s.
 */
export function settleMs(failure: Failure): number {
  return failure === 'linkcut' ? 1_000 : 500;
}

/** One probe request: start and end (epoch ms) and the node that answered, or the error. */
export interface ProbeResult {
  readonly s: number;
  readonly e: number;
  readonly node?: string;
  readonly err?: string;
}

/** One ARP frame seen by the client: kernel timestamp (epoch ms), source MAC, sender IP. */
export interface ArpSeen {
  readonly t: number;
  readonly mac: string;
  readonly sender: string;
  readonly reply: boolean;
}

/** What takes the address over. */
export type System = { kind: 'lbkit'; profile: ProfileName } | { kind: 'keepalived'; advertInt: number };

/** How the owner fails: SIGKILL of its speaker (or keepalived), a cut of its link, or a graceful stop (SIGTERM). */
export type Failure = 'sigkill' | 'linkcut' | 'sigterm';

/** One trial of a scenario. */
export interface Trial {
  /** When the failure was caused (epoch ms). */
  readonly at: number;
  /** From the kill to the end of the first successful request answered by another node. */
  readonly outageMs: number;
  /** The node that answered that request. */
  readonly to: string;
  /** Requests that ended in failure after the kill and had started before that first success. */
  readonly failed: number;
  /** Requests that ended in failure after the kill, up to the new owner serving steadily (the graceful check). */
  readonly failedUntilStable: number;
  /**
   * Of those, the requests in flight when an ARP frame for the VIP reached the client (started before it, ended
   * after it, 1 ms of slack): a connection whose SYN went to the old owner and whose next segment went to the
   * new one, which has no such connection and resets it. No layer 2 move can save those.
   */
  readonly failedAtFlip: number;
  /** Those failures: error, and start and end relative to the kill (ms). */
  readonly failures: ReadonlyArray<{ readonly err: string; readonly s: number; readonly e: number }>;
  /** From the kill to the first ARP frame from the new owner's MAC for the VIP at the client. */
  readonly arpMs: number | undefined;
  /** From the kill to the new owner's "announcing" log line (lbkit only). */
  readonly decidedMs: number | undefined;
  /** Every ARP frame for the VIP the client saw from the kill to the first answer: ms after the kill, and whose. */
  readonly announcements: ReadonlyArray<{ readonly ms: number; readonly node: string }>;
}

/** Every trial of one scenario and who was expected to take over. */
export interface ScenarioResult {
  readonly name: string;
  readonly system: System;
  readonly failure: Failure;
  readonly victim: string;
  readonly expected: string;
  readonly trials: Trial[];
}

/** Nearest-rank percentile of a sample (for n = 20, p99 is the maximum). */
export function percentile(values: readonly number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] as number;
}

/** p50 / p99 / max of a sample, rounded to 0.1 ms. */
export function summarize(values: readonly number[]): { p50: number; p99: number; max: number; n: number } {
  const r = (v: number): number => Math.round(v * 10) / 10;
  return {
    p50: r(percentile(values, 50)),
    p99: r(percentile(values, 99)),
    max: r(Math.max(...values)),
    n: values.length,
  };
}

/** A scenario's label, e.g. `lbkit aggressive sigkill` or `keepalived advert_int 0.1 linkcut`. */
export function scenarioName(system: System, failure: Failure): string {
  return system.kind === 'lbkit'
    ? `lbkit ${system.profile} ${failure}`
    : `keepalived advert_int ${system.advertInt} ${failure}`;
}

/** Lines of a report for one scenario: percentiles, the split of the outage, and every sample. */
export function formatScenario(r: ScenarioResult): string {
  const f = (v: number | undefined): string => (v === undefined ? '-' : v.toFixed(1));
  const out = r.trials.map((x) => x.outageMs);
  const s = summarize(out);
  const arp = r.trials.flatMap((x) => (x.arpMs === undefined ? [] : [x.arpMs]));
  const after = r.trials.flatMap((x) => (x.arpMs === undefined ? [] : [x.outageMs - x.arpMs]));
  const decided = r.trials.flatMap((x) => (x.decidedMs === undefined ? [] : [x.decidedMs]));
  const lines = [
    `${r.name}: ${r.victim} -> ${r.expected}, n=${s.n}: p50 ${f(s.p50)} ms, p99 ${f(s.p99)} ms, max ${f(s.max)} ms`,
  ];
  if (decided.length > 0) lines.push(`  kill -> new owner decides (its log): p50 ${f(percentile(decided, 50))} ms`);
  if (arp.length > 0)
    lines.push(
      `  kill -> first ARP from the new owner at the client: p50 ${f(percentile(arp, 50))}, max ${f(Math.max(...arp))} ms;` +
        ` that ARP -> first answer: p50 ${f(percentile(after, 50))}, max ${f(Math.max(...after))} ms`,
    );
  lines.push(
    `  failed requests before the first answer: ${r.trials.map((x) => x.failed).join(' ')}; until steady: ${r.trials.map((x) => x.failedUntilStable).join(' ')}`,
  );
  for (const [i, x] of r.trials.entries()) {
    // Outliers: name every announcement the client saw before its first answer from the new owner.
    if (x.arpMs === undefined || x.outageMs - x.arpMs > 50)
      lines.push(
        `  trial ${i}: ${f(x.outageMs)} ms; ARP for the VIP seen at ` +
          (x.announcements.map((a) => `${a.ms.toFixed(1)} ms (${a.node})`).join(', ') || 'none'),
      );
  }
  if (r.failure === 'sigterm')
    for (const [i, x] of r.trials.entries())
      if (x.failures.length > 0)
        lines.push(
          `  trial ${i} failures (ms from SIGTERM; new owner's ARP at ${f(x.arpMs)}; ${x.failedAtFlip} in flight at an ARP move): ` +
            x.failures.map((e) => `${e.err} ${e.s.toFixed(1)}..${e.e.toFixed(1)}`).join(', '),
        );
  lines.push(`  samples (ms): ${out.map((v) => v.toFixed(1)).join(', ')}`);
  return lines.join('\n');
}

interface Node extends LabNode {
  readonly name: string;
  readonly mac: string;
  /** The node's port on the bridge, in the switch namespace (a link cut sets it down). */
  readonly port: string;
  /** Every line the current speaker or keepalived printed, parsed later for timings. */
  lines: Array<{ t: number; line: string }>;
  keepalived?: ChildProcess;
}

/** Anything with tap's `teardown`. */
interface Teardown {
  teardown(fn: () => unknown): void;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The lab. `create` builds the namespaces, HTTP servers, the probe and the ARP capture; `use` switches the
 * nodes to one system; `run` measures one scenario. Pass tap's `t` to `create` for automatic teardown, or call
 * `destroy` (the underlying testkit Lab also cleans up on exit and on SIGINT/SIGTERM/SIGHUP).
 */
export class FailoverLab {
  readonly lab: Lab;
  /** The IPv4 and IPv6 Service addresses the controller gave `default/web`. */
  readonly vip: string;
  readonly vip6: string;
  /** The election's ranking for the VIP: owner first. keepalived gets priorities in the same order. */
  readonly ranking: readonly string[];
  /** Every probe result so far, in the order they ended. */
  readonly results: ProbeResult[] = [];
  /** Every ARP frame the client saw so far. */
  readonly arps: ArpSeen[] = [];
  /** tcpdump lines the ARP parser did not recognise (for debugging the capture). */
  readonly rawArp: string[] = [];
  readonly #nodes = new Map<string, Node>();
  readonly #dir: string;
  readonly #state: string;
  readonly #sw: Netns;
  readonly #client: Netns;
  readonly #progress: (msg: string) => void;
  #system: System | undefined;

  private constructor(o: {
    lab: Lab;
    dir: string;
    state: string;
    vip: string;
    vip6: string;
    sw: Netns;
    client: Netns;
    progress: (msg: string) => void;
  }) {
    this.lab = o.lab;
    this.#dir = o.dir;
    this.#state = o.state;
    this.vip = o.vip;
    this.vip6 = o.vip6;
    this.#sw = o.sw;
    this.#client = o.client;
    this.#progress = o.progress;
    let rest: string[] = [...NODES];
    const ranking: string[] = [];
    while (rest.length > 0) {
      const owner = chooseOwner(o.vip, rest, {}).owner as string;
      ranking.push(owner);
      rest = rest.filter((n) => n !== owner);
    }
    this.ranking = ranking;
  }

  /** Builds the lab. Nothing announces the VIP until `use`. */
  static async create(o: { t?: Teardown; tag?: string; progress?: (msg: string) => void } = {}): Promise<FailoverLab> {
    const dir = mkdtempSync(join(tmpdir(), 'lbkit-failover-'));
    const removeDir = (): void => rmSync(dir, { recursive: true, force: true });
    process.once('exit', removeDir);
    const state = join(dir, 'state.json');
    const controller = new StandaloneController(
      { namespace: 'metallb-system', loadBalancerClass: '', files: [CONFIG], stateFile: state },
      { logger: silentLogger },
    );
    if (controller.pass() !== 1) throw new Error('the controller did not assign the lab Service its addresses');
    const ips = readState(state).services['default/web']?.ips ?? [];
    const [vip, vip6] = ips;
    if (vip === undefined || vip6 === undefined || vip.includes(':'))
      throw new Error(`expected an IPv4 and an IPv6 address, got ${ips.join(', ')}`);

    const lab = Lab.create({ tag: o.tag ?? 'l2fo' }, o.t);
    o.t?.teardown(removeDir);
    const sw = await lab.namespace('sw');
    await lab.bridge(sw, 'br0');
    const client = await lab.namespace('client');
    await lab.attach(client, 'eth0', sw, 'br0', 'pc', ['192.0.2.50/24', '2001:db8::50/64']);
    const self = new FailoverLab({ lab, dir, state, vip, vip6, sw, client, progress: o.progress ?? (() => {}) });
    for (const [i, name] of NODES.entries()) {
      const ns = await lab.namespace(name.replace('node-', 'n'));
      const addr = `192.0.2.${i + 1}`;
      const port = `p${i}`;
      await lab.attach(ns, 'eth0', sw, 'br0', port, [`${addr}/24`, `2001:db8::${i + 1}/64`]);
      // The Service addresses are local on every node (as kube-proxy makes them) but the kernel must not answer
      // ARP/NDP for them: only the owner does.
      await ns.exec('sysctl', ['-qw', 'net.ipv4.conf.all.arp_ignore=1', 'net.ipv4.conf.eth0.arp_ignore=1']);
      const node: Node = { name, ns, addr, port, mac: await ns.mac('eth0'), log: [], lines: [] };
      self.#nodes.set(name, node);
      const http = ns.node(HTTP_SERVER, [name, '80']);
      await firstLine(http, 'listening', 30_000, `the HTTP server on ${name}`);
    }
    await self.#startCapture();
    self.#startProbe();
    return self;
  }

  /** The node (name) whose MAC this is. */
  nodeOfMac(mac: string): string | undefined {
    return [...this.#nodes.values()].find((n) => n.mac === mac)?.name;
  }

  /** Every log line a node's current speaker or keepalived printed (for failure reports). */
  logOf(name: string): string[] {
    return (this.#nodes.get(name)?.lines ?? []).map((l) => l.line);
  }

  async #startCapture(): Promise<void> {
    const proc = this.#client.spawn('tcpdump', [
      '-l',
      '-n',
      '-e',
      '-tt',
      '--time-stamp-precision=micro',
      '--immediate-mode',
      '-i',
      'eth0',
      'arp',
    ]);
    const ready = firstLine(proc, 'listening on', 20_000, 'tcpdump in the client namespace', 'stderr');
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      // 1764300000.123456 02:aa:..:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has A (ff:..) tell B, length 28
      const m =
        /^(\d+\.\d+) ([0-9a-f:]{17}) > .*?: (?:Request who-has \S+(?: \([0-9a-f:]+\))? tell ([^\s,]+)|Reply ([^\s,]+) is-at|Announcement ([^\s,]+))/.exec(
          line,
        );
      if (m === null) {
        this.rawArp.push(line);
        return;
      }
      this.arps.push({
        t: Number(m[1]) * 1000,
        mac: m[2] as string,
        sender: m[3] ?? m[4] ?? m[5] ?? '',
        reply: m[4] !== undefined,
      });
    });
    await ready;
  }

  #startProbe(): void {
    const proc = this.#client.node(PROBE, [this.vip, '80', String(PROBE_INTERVAL_MS), String(PROBE_TIMEOUT_MS)]);
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      try {
        this.results.push(JSON.parse(line) as ProbeResult);
      } catch {
        /* a partial line at exit */
      }
    });
  }

  /**
   * Switches every node to `system`: starts it with the VIP's owner per the ranking and waits until the
   * owner serves steadily. The other system is stopped first and its addresses removed.
   */
  async use(system: System): Promise<void> {
    await this.#stopAll();
    this.#system = system;
    await this.#client.exec('ip', ['neigh', 'flush', 'dev', 'eth0'], { allowFail: true });
    for (const n of this.#nodes.values()) {
      // lbkit: the VIPs sit on lo and only the speaker answers for them; keepalived puts the IPv4 VIP on eth0.
      await n.ns.exec('ip', ['addr', 'del', `${this.vip}/32`, 'dev', 'lo'], { allowFail: true });
      await n.ns.exec('ip', ['addr', 'del', `${this.vip}/32`, 'dev', 'eth0'], { allowFail: true });
      await n.ns.exec('ip', ['-6', 'addr', 'del', `${this.vip6}/128`, 'dev', 'lo'], { allowFail: true });
      if (system.kind === 'lbkit') {
        await n.ns.exec('ip', ['addr', 'add', `${this.vip}/32`, 'dev', 'lo']);
        await n.ns.exec('ip', ['-6', 'addr', 'add', `${this.vip6}/128`, 'dev', 'lo']);
      }
    }
    for (const name of this.ranking) this.#start(name);
    await this.waitSteady(this.ranking[0] as string, 60_000, { quietMs: 1_000 });
  }

  /** Stops whatever runs on the nodes and withdraws keepalived's addresses. */
  async #stopAll(): Promise<void> {
    for (const n of this.#nodes.values()) {
      await stopProcess(n.proc);
      await stopProcess(n.keepalived);
      delete n.proc;
      delete n.keepalived;
      await n.ns.exec('ip', ['addr', 'del', `${this.vip}/32`, 'dev', 'eth0'], { allowFail: true });
    }
  }

  #start(name: string): void {
    const n = this.#nodes.get(name)!;
    const system = this.#system!;
    n.lines = [];
    if (system.kind === 'lbkit') {
      const seeds = NODES.filter((x) => x !== name).map((x) => `${this.#nodes.get(x)!.addr}:7946`);
      n.log.length = 0;
      const proc = startSpeaker(n, { name, files: [CONFIG], state: this.#state, seeds, profile: system.profile });
      collectLines(proc, 'stderr', n);
    } else {
      const conf = join(this.#dir, `keepalived-${name}.conf`);
      writeFileSync(
        conf,
        keepalivedConfig(name, this.vip, system.advertInt, this.#priority(name), name === this.ranking[0]),
      );
      const pid = (what: string): string => join(this.#dir, `${name}-${what}.pid`);
      // A SIGKILLed keepalived leaves its pid files, and a new one refuses to start over them.
      for (const what of ['keepalived', 'vrrp', 'checkers', 'bfd']) rmSync(pid(what), { force: true });
      const proc = n.ns.spawn('keepalived', [
        '-n', // stay in the foreground, so the lab owns the process group
        '-l',
        '-D',
        '-G',
        '-P',
        '-f',
        conf,
        '-p',
        pid('keepalived'),
        '-r',
        pid('vrrp'),
        '-c',
        pid('checkers'),
        '-b',
        pid('bfd'),
      ]);
      n.keepalived = proc;
      collectLines(proc, 'stdout', n);
      collectLines(proc, 'stderr', n);
    }
  }

  /** VRRP priorities in the election's order, so both systems fail over to the same node (see `keepalivedConfig`). */
  #priority(name: string): number {
    return [255, 100, 50][this.ranking.indexOf(name)] ?? 10;
  }

  /**
   * Waits until `node` has answered every probe request for the last `steadyMs` (at least half the expected
   * count, all since this call). With `quietMs`, for lbkit, also until every speaker has logged every other
   * member alive and no speaker has logged a membership change for that long: a cluster that has just healed
   * flaps for a while, and a failure in the middle of that is a different experiment.
   */
  async waitSteady(node: string, timeoutMs: number, o: { steadyMs?: number; quietMs?: number } = {}): Promise<void> {
    const steadyMs = o.steadyMs ?? 500;
    const since = now();
    const end = since + timeoutMs;
    const want = (steadyMs / PROBE_INTERVAL_MS) * 0.5;
    for (;;) {
      const t = now();
      let count = 0;
      let runStart = t;
      for (let i = this.results.length - 1; i >= 0; i--) {
        const r = this.results[i] as ProbeResult;
        if (r.node !== node || r.s < since) break;
        runStart = r.s;
        count++;
      }
      const served = count >= want && t - runStart >= steadyMs;
      const quiet = o.quietMs === undefined || this.#settled(t - o.quietMs);
      if (served && quiet) return;
      if (t > end) {
        const last = this.results.slice(-5).map((r) => r.node ?? r.err);
        throw new Error(
          served
            ? `timed out after ${timeoutMs} ms waiting for the speakers' membership to settle (every member alive, no change for ${o.quietMs} ms)`
            : `timed out after ${timeoutMs} ms waiting for ${node} to serve ${this.vip} steadily (last: ${last.join(', ')})`,
        );
      }
      await sleep(20);
    }
  }

  /** lbkit: every speaker's last membership event for every other member is "alive", and none came after `before`. */
  #settled(before: number): boolean {
    if (this.#system?.kind !== 'lbkit') return true;
    for (const n of this.#nodes.values()) {
      const last = new Map<string, string>();
      for (const { t, line } of n.lines) {
        if (!line.includes('"membership changed"')) continue;
        if (t > before) return false;
        try {
          const j = JSON.parse(line) as { member?: string; event?: string };
          if (j.member !== undefined && j.event !== undefined) last.set(j.member, j.event);
        } catch {
          /* not JSON */
        }
      }
      for (const other of NODES) if (other !== n.name && last.get(other) !== 'member-alive') return false;
    }
    return true;
  }

  /**
   * Runs `trials` failures of the current owner and measures each. Between trials the victim is restored
   * (restarted, link up) and the lab waits until it serves the VIP again, steadily.
   */
  async run(failure: Failure, trials: number, onTrial?: (i: number, trial: Trial) => void): Promise<ScenarioResult> {
    const system = this.#system;
    if (system === undefined) throw new Error('call use() first');
    const [victim, expected] = this.ranking as [string, string];
    const v = this.#nodes.get(victim)!;
    const out: Trial[] = [];
    const began = now();
    for (let i = 0; i < trials; i++) {
      await this.waitSteady(victim, 60_000, { quietMs: settleMs(failure) });
      const from = this.results.length;
      const arpFrom = this.arps.length;
      const linesFrom = new Map([...this.#nodes.values()].map((n) => [n.name, n.lines.length]));
      // A random phase against the owner's own heartbeat / advertisement schedule, which the restore above
      // otherwise fixes (a restarted keepalived advertises from its start on; the kill would always come the same
      // time after an advertisement, and every outage would be the same slice of the master-down interval).
      await sleep(Math.random() * (system.kind === 'keepalived' ? system.advertInt * 1000 : 200));
      const proc = system.kind === 'lbkit' ? v.proc : v.keepalived;
      const exited = proc === undefined || failure === 'linkcut' ? Promise.resolve() : exitOf(proc);
      const killedAt = now();
      if (failure === 'sigkill') killGroup(proc, 'SIGKILL');
      else if (failure === 'sigterm') proc?.kill('SIGTERM');
      else await this.#sw.exec('ip', ['link', 'set', v.port, 'down']);

      // The first success through another node.
      let first: ProbeResult | undefined;
      let scanned = from;
      const deadline = now() + 20_000;
      while (first === undefined) {
        for (; scanned < this.results.length; scanned++) {
          const r = this.results[scanned] as ProbeResult;
          if (r.e >= killedAt && r.node !== undefined && r.node !== victim) {
            first = r;
            break;
          }
        }
        if (first === undefined) {
          if (now() > deadline)
            throw new Error(
              `${scenarioName(system, failure)}: nobody but ${victim} answered within 20 s of the failure`,
            );
          await sleep(2);
        }
      }
      const to = first.node as string;
      // Restore the victim. A restarted speaker needs over a second before it takes the address back, so it is
      // started now, while the new owner's steady service is checked; the other restores wait for that.
      const restore = async (): Promise<void> => {
        if (failure === 'linkcut') await this.#sw.exec('ip', ['link', 'set', v.port, 'up']);
        if (failure === 'linkcut' && system.kind === 'keepalived') {
          // keepalived back from FAULT waits out a master-down interval before it preempts (3.2 s at advert_int
          // 1); restarted as the address owner it takes the address back at once. Only the restore is faster.
          const gone = exitOf(proc as ChildProcess);
          killGroup(proc, 'SIGKILL');
          await gone;
        }
        if (failure === 'linkcut' && system.kind === 'lbkit') return;
        await exited;
        if (system.kind === 'keepalived') {
          // Its VRRP child must be gone too, and the address it leaves behind must not answer.
          await waitNoProcess(v.ns, 'keepalived', 5_000);
          await v.ns.exec('ip', ['addr', 'del', `${this.vip}/32`, 'dev', 'eth0'], { allowFail: true });
        }
        this.#start(victim);
      };
      const early = system.kind === 'lbkit' && failure !== 'linkcut';
      const restoring = early ? restore() : undefined;
      // Let the new owner serve steadily, then count every request that failed after the kill (the graceful check).
      await this.waitSteady(to, 20_000, { steadyMs: 300 });
      const failures = this.results.slice(from).filter((r) => r.err !== undefined && r.e >= killedAt);
      const newMac = this.#nodes.get(to)?.mac;
      // The ARP frame that moved the client, as captured: the first one for the VIP from the new owner's MAC.
      const arp = this.arps
        .slice(arpFrom)
        .find((a) => a.t >= killedAt - 1 && a.mac === newMac && a.sender === this.vip);
      const decided =
        system.kind === 'lbkit'
          ? this.#nodes
              .get(to)
              ?.lines.slice(linesFrom.get(to) ?? 0)
              .find((l) => l.line.includes('"announcing (layer 2)"'))
          : undefined;
      const decidedMs = decided === undefined ? undefined : logTime(decided.line) - killedAt;

      const flips = this.arps.slice(arpFrom).flatMap((a) => (a.sender === this.vip ? [a.t] : []));
      const firstStart = first.s;
      const trial: Trial = {
        at: killedAt,
        outageMs: first.e - killedAt,
        to,
        failed: failures.filter((r) => r.s < firstStart).length,
        failedUntilStable: failures.length,
        failedAtFlip: failures.filter((r) => flips.some((t) => r.s - 1 <= t && t <= r.e + 1)).length,
        failures: failures.map((r) => ({ err: r.err ?? '', s: r.s - killedAt, e: r.e - killedAt })),
        arpMs: arp === undefined ? undefined : arp.t - killedAt,
        decidedMs,
        announcements: this.arps
          .slice(arpFrom)
          .filter((a) => a.sender === this.vip && a.t >= killedAt - 1 && a.t <= first.e)
          .map((a) => ({ ms: a.t - killedAt, node: this.nodeOfMac(a.mac) ?? a.mac })),
      };
      out.push(trial);
      onTrial?.(i, trial);

      await (restoring ?? restore());
    }
    await this.waitSteady(victim, 60_000, { quietMs: settleMs(failure) });
    this.#progress(`${scenarioName(system, failure)}: ${trials} trials in ${((now() - began) / 1000).toFixed(1)} s`);
    return { name: scenarioName(system, failure), system, failure, victim, expected, trials: out };
  }

  /** Kills everything and removes the namespaces and the scratch folder. */
  async destroy(): Promise<void> {
    await this.lab.destroy();
    rmSync(this.#dir, { recursive: true, force: true });
  }
}

/**
 * keepalived's configuration for one node: VRRPv3, the IPv4 VIP on eth0, preemption on (its default). The
 * primary is the address owner (priority 255, state MASTER), so a restarted primary takes the address back at
 * once instead of waiting out a master-down interval. That does not change what is measured: a backup's
 * master-down interval is 3 × advert_int plus a skew from its OWN priority (RFC 5798 §6.1), and the backup
 * that takes over has priority 100, as in the reference figure.
 */
export function keepalivedConfig(
  name: string,
  vip: string,
  advertInt: number,
  priority: number,
  primary: boolean,
): string {
  return `global_defs {
  router_id ${name}
  vrrp_version 3
}
vrrp_instance lab {
  state ${primary ? 'MASTER' : 'BACKUP'}
  interface eth0
  virtual_router_id 51
  priority ${priority}
  advert_int ${advertInt}
  virtual_ipaddress {
    ${vip}/32 dev eth0
  }
}
`;
}

function collectLines(proc: ChildProcess, stream: 'stdout' | 'stderr', n: Node): void {
  const s = proc[stream];
  if (s === null) return;
  const lines = n.lines;
  createInterface({ input: s }).on('line', (line) => {
    lines.push({ t: now(), line });
    if (lines.length > 20_000) lines.splice(0, 10_000);
  });
}

function logTime(line: string): number {
  try {
    const t = (JSON.parse(line) as { time?: number }).time;
    return typeof t === 'number' ? t : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Waits until no process with this command name is left in the namespace. */
async function waitNoProcess(ns: Netns, comm: string, timeoutMs: number): Promise<void> {
  const end = now() + timeoutMs;
  for (;;) {
    const pids = (await ns.exec('ip', ['netns', 'pids', ns.name], { allowFail: true })).stdout
      .split('\n')
      .filter(Boolean);
    const left = pids.filter((p) => {
      try {
        return readFileSync(`/proc/${p}/comm`, 'utf8').trim() === comm;
      } catch {
        return false;
      }
    });
    if (left.length === 0) return;
    if (now() > end) throw new Error(`${comm} (${left.join(', ')}) still running in ${ns.name}`);
    await sleep(20);
  }
}

function killGroup(proc: ChildProcess | undefined, signal: NodeJS.Signals): void {
  if (proc?.pid === undefined) return;
  try {
    process.kill(-proc.pid, signal);
  } catch {
    proc.kill(signal);
  }
}

function exitOf(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((r) => proc.once('exit', () => r()));
}

async function stopProcess(proc: ChildProcess | undefined): Promise<void> {
  if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = exitOf(proc);
  killGroup(proc, 'SIGKILL');
  await Promise.race([exited, sleep(5_000)]);
}

function firstLine(
  proc: ChildProcess,
  text: string,
  timeoutMs: number,
  what: string,
  stream: 'stdout' | 'stderr' = 'stdout',
): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = proc[stream];
    if (s === null) {
      reject(new Error(`${what}: no ${stream}`));
      return;
    }
    const timer = setTimeout(() => reject(new Error(`${what}: no "${text}" within ${timeoutMs} ms`)), timeoutMs);
    const onData = (d: Buffer): void => {
      if (!String(d).includes(text)) return;
      clearTimeout(timer);
      s.off('data', onData);
      resolve();
    };
    s.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code}) before "${text}"`));
    });
  });
}
