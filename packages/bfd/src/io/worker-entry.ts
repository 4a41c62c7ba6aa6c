import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { RealClock, type Logger, type LogFields } from '@lbkit/core';
import { BfdEngine } from '../engine/engine.js';
import { loadTransport } from './transport-factory.js';
import type { EngineStats, WorkerCommand, WorkerInit, WorkerMessage } from './worker-protocol.js';

// The timer thread: sockets, timers and reducers all live here, so a stalled main thread delays only the
// delivery of state events, never a packet or a detection deadline.

const port = parentPort;
if (port === null) throw new Error('worker-entry must run in a worker thread');
const init = workerData as WorkerInit;
const post = (m: WorkerMessage): void => port.postMessage(m);

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
const threshold = init.logLevel === 'silent' ? 99 : LEVELS.indexOf(init.logLevel);
function logAt(level: (typeof LEVELS)[number]) {
  return (fields: LogFields | string, msg?: string): void => {
    if (LEVELS.indexOf(level) < threshold) return;
    if (typeof fields === 'string') post({ type: 'log', level, fields: {}, msg: fields });
    else post({ type: 'log', level, fields: { ...fields }, msg: msg ?? '' });
  };
}
const logger: Logger = {
  trace: () => {},
  debug: logAt('debug'),
  info: logAt('info'),
  warn: logAt('warn'),
  error: logAt('error'),
  child: () => logger,
};

/**
 * Renices this thread alone: on Linux setpriority(PRIO_PROCESS) with a thread id affects one thread, and
 * /proc/thread-self names it. Lowering the nice value needs CAP_SYS_NICE; without it the thread keeps the
 * process's priority and the result says why.
 */
function renice(priority: number | undefined): string {
  if (priority === undefined) return 'unchanged';
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    setPriority(tid, priority);
    return `nice ${priority}`;
  } catch (err) {
    return `unchanged (${(err as Error).message})`;
  }
}
const priority = renice(init.priority);

const { name, transport } = await loadTransport(init.transport, (err) =>
  logger.warn({ err: err.message }, 'bfd socket error'),
);
const engine = new BfdEngine(
  { clock: new RealClock(), random: Math.random, transport, logger },
  { onStateChange: (change) => post({ type: 'state', change }) },
);
post({ type: 'ready', transport: name, receivesTtl: transport.receivesTtl, priority });

async function handle(cmd: WorkerCommand): Promise<unknown> {
  switch (cmd.op) {
    case 'add':
      return engine.addSession(cmd.config);
    case 'remove':
      return engine.removeSession(cmd.id);
    case 'admin':
      return engine.setAdminDown(cmd.id, cmd.down);
    case 'timers':
      return engine.setTimers(cmd.id, cmd.timers);
    case 'stats':
      return engine.stats(cmd.id);
    case 'engine-stats': {
      const stats: EngineStats = {
        sessions: engine.sessionIds().length,
        drops: engine.engineDrops,
        sessionStats: engine.sessionIds().map((id) => engine.stats(id)),
      };
      return stats;
    }
    case 'close':
      await engine.close();
      return undefined;
  }
}

port.on('message', (cmd: WorkerCommand) => {
  handle(cmd).then(
    (value) => {
      post({ type: 'reply', req: cmd.req, ok: true, value });
      if (cmd.op === 'close') port.close();
    },
    (err: unknown) => {
      const e = err as { code?: unknown; message?: unknown };
      post({
        type: 'reply',
        req: cmd.req,
        ok: false,
        error: { code: typeof e.code === 'string' ? e.code : 'ERR_BFD_SESSION', message: String(e.message ?? err) },
      });
    },
  );
});
