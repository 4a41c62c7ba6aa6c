import { execFile, execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/** The outcome of a command run to completion. */
export interface ExecResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A failed command: what ran, its exit code and what it printed. */
export class CommandError extends Error {
  readonly code = 'ERR_TESTKIT_COMMAND';
  readonly result: ExecResult;

  constructor(cmd: string, args: readonly string[], result: ExecResult) {
    super(`${cmd} ${args.join(' ')} exited with ${result.code}: ${result.stderr.trim() || result.stdout.trim()}`);
    this.result = result;
  }
}

/** Runs a command to completion; rejects with {@link CommandError} on a non-zero exit unless `allowFail`. */
export function run(
  cmd: string,
  args: readonly string[],
  options: { timeoutMs?: number; allowFail?: boolean; input?: string } = {},
): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      cmd,
      args,
      { timeout: options.timeoutMs ?? 30_000, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const code =
          err === null
            ? 0
            : typeof (err as { code?: unknown }).code === 'number'
              ? (err as { code: number }).code
              : null;
        const result: ExecResult = { code, stdout, stderr };
        if (err !== null && options.allowFail !== true) reject(new CommandError(cmd, args, result));
        else resolve(result);
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

const PREFIX = 'lbk';
const live = new Set<Lab>();
let hooked = false;

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes namespaces left by earlier runs whose process is gone (a run killed with SIGKILL cannot clean up
 * after itself). Only names of this harness's form, `lbk<pid>x…`, whose pid is dead, are touched.
 */
export function sweepStaleNamespaces(): string[] {
  let list = '';
  try {
    list = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const line of list.split('\n')) {
    const name = line.split(' ')[0] ?? '';
    const m = new RegExp(`^${PREFIX}(\\d+)x`).exec(name);
    if (m === null) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || pidAlive(pid)) continue;
    try {
      execFileSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
      removed.push(name);
    } catch {
      /* already gone */
    }
  }
  return removed;
}

function installHooks(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const lab of live) lab.destroySync();
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      for (const lab of live) lab.destroySync();
      process.exit(128 + (sig === 'SIGINT' ? 2 : sig === 'SIGTERM' ? 15 : 1));
    });
  }
}

/** Options of a process started inside a namespace. */
export interface SpawnInNsOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Pipe stdout/stderr for reading (default) or inherit them. */
  stdio?: 'pipe' | 'inherit' | 'ignore';
  /** Standard input: none (default), or a pipe for sending the process commands. */
  stdin?: 'pipe' | 'ignore';
}

/** A network namespace created by a {@link Lab}. */
export class Netns {
  readonly name: string;
  readonly #lab: Lab;

  constructor(lab: Lab, name: string) {
    this.#lab = lab;
    this.name = name;
  }

  /** Runs a command inside the namespace to completion. */
  exec(
    cmd: string,
    args: readonly string[] = [],
    options: { timeoutMs?: number; allowFail?: boolean; input?: string } = {},
  ): Promise<ExecResult> {
    return run('ip', ['netns', 'exec', this.name, cmd, ...args], options);
  }

  /** Starts a long-running process inside the namespace; the lab kills it (its whole process group) on destroy. */
  spawn(cmd: string, args: readonly string[] = [], options: SpawnInNsOptions = {}): ChildProcess {
    return this.#lab.spawnIn(this, cmd, args, options);
  }

  /**
   * Starts a Node program inside the namespace. A `.ts` file runs through tsx, so tests can start workers
   * written in TypeScript.
   */
  node(script: string, args: readonly string[] = [], options: SpawnInNsOptions = {}): ChildProcess {
    const nodeArgs = script.endsWith('.ts') ? ['--import', 'tsx', script, ...args] : [script, ...args];
    return this.spawn(process.execPath, nodeArgs, options);
  }

