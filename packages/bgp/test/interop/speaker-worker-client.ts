import { connect, type Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import type { Netns } from '@lbkit/testkit';
import type { SessionStatus, SpeakerInit } from '../../src/index.js';

const WORKER = join(dirname(fileURLToPath(import.meta.url)), 'speaker-worker.ts');

/** An event line from the worker. */
export interface WorkerEvent {
  readonly event: string;
  readonly [k: string]: unknown;
}

/** Drives a speaker running in a namespace (see speaker-worker.ts). */
export class SpeakerWorker {
  readonly events: WorkerEvent[] = [];
  readonly pid: number | undefined;
  readonly #sock: Socket;
  readonly #dir: string;
  #seq = 0;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  #exited: Promise<void>;
  output = '';

  private constructor(sock: Socket, dir: string, pid: number | undefined, exited: Promise<void>) {
    this.#sock = sock;
    this.#dir = dir;
    this.pid = pid;
    this.#exited = exited;
    createInterface({ input: sock }).on('line', (line) => {
      const m = JSON.parse(line) as { id?: number; ok?: boolean; result?: unknown; error?: string; event?: string };
      if (m.id !== undefined) {
        const p = this.#pending.get(m.id);
        this.#pending.delete(m.id);
        if (m.ok === true) p?.resolve(m.result);
        else p?.reject(new Error(m.error));
      } else if (m.event !== undefined) this.events.push(m as WorkerEvent);
    });
  }

  /**
   * Starts a worker in `ns` with `init`. `script` replaces the default worker (an absolute path speaking the
   * same control protocol); `extra` is passed to it as a third JSON argument.
   */
  static async spawn(ns: Netns, init: SpeakerInit, script: string = WORKER, extra?: unknown): Promise<SpeakerWorker> {
    const dir = mkdtempSync(join(tmpdir(), 'lbk-bgpw-'));
    const path = join(dir, 'ctl.sock');
    const child = ns.node(script, [
      JSON.stringify(init),
      path,
      ...(extra === undefined ? [] : [JSON.stringify(extra)]),
    ]);
    let output = '';
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    const deadline = Date.now() + 20_000;
    for (;;) {
      try {
        const sock = await new Promise<Socket>((resolve, reject) => {
          const s = connect(path);
          s.once('connect', () => resolve(s));
          s.once('error', reject);
        });
        const w = new SpeakerWorker(sock, dir, child.pid, exited);
        child.stdout?.on('data', (d: Buffer) => (w.output += d.toString()));
        child.stderr?.on('data', (d: Buffer) => (w.output += d.toString()));
        w.output = output;
        return w;
      } catch {
        if (Date.now() > deadline || child.exitCode !== null)
          throw new Error(`speaker worker did not start: ${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  /** Sends a command and waits for its answer. */
  call<T = unknown>(cmd: string, args: Record<string, unknown> = {}): Promise<T> {
    const id = ++this.#seq;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.#sock.write(`${JSON.stringify({ id, cmd, ...args })}\n`);
    });
  }

  async status(): Promise<SessionStatus[]> {
    return this.call<SessionStatus[]>('status');
  }

  /** Polls until the session with `peer` satisfies `pred`. */
  async waitSession(
    peer: string,
    pred: (s: SessionStatus) => boolean,
    timeoutMs = 30_000,
    what = 'session condition',
  ): Promise<SessionStatus> {
    const deadline = Date.now() + timeoutMs;
    let last: SessionStatus | undefined;
    for (;;) {
      last = (await this.status()).find((s) => s.peer === peer);
      if (last !== undefined && pred(last)) return last;
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what} on ${peer}: ${JSON.stringify(last)}\n${this.output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  waitEstablished(peer: string, timeoutMs = 30_000): Promise<SessionStatus> {
    return this.waitSession(peer, (s) => s.state === 'established', timeoutMs, 'Established');
  }

  /** Ends the process: closing the control socket makes it exit (a crash-like exit when `hard`). */
  async close(hard = false): Promise<void> {
    if (hard && this.pid !== undefined) {
      try {
        process.kill(-this.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    this.#sock.destroy();
    await Promise.race([this.#exited, new Promise((r) => setTimeout(r, 5_000).unref())]);
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
