// The test side of fixtures/agent.ts: starts an agent inside a namespace and calls it.
import { connect, type Socket } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Netns } from '@lbkit/testkit';

const AGENT = fileURLToPath(new URL('../fixtures/agent.ts', import.meta.url));

/** An error the agent reported, with the fields of the error it caught. */
export class AgentError extends Error {
  readonly detail: { name?: string; code?: string; errno?: string; capability?: string; message?: string };

  constructor(detail: AgentError['detail']) {
    super(detail.message ?? 'agent error');
    this.detail = detail;
  }
}

export class Agent {
  readonly #sock: Socket;
  #seq = 0;
  readonly #pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();

  private constructor(sock: Socket) {
    this.#sock = sock;
    let buf = '';
    sock.on('data', (chunk) => {
      buf += chunk.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) !== -1) {
        const msg = JSON.parse(buf.slice(0, nl)) as { seq: number; result?: unknown; error?: AgentError['detail'] };
        buf = buf.slice(nl + 1);
        const p = this.#pending.get(msg.seq);
        this.#pending.delete(msg.seq);
        if (msg.error !== undefined) p?.reject(new AgentError(msg.error));
        else p?.resolve(msg.result);
      }
    });
    sock.on('close', () => {
      for (const p of this.#pending.values()) p.reject(new Error('agent gone'));
      this.#pending.clear();
    });
  }

  /** Starts an agent in `ns` and connects to it. */
  static async start(ns: Netns): Promise<Agent> {
    const dir = mkdtempSync(join(tmpdir(), 'lbk-agent-'));
    const path = join(dir, 'agent.sock');
    // More pool threads let thousands of packet-socket closes wait out their grace periods side by side.
    const child = ns.node(AGENT, [path], { env: { ...process.env, UV_THREADPOOL_SIZE: '64' } });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`agent did not start: ${stderr}`)), 30_000);
      child.stdout?.on('data', (d: Buffer) => {
        if (d.toString().includes('ready')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`agent exited ${code}: ${stderr}`));
      });
    });
    const sock = connect(path);
    await new Promise<void>((resolve, reject) => {
      sock.once('connect', resolve);
      sock.once('error', reject);
    });
    return new Agent(sock);
  }

  call<T = unknown>(cmd: string, args: Record<string, unknown> = {}): Promise<T> {
    const seq = this.#seq++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(seq, { resolve: resolve as (v: unknown) => void, reject });
      this.#sock.write(JSON.stringify({ seq, cmd, args }) + '\n');
    });
  }

  close(): void {
    this.#sock.destroy();
  }
}
