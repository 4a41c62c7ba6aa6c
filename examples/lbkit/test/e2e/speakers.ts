// Shared by the end-to-end tests: how a lab node runs `lbkit speaker`, and polling with a deadline.
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ProfileName } from '@lbkit/election';
import type { Netns } from '@lbkit/testkit';

const cli = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));

/** A lab node running a speaker, with the speaker's log lines kept for failure reports. */
export interface LabNode {
  readonly ns: Netns;
  readonly addr: string;
  proc?: ChildProcess;
  readonly log: string[];
}

/**
 * Starts `lbkit speaker --standalone` in the node's namespace, announcing on eth0, with the `aggressive`
 * election profile unless `profile` names another.
 */
export function startSpeaker(
  node: LabNode,
  o: { name: string; files: readonly string[]; state: string; seeds: readonly string[]; profile?: ProfileName },
): ChildProcess {
  const proc = node.ns.node(cli, [
    'speaker',
    '--standalone',
    ...o.files.flatMap((f) => ['-f', f]),
    '--state',
    o.state,
    '--node-name',
    o.name,
    '--ml-bindaddr',
    node.addr,
    '--ml-seeds',
    o.seeds.join(','),
    '--ml-profile',
    o.profile ?? 'aggressive',
    '--interfaces',
    '^eth0$',
    '--port',
    '0',
    '--log-level',
    'info',
  ]);
  proc.stderr?.on('data', (d: Buffer) => node.log.push(...String(d).trim().split('\n')));
  node.proc = proc;
  return proc;
}

/** Calls `fn` every `stepMs` until it returns a value (errors count as not yet), or throws after `timeoutMs`. */
export async function until<T>(
  what: string,
  fn: () => Promise<T | undefined>,
  timeoutMs: number,
  stepMs = 10,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

interface Neigh {
  dst: string;
  lladdr?: string;
  state?: string[];
}

/** The MAC the client's kernel has for `ip` now, unless its entry is failed or still resolving. */
export async function neighbourMac(client: Netns, ip: string): Promise<string | undefined> {
  const list = await client.ipJson<Neigh[]>([ip.includes(':') ? '-6' : '-4', 'neigh', 'show', ip]);
  const e = list.find(
    (n) => n.lladdr !== undefined && !(n.state ?? []).includes('FAILED') && !(n.state ?? []).includes('INCOMPLETE'),
  );
  return e?.lladdr;
}

/**
 * True when every node's speaker last logged every other node as alive and logged no membership change in
 * the last `quietMs`: a trial that starts then starts from a settled cluster (a restarted speaker can be
 * suspected for a moment while it starts; see the failover lab).
 */
export function membershipSettled(nodes: ReadonlyMap<string, LabNode>, quietMs: number): boolean {
  const since = Date.now() - quietMs;
  for (const [name, n] of nodes) {
    const last = new Map<string, string>();
    for (const line of n.log) {
      if (!line.includes('"membership changed"')) continue;
      try {
        const j = JSON.parse(line) as { time?: number; member?: string; event?: string };
        if ((j.time ?? 0) > since) return false;
        if (j.member !== undefined && j.event !== undefined) last.set(j.member, j.event);
      } catch {
        // not a JSON line
      }
    }
    for (const other of nodes.keys()) if (other !== name && last.get(other) !== 'member-alive') return false;
  }
  return true;
}