  /** Adds an address (CIDR form) to an interface and brings the interface up. */
  async addAddress(ifname: string, cidr: string): Promise<void> {
    const args = cidr.includes(':')
      ? ['-6', 'addr', 'add', cidr, 'dev', ifname, 'nodad']
      : ['addr', 'add', cidr, 'dev', ifname];
    await this.exec('ip', args);
    await this.exec('ip', ['link', 'set', ifname, 'up']);
  }

  /** Runs `ip -j …` and parses its JSON. */
  async ipJson<T = unknown>(args: readonly string[]): Promise<T> {
    const r = await this.exec('ip', ['-j', ...args]);
    return JSON.parse(r.stdout === '' ? '[]' : r.stdout) as T;
  }

  /** The MAC of an interface in this namespace. */
  async mac(ifname: string): Promise<string> {
    const links = await this.ipJson<Array<{ address: string }>>(['link', 'show', 'dev', ifname]);
    const addr = links[0]?.address;
    if (addr === undefined) throw new Error(`no interface ${ifname} in ${this.name}`);
    return addr;
  }

  /** Turns on IPv4 and IPv6 forwarding, for a namespace that acts as a router. */
  async enableForwarding(): Promise<void> {
    await this.exec('sysctl', ['-qw', 'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1']);
  }
}

/** Options of {@link Lab.create}. */
export interface LabInit {
  /** A short tag in namespace names, for reading `ip netns list` (letters and digits, at most 8). */
  tag?: string;
}

/**
 * A set of network namespaces, links and processes for one test, with guaranteed removal: `destroy()` on
 * the normal path, and synchronous removal on process exit, SIGINT, SIGTERM and SIGHUP. Names carry the
 * process id, so a later run removes what a SIGKILLed run left behind.
 */
export class Lab {
  readonly id: string;
  readonly #namespaces: Netns[] = [];
  readonly #children = new Set<ChildProcess>();
  #destroyed = false;
  #seq = 0;

  private constructor(tag: string) {
    this.id = `${PREFIX}${process.pid}x${randomBytes(2).toString('hex')}${tag}`;
  }

  /** Creates an empty lab. Pass tap's `t` (anything with `teardown`) to destroy it when the test ends. */
  static create(init: LabInit = {}, t?: { teardown(fn: () => unknown): void }): Lab {
    const tag = (init.tag ?? '').replace(/[^a-z0-9]/gi, '').slice(0, 8);
    installHooks();
    sweepStaleNamespaces();
    const lab = new Lab(tag);
    live.add(lab);
    t?.teardown(() => lab.destroy());
    return lab;
  }

  /** The namespaces created so far. */
  get namespaces(): readonly Netns[] {
    return this.#namespaces;
  }

