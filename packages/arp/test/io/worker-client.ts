// Test-side handle on announcer-worker.ts running in a namespace.
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Netns } from '@lbkit/testkit';

export interface WorkerHandle {
  readonly lines: Array<Record<string, unknown>>;
  send(cmd: Record<string, unknown>): void;
  /** Waits for a line matching `pred` (searching lines already received first). */
  waitFor(pred: (l: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  request(cmd: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** Events of one kind received so far. */
  events(kind: string): Array<Record<string, unknown>>;
  /** Closes the control socket and removes its file (the lab kills the process). */
  close(): void;
  readonly child: ChildProcess;
}

let seq = 0;
const WORKER = new URL('./announcer-worker.ts', import.meta.url).pathname;

export async function startWorker(ns: Netns, init: Record<string, unknown>): Promise<WorkerHandle> {
  const path = join(tmpdir(), `${ns.name}-${++seq}.sock`);
  const child = ns.node(WORKER, [JSON.stringify(init), path]);
  const lines: Array<Record<string, unknown>> = [];
  const waiters = new Set<() => void>();
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  createInterface({ input: child.stdout! }).on('line', (l) => {
    try {
      lines.push(JSON.parse(l) as Record<string, unknown>);
    } catch {
      lines.push({ raw: l });
    }
    for (const w of [...waiters]) w();
  });
  const waitFor = (
    pred: (l: Record<string, unknown>) => boolean,
    timeoutMs = 10_000,
    from = 0,
  ): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const check = (): boolean => {
        const hit = lines.slice(from).find(pred);
        if (hit === undefined) return false;
        cleanup();
        resolve(hit);
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`worker in ${ns.name}: timed out; lines: ${JSON.stringify(lines)}; stderr: ${stderr}`));
      }, timeoutMs);
      const onExit = (): void => {
        if (check()) return;
        cleanup();
        reject(new Error(`worker in ${ns.name} exited; lines: ${JSON.stringify(lines)}; stderr: ${stderr}`));
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        waiters.delete(waiter);
        child.off('exit', onExit);
      };
      const waiter = (): void => void check();
      if (check()) return;
      waiters.add(waiter);
      child.once('exit', onExit);
    });
  await waitFor((l) => l['ready'] === true, 20_000);
  const control = await new Promise<Socket>((resolve, reject) => {
    const c = createConnection(path, () => resolve(c));
    c.once('error', reject);
  });
  const send = (cmd: Record<string, unknown>): void => void control.write(`${JSON.stringify(cmd)}\n`);
  const request = (cmd: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const from = lines.length;
    send(cmd);
    return waitFor((l) => (cmd['op'] === 'stats' ? 'stats' in l : l['done'] === cmd['op']), 10_000, from);
  };
  child.once('exit', () => control.destroy());
  const close = (): void => {
    control.destroy();
    rmSync(path, { force: true });
  };
  const events = (kind: string): Array<Record<string, unknown>> => lines.filter((l) => l['event'] === kind);
  return { lines, send, waitFor, request, events, close, child };
}
