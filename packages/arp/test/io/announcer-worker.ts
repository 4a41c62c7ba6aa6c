// The announcer on real sockets inside a network namespace, driven over stdin/stdout for privileged tests.
// argv[2]: AnnouncerInit as JSON; argv[3]: a Unix socket path to listen on for commands (a filesystem path
// reaches across network namespaces; testkit gives workers no stdin), one JSON object per line:
// {"op":"announce","vip":…}, {"op":"withdraw","vip":…}, {"op":"stats"}, {"op":"stop"}.
// stdout: one JSON object per line: {"ready":…}, {"done":op}, {"stats":…}, {"event":kind,…}.
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { realClock } from '@lbkit/core';
import { createAnnouncer, openDgramPlusConn, sysfsInterfaces, type AnnouncerEvents } from '../../src/index.js';

const init = JSON.parse(process.argv[2] ?? '{}') as Record<string, unknown>;
const announcer = createAnnouncer(init, {
  clock: realClock,
  openConn: (t) => openDgramPlusConn(t),
  interfaces: sysfsInterfaces(),
});
const out = (o: unknown): void => void process.stdout.write(`${JSON.stringify(o)}\n`);
const kinds: Array<keyof AnnouncerEvents & string> = [
  'announce-failed',
  'burst-completed',
  'burst-cancelled',
  'conflict-detected',
  'self-probe-completed',
  'link-lost',
  'link-restored',
  'interface-added',
  'interface-removed',
  'send-failed',
];
for (const kind of kinds)
  announcer.on(kind, (e) =>
    out({
      event: kind,
      ...(e as object),
      ...(kind === 'send-failed' ? { error: String((e as { error: unknown }).error) } : {}),
    }),
  );
await announcer.start();
let queue = Promise.resolve();
const server = createServer((conn) => {
  createInterface({ input: conn }).on('line', (line) => {
    queue = queue.then(async () => {
      const cmd = JSON.parse(line) as { op: string; vip?: string; iface?: string };
      if (cmd.op === 'announce') await announcer.announce(cmd.vip as string, cmd.iface);
      else if (cmd.op === 'withdraw') await announcer.withdraw(cmd.vip as string);
      else if (cmd.op === 'stats') return out({ stats: announcer.stats() });
      else if (cmd.op === 'stop') {
        await announcer.stop();
        out({ done: 'stop' });
        process.exit(0);
      }
      out({ done: cmd.op, vip: cmd.vip });
    });
  });
});
server.listen(process.argv[3], () =>
  out({
    ready: true,
    interfaces: announcer
      .interfaceStates()
      .filter((s) => s.open)
      .map((s) => s.name),
  }),
);