  /** Creates a namespace with loopback up. */
  async namespace(short: string): Promise<Netns> {
    if (this.#destroyed) throw new Error('lab destroyed');
    const name = `${this.id}-${short}-${this.#seq++}`;
    await run('ip', ['netns', 'add', name]);
    const ns = new Netns(this, name);
    this.#namespaces.push(ns);
    await ns.exec('ip', ['link', 'set', 'lo', 'up']);
    // Fast IPv6 neighbour discovery and no router solicitations delaying tests.
    await ns.exec('sysctl', ['-qw', 'net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0'], {
      allowFail: true,
    });
    return ns;
  }

  /**
   * Connects two namespaces with a veth pair, brings both ends up and adds the given addresses (CIDR).
   * Interface names are per namespace, so the same name can be used everywhere.
   */
  async link(
    a: Netns,
    ifA: string,
    b: Netns,
    ifB: string,
    options: {
      addressA?: string | readonly string[];
      addressB?: string | readonly string[];
      macA?: string;
      macB?: string;
    } = {},
  ): Promise<void> {
    const args = ['link', 'add', 'name', ifA, 'netns', a.name];
    if (options.macA !== undefined) args.push('address', options.macA);
    args.push('type', 'veth', 'peer', 'name', ifB, 'netns', b.name);
    if (options.macB !== undefined) args.push('address', options.macB);
    await run('ip', args);
    await a.exec('ip', ['link', 'set', ifA, 'up']);
    await b.exec('ip', ['link', 'set', ifB, 'up']);
    for (const addr of toList(options.addressA)) await a.addAddress(ifA, addr);
    for (const addr of toList(options.addressB)) await b.addAddress(ifB, addr);
  }

  /** Creates a bridge inside a namespace (a switch), up, with the given addresses. */
  async bridge(ns: Netns, name: string, addresses: readonly string[] = []): Promise<void> {
    await ns.exec('ip', ['link', 'add', name, 'type', 'bridge']);
    await ns.exec('ip', ['link', 'set', name, 'up']);
    for (const addr of addresses) await ns.addAddress(name, addr);
  }

  /**
   * Connects `host` to a bridge that lives in namespace `sw`: a veth pair whose `swPort` end is enslaved to
   * the bridge. The host end gets the addresses.
   */
  async attach(
    host: Netns,
    ifname: string,
    sw: Netns,
    bridge: string,
    swPort: string,
    addresses: readonly string[] = [],
    mac?: string,
  ): Promise<void> {
    await this.link(host, ifname, sw, swPort, mac === undefined ? {} : { macA: mac });
    await sw.exec('ip', ['link', 'set', swPort, 'master', bridge]);
    for (const addr of addresses) await host.addAddress(ifname, addr);
  }

  /** Used by {@link Netns.spawn}. */
  spawnIn(ns: Netns, cmd: string, args: readonly string[], options: SpawnInNsOptions): ChildProcess {
    if (this.#destroyed) throw new Error('lab destroyed');
    const stdio = options.stdio ?? 'pipe';
    const spawnOptions: SpawnOptions = { detached: true, stdio: [options.stdin ?? 'ignore', stdio, stdio] };
    if (options.env !== undefined) spawnOptions.env = options.env;
    if (options.cwd !== undefined) spawnOptions.cwd = options.cwd;
    const child = spawn('ip', ['netns', 'exec', ns.name, cmd, ...args], spawnOptions);
    this.#children.add(child);
    child.once('exit', () => this.#children.delete(child));
    return child;
  }

  /** Kills every process the lab started and removes every namespace; safe to call more than once. */
  async destroy(): Promise<void> {
    if (this.#destroyed) return;
    const waits = [...this.#children].map(
      (c) =>
        new Promise<void>((resolve) =>
          c.exitCode !== null || c.signalCode !== null ? resolve() : c.once('exit', () => resolve()),
        ),
    );
    this.#killChildren();
    await Promise.race([Promise.all(waits), new Promise((r) => setTimeout(r, 2_000).unref())]);
    this.destroySync();
  }

  /** Synchronous removal, for exit and signal paths. */
  destroySync(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    live.delete(this);
    this.#killChildren();
    for (const ns of this.#namespaces.reverse()) {
      // Processes that escaped our process groups but live in the namespace die with it being emptied.
      try {
        const pids = execFileSync('ip', ['netns', 'pids', ns.name], { encoding: 'utf8' }).split('\n').filter(Boolean);
        for (const pid of pids) {
          try {
            process.kill(Number(pid), 'SIGKILL');
          } catch {
            /* gone */
          }
        }
      } catch {
        /* namespace already gone */
      }
      try {
        execFileSync('ip', ['netns', 'del', ns.name], { stdio: 'ignore' });
      } catch {
        /* already gone */
      }
    }
  }

  #killChildren(): void {
    for (const c of this.#children) {
      if (c.pid === undefined || c.exitCode !== null || c.signalCode !== null) continue;
      try {
        process.kill(-c.pid, 'SIGKILL');
      } catch {
        try {
          c.kill('SIGKILL');
        } catch {
          /* gone */
        }
      }
    }
  }
}

function toList(v: string | readonly string[] | undefined): readonly string[] {
  if (v === undefined) return [];
  return typeof v === 'string' ? [v] : v;
}
